"""Fusion weights over a grid, offline: every question's legs are recorded once, then fused
again under each setting with the same pure functions retrieval uses
(``qa.search.fusion``), and scored by MRR@10 over paragraph pairs per split and set.

    qa eval --distractors pd1998+sotu --index-dir DIR     # builds the evaluation index once
    python eval/fit_fusion.py --index-dir DIR [--index-dir SEEDS]

Prints one row per setting, best tune MRR first, and the configured row; writes all rows
to ``eval/reports/fit_fusion.json``. Choose on the tune columns and report the test ones.
The figures ignore the display-language filter of cross-lingual questions (``qa eval``
applies it), so they can differ from ``qa eval`` by a little; the configured row shows how
much.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GRID = {  # each leg kind's weight, and the RRF constant
    "lexical": [1.0],
    "dictionary": [0.0, 0.25, 0.5],
    "dense": [0.5, 0.75, 1.0, 1.5],
    "dense_cross": [0.0, 0.25, 0.5],
    "dense_language_gap": [0.06],  # for chunks with no translation (config.py says why)
    "dictionary_untranslated": [0.5],
    "year": [0.0, 1.0],
    "rrf_k": [5, 10, 60],
}


def record(index_dir: Path) -> list[dict]:
    """Per question: its split and set, each leg's ranked chunk ids, the chunks' paragraph
    pairs and years, the years it names, and its gold pairs."""
    from qa.config import get_settings
    from qa.evaluation import questions as ev
    from qa.ingest.indexer import Index
    from qa.search.retrieve import Retriever
    from qa.text import detect_language

    settings = ev.in_dir(get_settings(), index_dir)
    qs = ev.both_sets(ROOT / "eval")
    rows = []
    with Index(settings) as index:
        captured: dict = {}

        class Recording(Retriever):
            def _fuse(self, legs, weights, untranslated_weights, dense_pairs, prefer, k,  # type: ignore[no-untyped-def]
                      years=frozenset(), show_langs=()):  # fmt: skip
                captured.update(legs=legs, years=years, dense_pairs=dense_pairs)
                return super()._fuse(legs, weights, untranslated_weights, dense_pairs, prefer,
                                     k, years, show_langs or ("en", "zh"))  # fmt: skip

        retriever = Recording(index, settings)
        for q in qs:
            if not q.answerable or index.catalog.article(q.article_id or "") is None:
                continue
            retriever.retrieve(q.question, ev.DEPTH, q.filters)
            legs = captured["legs"]
            stored = index.catalog.chunks({c for ids in legs.values() for c in ids})
            pairs = index.catalog.paragraph_pairs(q.article_id or "")
            rows.append({
                "split": q.split, "set": q.set,
                "legs": {name: ids for name, ids in legs.items()},
                "dense_pairs": captured["dense_pairs"],
                "kinds": _kinds(list(legs), detect_language(q.question)),
                "unit_of": {c: (s.chunk.article_id, s.chunk.pair) for c, s in stored.items()},
                "untranslated": {c for c, s in stored.items() if s.chunk.aligned_id is None},
                "year_of": {(s.chunk.article_id, s.chunk.pair): s.date // 10000
                            for s in stored.values()},
                "years": set(captured["years"]),
                "gold": {(q.article_id, pairs[(q.gold_lang, i)]) for i in q.paragraphs
                         if (q.gold_lang, i) in pairs},
            })  # fmt: skip
    return rows


def _kinds(legs: list[str], qlang: str) -> dict[str, str]:
    """Each leg's kind: "lexical:<lang>" and "dense:<embedder>:<lang>" in the question's
    language or the other one."""
    out = {}
    for leg in legs:
        own = leg.rsplit(":", 1)[1] == qlang
        if leg.startswith("lexical:"):
            out[leg] = "lexical" if own else "dictionary"
        else:
            out[leg] = "dense" if own else "dense_cross"
    return out


def mrr(rows: list[dict], setting: dict[str, float]) -> float:
    from qa.search.fusion import add_leg, fuse

    total = 0.0
    for r in rows:
        weights = {leg: setting[kind] for leg, kind in r["kinds"].items()}
        dictionary = {leg: setting["dictionary_untranslated"]
                      for leg, kind in r["kinds"].items() if kind == "dictionary"}  # fmt: skip
        fused = fuse(r["legs"], weights, r["unit_of"], setting["rrf_k"], r["dense_pairs"],
                     r["untranslated"], setting["dense_language_gap"], dictionary)  # fmt: skip
        if r["years"] and setting["year"]:
            dated = [u for u in fused.top(len(fused.units)) if r["year_of"][u] in r["years"]]
            add_leg(fused, "year", dated, setting["year"], setting["rrf_k"])
        top = fused.top(10)
        total += next((1 / i for i, u in enumerate(top, 1) if u in r["gold"]), 0.0)
    return total / max(1, len(rows))


def main() -> None:
    from qa.config import get_settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, action="append", required=True)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "fit_fusion.json")
    ap.add_argument("--show", type=int, default=10, help="Rows printed besides the configured.")
    args = ap.parse_args()

    groups: dict[str, list[dict]] = {}
    for i, d in enumerate(args.index_dir):
        for r in record(d):
            groups.setdefault(f"{r['set']} {r['split']} ({i})", []).append(r)
    names = sorted(groups)
    s = get_settings()
    configured = {"lexical": s.weight_lexical, "dictionary": s.weight_dictionary,
                  "dense": s.weight_dense, "dense_cross": s.weight_dense_cross,
                  "dense_language_gap": s.dense_language_gap,
                  "dictionary_untranslated": s.weight_dictionary_untranslated,
                  "year": s.weight_year, "rrf_k": s.rrf_k}  # fmt: skip
    keys = list(GRID)
    settings = [
        dict(zip(keys, values, strict=True)) for values in itertools.product(*GRID.values())
    ]
    table = [{"setting": st, **{g: round(mrr(groups[g], st), 4) for g in names}}
             for st in [configured, *settings]]  # fmt: skip
    tune = [g for g in names if " tune " in g]
    ranked = sorted(table[1:], key=lambda row: -sum(row[g] for g in tune))
    print("| setting | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
    for label, row in [("configured", table[0]), *(("", r) for r in ranked[: args.show])]:
        st = " ".join(f"{k}={v}" for k, v in row["setting"].items())
        print(f"| {label or st} | " + " | ".join(f"{row[g]:.3f}" for g in names) + " |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"groups": {g: len(groups[g]) for g in names},
                                    "rows": table}, indent=2) + "\n")  # fmt: skip
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
