"""How much lower e5 scores a question against a translation than against the original.

    python eval/language_gap.py

For each answerable same-language seed question: e5's cosine (query form) to its gold
paragraph (passage form) and to that paragraph's translation, the paragraphs paired as
indexing pairs them. Prints the gap's mean, median and s.d., per question language: the
evidence behind ``QA_DENSE_LANGUAGE_GAP`` (``qa/config.py``), which is set below it
because unrelated text loses less across languages than a translation does (README,
*A cross-lingual BEIR folder*).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from qa.config import get_settings
    from qa.evaluation.questions import load_questions
    from qa.ingest.align import align
    from qa.ingest.articles import parse_file
    from qa.store.embedders import load_embedders

    e5 = next(e for e in load_embedders(get_settings()) if e.name == "e5")
    articles = {a.id: a for a in (parse_file(p, 10_000_000)
                                  for p in sorted((ROOT / "seeds").glob("*.txt")))}  # fmt: skip
    gaps: dict[str, list[float]] = {"en": [], "zh": []}
    for q in load_questions(ROOT / "eval" / "questions.jsonl"):
        if not q.answerable or q.kind == "cross" or not q.article_id or not q.gold_lang:
            continue
        art, lang, i = articles[q.article_id], q.gold_lang, q.paragraphs[0]
        other = "zh" if lang == "en" else "en"
        bead = next(b for b in align(art) if i in (b.en if lang == "en" else b.zh))
        translation = " ".join(art.parts[other].paragraphs[j].text
                               for j in (bead.en if other == "en" else bead.zh))  # fmt: skip
        if not translation:
            continue
        question = e5.encode_query(q.question)
        own, across = e5.encode([art.parts[lang].paragraphs[i].text, translation]) @ question
        gaps[q.lang].append(float(own - across))
    for name, values in [*gaps.items(), ("all", gaps["en"] + gaps["zh"])]:
        v = np.array(values)
        print(f"{name}: {len(v)} questions, gap mean {v.mean():.3f}, median "
              f"{np.median(v):.3f}, s.d. {v.std():.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
