"""How often a gold answer is among all the answers shown, not only the first.

    python eval/answers_shown.py --index-dir DIR [--out FILE]

``qa eval`` judges the first answer; a user reads the list. For every answerable question
of ``eval/questions.jsonl`` and ``eval/questions_archive.jsonl`` whose article the index
holds, it asks as ``qa eval`` does and reports, per set and split, the share whose first
answer holds a gold substring, the share where any answer does, and the answers shown per
question.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from qa.answer.answerer import Answerer
    from qa.config import get_settings
    from qa.evaluation import questions as ev
    from qa.ingest.indexer import Index

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, required=True, help="An evaluation index.")
    ap.add_argument("--out", type=Path, help="Also write the figures here as JSON.")
    args = ap.parse_args()

    settings = ev.in_dir(get_settings(), args.index_dir)
    rows: list[tuple[str, str, bool, bool, int]] = []  # set, split, first, any, shown
    with Index(settings) as index:
        answerer = Answerer(index, settings)
        answerer.warm_up()
        for q in ev.both_sets(ROOT / "eval"):
            if not q.answerable or index.catalog.article(q.article_id or "") is None:
                continue
            texts = [a.text for a in answerer.ask(q.question, ev.DEPTH, q.filters).answers]
            held = [any(g in t for g in q.answers) for t in texts]
            rows.append((q.set, q.split, bool(held) and held[0], any(held), len(texts)))
    table = {}
    print("| questions | n | first answer right | any answer right | answers shown |")
    print("|---|---|---|---|---|")
    for group in sorted({(r[0], r[1]) for r in rows}):
        rs = [r for r in rows if (r[0], r[1]) == group]
        fig = {"n": len(rs), "first": round(sum(r[2] for r in rs) / len(rs), 3),
               "any": round(sum(r[3] for r in rs) / len(rs), 3),
               "shown": round(sum(r[4] for r in rs) / len(rs), 2)}  # fmt: skip
        table[" ".join(group)] = fig
        print(f"| {' '.join(group)} | {fig['n']} | {fig['first']:.3f} | {fig['any']:.3f} | "
              f"{fig['shown']:.2f} |")  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
