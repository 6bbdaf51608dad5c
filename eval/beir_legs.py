"""Each retrieval leg alone and the fused modes on a BEIR folder, per direction (nDCG@10).

    python eval/make_beir.py OUT --one-language        # a cross-lingual folder
    python eval/beir_legs.py OUT --index-dir DIR       # indexes OUT into DIR once, keeps it

`qa eval --beir` scores the modes (lexical, dense:e5, hybrid) in a throwaway index; this
also ranks by each leg on its own, as fusion receives it: BM25 over the question's
language, BM25 over its dictionary terms in the other language, e5 over the question's
language, e5 over the other one, and e5 over both by raw cosine (one multilingual index,
as e5 is usually run). Prints a table; writes ``eval/reports/beir_legs.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODES = ("lexical", "dense:e5", "hybrid")


def main() -> None:
    from qa.config import LANGS, get_settings
    from qa.evaluation import beir
    from qa.evaluation.questions import ir_scores
    from qa.ingest.articles import ArticleError
    from qa.ingest.indexer import Index
    from qa.search.dictionary import translate_terms
    from qa.search.retrieve import Retriever
    from qa.text import detect_language, tokenize

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--index-dir", type=Path, required=True, help="Kept; indexed when empty.")
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "beir_legs.json")
    args = ap.parse_args()

    try:
        data = beir.load(args.folder)
    except ArticleError as exc:
        sys.exit(f"error: {exc.where}: {exc.reason}")
    depth = beir.DEPTH
    settings = beir.index_settings(get_settings(), args.index_dir)
    fresh = not args.index_dir.exists() or not any(args.index_dir.iterdir())
    with Index(settings) as index:
        judged = [q for q in data.queries if q in data.qrels]
        if fresh:
            index.add_articles(data.documents, progress=True)
        elif any(index.catalog.article(d) is None for q in judged for d in data.qrels[q]):
            sys.exit(f"error: {args.index_dir} holds another index: the folder's judged "
                     "documents are not in it (give an empty or new --index-dir)")  # fmt: skip
        e5 = next(e for e in index.embedders if e.name == "e5")
        catalog, lexical, store = index.catalog, index.lexical, index.store

        def hit_docs(hits: list[tuple[str, float]]) -> list[str]:
            keys = catalog.chunk_keys({cid for cid, _ in hits})
            return list(dict.fromkeys(keys[c].article_id for c, _ in hits if c in keys))

        def by_leg(text: str) -> dict[str, list[str]]:
            qlang = detect_language(text)
            other = next(lang for lang in LANGS if lang != qlang)
            tokens = tokenize(text, qlang)
            vector = e5.encode_query(text)
            own, cross = (
                store.query("e5", qlang, vector, depth),
                store.query("e5", other, vector, depth),
            )
            return {
                "BM25, question's language": hit_docs(lexical.search(tokens, qlang, depth)),
                "BM25, dictionary terms": hit_docs(
                    lexical.search(translate_terms(tokens, qlang, other), other, depth)
                ),
                "e5, question's language": hit_docs(own),
                "e5, other language": hit_docs(cross),
                "e5, both by cosine": hit_docs(sorted(own + cross, key=lambda h: -h[1])[:depth]),
            }

        ranked: dict[str, dict[str, list[str]]] = {}
        for q in judged:
            for leg, ids in by_leg(data.queries[q]).items():
                ranked.setdefault(leg, {})[q] = ids
        retriever = Retriever(index, settings)
        for mode in MODES:
            for q in judged:
                passages = retriever.retrieve(data.queries[q], k=depth, mode=mode).passages
                ranked.setdefault(mode, {})[q] = beir.documents(passages)

    table: dict[str, dict[str, float]] = {}
    sizes = {"all": len(judged)}
    qrels = {q: data.qrels[q] for q in judged}
    for name, run in ranked.items():
        per_group = beir.group_scores(data, run)
        table[name] = {"all": round(ir_scores(qrels, run, ["nDCG@10"])["nDCG@10"], 4)}
        table[name] |= {g: scores["ndcg@10"] for g, scores in per_group.items()}
        sizes |= {g: scores["queries"] for g, scores in per_group.items()}
    groups = list(sizes)
    print("| ranking | " + " | ".join(f"{g} ({sizes[g]})" for g in groups) + " |")
    print("|---|" + "---|" * len(groups))
    for name, row in table.items():
        print(f"| {name} | " + " | ".join(f"{row[g]:.3f}" for g in groups) + " |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"folder": str(args.folder), "documents": len(data.documents), "queries": sizes,
              "metric": "nDCG@10", "rows": table}  # fmt: skip
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
