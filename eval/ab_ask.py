"""Two settings of the answer step, asked in turn in one process, on an index you have.

    python eval/ab_ask.py --data-dir DIR --b answer_passages=5 [--b KEY=VALUE ...]

A is the default settings, B the same with ``--b`` overrides (``Settings`` field names).
Every question of ``eval/questions.jsonl`` and ``eval/questions_archive.jsonl`` is asked
by both, alternating which goes first, in a cold pass and a warm one (each side has its
own sentence cache). Prints p50 and mean ms per ask, wall clock and CPU time: asked in
turn, both sides see the same load on a shared machine, and CPU time leaves out the time
the machine gave to other work. Writes the figures as JSON with ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from profile_ask import figures  # noqa: E402  (eval/, the script's own folder)

from qa.evaluation.bench import index_dir  # noqa: E402


def _override(text: str) -> tuple[str, Any]:
    """KEY=VALUE, the value as JSON when it is ("[\"e5\"]", "true"), else as written:
    ``Settings`` converts it as it does an environment variable's."""
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=index_dir, required=True, help="An index (QA_DATA_DIR).")
    ap.add_argument("--b", type=_override, action="append", required=True, help="KEY=VALUE")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    from qa.answer.answerer import Answerer
    from qa.config import Settings, get_settings
    from qa.evaluation import questions as ev
    from qa.store.stores import Stores

    a = ev.in_dir(get_settings(), args.data_dir)
    b = Settings.model_validate({**a.model_dump(), **dict(args.b)})
    questions = [q.question for q in ev.both_sets(ROOT / "eval")]
    passes = []
    with Stores(a) as index:
        sides = {"A": Answerer(index, a), "B": Answerer(index, b)}
        for answerer in sides.values():
            answerer.warm_up()
        for name in ("cold", "warm"):
            wall: dict[str, list[float]] = {s: [] for s in sides}  # seconds
            cpu: dict[str, list[float]] = {s: [] for s in sides}
            for i, q in enumerate(questions):
                for side in ("A", "B") if i % 2 else ("B", "A"):
                    w, c = time.perf_counter(), time.process_time()
                    sides[side].ask(q)
                    wall[side].append(time.perf_counter() - w)
                    cpu[side].append(time.process_time() - c)
            passes.append({"pass": name, "asks": len(questions), **{
                side: {"wall": figures(wall[side]), "cpu": figures(cpu[side])} for side in sides
            }})  # fmt: skip
    print(f"B: {dict(args.b)}")
    print(f"{'pass':6s} {'side':4s} {'wall p50':>9s} {'mean':>7s} {'cpu p50':>8s} {'mean':>7s}")
    for p in passes:
        for side in ("A", "B"):
            w, c = p[side]["wall"], p[side]["cpu"]
            print(f"{p['pass']:6s} {side:4s} {w['p50_ms']:9.1f} {w['mean_ms']:7.1f} "
                  f"{c['p50_ms']:8.1f} {c['mean_ms']:7.1f}")  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps({"b": dict(args.b), "passes": passes}, indent=2) + "\n")


if __name__ == "__main__":
    main()
