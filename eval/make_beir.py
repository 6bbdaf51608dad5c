"""Write a BEIR folder from the project's own data, for `qa eval --beir DIR --modes …`.

    python eval/make_beir.py OUT [--distractors pd1998+sotu]
    qa eval --beir OUT --modes lexical,dense:e5,hybrid

Documents: one per body paragraph per language of the seed articles and of the distractor
articles (`qa eval --distractors` reads the same ones). Queries: the answerable questions
of ``eval/questions.jsonl`` and ``eval/questions_archive.jsonl`` whose article is in the
corpus, each judged by its gold paragraphs and grouped by direction (question language
-> gold language: en-en, zh-zh, en-zh, zh-en), so the scores come per direction too.

The folder holds People's Daily 1998 text (research-licensed): write it outside the
repository (``OUT`` must not be inside it) and never commit it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from qa.config import get_settings
    from qa.evaluation.corpora import distractors
    from qa.evaluation.questions import load_questions
    from qa.ingest.articles import parse_file

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="The BEIR folder to write (created; outside the repo).")
    ap.add_argument("--distractors", default="pd1998+sotu", help="As for `qa eval`.")
    args = ap.parse_args()
    out: Path = args.out.resolve()
    if out.is_relative_to(ROOT):
        sys.exit(f"error: {out} is inside the repository; the corpus must not be committed")
    if out.exists() and any(out.iterdir()):
        sys.exit(f"error: {out} is not empty")
    (out / "qrels").mkdir(parents=True, exist_ok=True)

    articles = [parse_file(p, 10_000_000) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    articles += list(distractors(args.distractors, get_settings()))
    docs: set[str] = set()
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for art in articles:
            for lang, part in art.parts.items():
                for p in part.body:
                    doc = f"{art.id}.{lang}.{p.index}"
                    docs.add(doc)
                    row = {"_id": doc, "title": part.title, "text": p.text}
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")

    questions = [*load_questions(ROOT / "eval" / "questions.jsonl"),
                 *load_questions(ROOT / "eval" / "questions_archive.jsonl", "archive")]  # fmt: skip
    judged = []  # (question, its gold documents)
    for q in questions:
        gold = {f"{q.article_id}.{q.gold_lang}.{i}" for i in q.paragraphs} & docs
        if q.answerable and gold:
            judged.append((q, sorted(gold)))
    with (out / "queries.jsonl").open("w", encoding="utf-8") as f:
        for q, _ in judged:
            meta = {"group": f"{q.lang}-{q.gold_lang}", "set": q.set, "split": q.split}
            f.write(json.dumps({"_id": q.id, "text": q.question, "metadata": meta},
                               ensure_ascii=False) + "\n")  # fmt: skip
    rows = ["query-id\tcorpus-id\tscore"]
    rows += [f"{q.id}\t{d}\t1" for q, gold in judged for d in gold]
    (out / "qrels" / "test.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"written {out}: {len(docs)} documents, {len(judged)} queries")


if __name__ == "__main__":
    main()
