"""HNSW recall against exact search on a large index, as its collections are configured.

    python eval/bench_recall_copies.py --data-dir BIG [--k 10]

BIG is any index, e.g. one ``eval/bench_copies.py`` built. Every dense collection's
vectors are read back from Chroma; for each evaluation question (both question files),
its ``k`` nearest chunks by exact cosine (NumPy, every vector) are compared with what the
store's HNSW search returns at the configured ``QA_HNSW_EF_SEARCH``, and both are timed.
Writes ``eval/reports/bench_recall_copies.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.evaluation.bench import index_dir  # noqa: E402

PAGE = 20_000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=index_dir, required=True)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument(
        "--out", type=Path, default=ROOT / "eval" / "reports" / "bench_recall_copies.json"
    )
    args = ap.parse_args()

    from qa.config import get_settings
    from qa.evaluation import questions as ev
    from qa.store.stores import Stores

    settings = ev.in_dir(get_settings(), args.data_dir)
    questions = [q.question for q in ev.both_sets(ROOT / "eval")]
    report: dict[str, object] = {"k": args.k, "ef_search": settings.hnsw_ef_search,
                                 "questions": len(questions)}  # fmt: skip
    with Stores(settings) as index:
        for e in index.embedders:
            queries = np.array([e.encode_query(q) for q in questions], dtype=np.float32)
            for lang in e.langs:
                collection = index.store.collections[e.name, lang]
                ids: list[str] = []
                parts = []
                t = time.perf_counter()
                while True:
                    got = collection.get(include=["embeddings"], limit=PAGE, offset=len(ids))
                    if not got["ids"]:
                        break
                    ids += got["ids"]
                    parts.append(np.asarray(got["embeddings"], dtype=np.float32))
                vectors = np.vstack(parts)
                read = time.perf_counter() - t
                recalls, hnsw_ms, exact_ms = [], [], []
                for q in queries:
                    t = time.perf_counter()
                    scores = vectors @ q
                    top = np.argpartition(-scores, args.k)[: args.k]
                    exact_ms.append(1000 * (time.perf_counter() - t))
                    t = time.perf_counter()
                    hits = index.store.query(e.name, lang, q, args.k)
                    hnsw_ms.append(1000 * (time.perf_counter() - t))
                    recalls.append(len({ids[i] for i in top} & {h for h, _ in hits}) / args.k)
                row = {
                    "vectors": len(ids),
                    f"recall@{args.k}": round(statistics.fmean(recalls), 4),
                    f"recall@{args.k} min": round(min(recalls), 2),
                    "hnsw_p50_ms": round(statistics.median(hnsw_ms), 2),
                    "hnsw_p95_ms": round(float(np.percentile(hnsw_ms, 95)), 2),
                    "exact_p50_ms": round(statistics.median(exact_ms), 2),
                    "read_seconds": round(read, 1),
                }
                report[f"{e.name}:{lang}"] = row
                print(f"{e.name}:{lang}", json.dumps(row), flush=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
