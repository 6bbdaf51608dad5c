"""Write a BEIR folder from the project's own data, for `qa eval --beir DIR --modes …`.

    python eval/make_beir.py OUT [--distractors pd1998+sotu] [--limit N] [--one-language]
    qa eval --beir OUT --modes lexical,dense:e5,hybrid

Documents: one per body paragraph per language of the seed articles and of the distractor
articles (`qa eval --distractors` reads the same ones). Queries: the answerable questions
of ``eval/questions.jsonl`` and ``eval/questions_archive.jsonl`` whose article is in the
corpus, each judged by its gold paragraphs and grouped by direction (question language
-> gold language: en-en, zh-zh, en-zh, zh-en), so the scores come per direction too.

``--one-language`` keeps each paragraph pair of a bilingual (seed) article in one language
only, half in each, so that about half the seed questions are judged by a paragraph that
exists only in the other language: a cross-lingual set, where the default folder's
cross-lingual rows are near zero because each gold paragraph's translation, in the
question's own language, is a separate unjudged document that ranks first.
``--limit N`` takes at most N articles from each distractor source.

The folder holds People's Daily 1998 text (research-licensed): write it outside the
repository (``OUT`` must not be inside it) and never commit it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from qa.config import get_settings
    from qa.evaluation.beir import write_folder
    from qa.evaluation.corpora import distractors
    from qa.evaluation.questions import load_questions
    from qa.ingest.articles import parse_file

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="The BEIR folder to write (created; outside the repo).")
    ap.add_argument("--distractors", default="pd1998+sotu", help="As for `qa eval`.")
    ap.add_argument("--limit", type=int, help="At most this many articles per source.")
    ap.add_argument(
        "--one-language",
        action="store_true",
        help="Each seed paragraph pair in one language only (a cross-lingual set).",
    )
    args = ap.parse_args()
    out: Path = args.out.resolve()
    if out.is_relative_to(ROOT):
        sys.exit(f"error: {out} is inside the repository; the corpus must not be committed")
    if out.exists() and any(out.iterdir()):
        sys.exit(f"error: {out} is not empty")
    articles = [parse_file(p, 10_000_000) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    articles += list(distractors(args.distractors, get_settings(), args.limit))
    questions = [*load_questions(ROOT / "eval" / "questions.jsonl"),
                 *load_questions(ROOT / "eval" / "questions_archive.jsonl", "archive")]  # fmt: skip
    n = write_folder(out, articles, questions, args.one_language)
    print(f"written {out}: {len(articles)} articles, {n} queries")


if __name__ == "__main__":
    main()
