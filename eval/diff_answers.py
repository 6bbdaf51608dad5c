"""Compare two evaluation reports question by question: what a change moved.

    python eval/diff_answers.py AFTER BEFORE [--mode hybrid] [-v]

AFTER and BEFORE are report folders written by ``qa eval --report DIR`` (their
``answers.jsonl``; with distractors it quotes research-licensed text, so keep the copies
outside the repository). Prints, per question set and split, answer accuracy, citation
accuracy, abstention precision / recall and the wrong answers shown, for both; then every
question whose verdict changed (better: now right, or a near miss now abstains; worse: the
reverse), and with ``-v`` the two answers and the gold. The before/after tables of the
README were made this way.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.evaluation.questions import abstention  # noqa: E402

Row = dict[str, object]


def load(folder: Path, mode: str) -> dict[str, Row]:
    """The report's rows in ``mode``, by question id."""
    rows = (json.loads(line) for line in (folder / "answers.jsonl").open(encoding="utf-8"))
    return {str(r["id"]): r for r in rows if r["mode"] == mode}


def summary(rows: list[Row]) -> str:
    """answer / citation accuracy, abstention P / R and wrong answers shown, as one line."""
    answerable = [r for r in rows if r["kind"] != "unanswerable"]
    unanswerable = len(rows) - len(answerable)
    abstained = [r for r in rows if r["verdict"] == "abstained"]
    rightly = sum(r["kind"] == "unanswerable" for r in abstained)
    right = sum(r["verdict"] == "right" for r in answerable)
    cited = sum(bool(r["citation_ok"]) for r in answerable)
    shown = sum(r["verdict"] in ("wrong", "answered") for r in rows)
    n = max(1, len(answerable))
    p, r = abstention(rightly, len(abstained), unanswerable)
    return f"{right / n:.3f} / {cited / n:.3f} / {p:.3f} / {r:.3f} / {shown}"


def groups(rows: dict[str, Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for r in rows.values():
        out[str(r["set"])].append(r)
        if r["split"] != r["set"]:
            out[f"{r['set']} {r['split']}"].append(r)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("after", type=Path)
    ap.add_argument("before", type=Path)
    ap.add_argument("--mode", default="hybrid")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    after, before = load(args.after, args.mode), load(args.before, args.mode)
    common = after.keys() & before.keys()
    print("answer / citation / abstain P / R / wrong shown, on the questions both asked")
    ga, gb = groups({i: after[i] for i in common}), groups({i: before[i] for i in common})
    for name in sorted(ga):
        print(f"{name:16} {len(ga[name]):5}  before {summary(gb[name])}  after {summary(ga[name])}")
    moved = {"better": 0, "worse": 0}
    for i in sorted(common):
        a, b = after[i], before[i]
        if a["ok"] == b["ok"]:
            continue
        tag = "better" if a["ok"] else "worse"
        moved[tag] += 1
        print(f"{tag.upper():6} {i} [{a['set']} {a['split']}] {b['verdict']} -> {a['verdict']}: "
              f"{a['question']}")  # fmt: skip
        if args.verbose:
            print(f"    before: {b['answer'] or b['abstain_reason']}")
            print(f"    after:  {a['answer'] or a['abstain_reason']}")
            print(f"    gold:   {a['gold']}")
    changed = sum(after[i]["answer"] != before[i]["answer"] for i in common)
    print(
        f"{moved['better']} better, {moved['worse']} worse, {changed} answers changed; "
        f"{len(after.keys() - common)} only after, {len(before.keys() - common)} only before"
    )


if __name__ == "__main__":
    main()
