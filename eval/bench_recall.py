"""HNSW recall against exact search, per Chroma collection, by ef_search.

    python eval/bench_recall.py --index-dir DIR                 # ef_search 100,200,400
    python eval/bench_recall.py --index-dir DIR --ef 400,800 --k 50

DIR is a data dir built by ``qa index`` or ``qa eval --index-dir`` (for an archive-sized
one: ``qa eval --distractors pd1998+sotu --index-dir DIR``); it is only read, except that
each collection's ef_search is set as the store opens (``QA_HNSW_EF_SEARCH``). Queries are
the evaluation questions, encoded as each embedder encodes questions. For each, the ``k``
nearest chunks by exact cosine (NumPy over every stored vector) are compared with what
Chroma's HNSW returns. Chroma reads ef_search when it loads a collection's index, so each
value runs in a fresh process. Prints one line per collection and value, and writes
``eval/reports/bench_recall.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTION_FILES = [ROOT / "eval" / "questions.jsonl", ROOT / "eval" / "questions_archive.jsonl"]


def stored_vectors(collection) -> tuple[list[str], np.ndarray]:
    """Every id and vector of a collection, read a page at a time."""
    ids: list[str] = []
    parts: list[np.ndarray] = []
    while True:
        page = collection.get(include=["embeddings"], limit=5000, offset=len(ids))
        if not page["ids"]:
            break
        ids += page["ids"]
        parts.append(np.asarray(page["embeddings"], dtype=np.float32))
    return ids, np.concatenate(parts) if parts else np.zeros((0, 1), np.float32)


def measure(data_dir: Path, k: int) -> list[dict]:
    """Recall@k of every collection at the configured ef_search (this process)."""
    from qa.config import get_settings
    from qa.ingest.indexer import Index

    s = get_settings()
    s = s.model_copy(update={"data_dir": data_dir, "model_cache_dir": s.models_dir})
    questions = [json.loads(line)["question"] for f in QUESTION_FILES
                 for line in f.open(encoding="utf-8")]  # fmt: skip
    out = []
    with Index(s) as index:
        for e in index.embedders:
            queries = np.stack([e.encode_query(q) for q in questions])
            for lang in e.langs:
                ids, vectors = stored_vectors(index.store.collections[e.name, lang])
                if len(ids) < k:
                    continue
                exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :k]
                recall, started = [], time.perf_counter()
                for q, best in zip(queries, exact, strict=True):
                    got = {i for i, _ in index.store.query(e.name, lang, q, k)}
                    recall.append(len(got & {ids[j] for j in best}) / k)
                ms = 1000 * (time.perf_counter() - started) / len(queries)
                out.append(
                    {
                        "collection": f"{e.name}-{lang}",
                        "chunks": len(ids),
                        "ef_search": s.hnsw_ef_search,
                        f"recall@{k}": round(float(np.mean(recall)), 3),
                        "min_recall": round(float(np.min(recall)), 3),
                        "ms_per_query": round(ms, 2),
                    }
                )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--ef", default="100,200,400", help="ef_search values, comma-separated")
    ap.add_argument("--k", type=int, default=50, help="neighbours compared (a leg's depth)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(measure(a.index_dir, a.k)))
        return
    if not (a.index_dir / "catalog.sqlite").exists():
        sys.exit(f"{a.index_dir}: no index there (build one with qa index or qa eval --index-dir)")
    rows = []
    for ef in [int(x) for x in a.ef.split(",")]:
        env = {**os.environ, "QA_HNSW_EF_SEARCH": str(ef)}
        child = [
            sys.executable,
            __file__,
            "--child",
            "--index-dir",
            str(a.index_dir),
            "--k",
            str(a.k),
        ]
        done = subprocess.run(child, env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"ef_search {ef}: {done.stderr[-2000:]}")
        for row in json.loads(done.stdout.strip().splitlines()[-1]):
            rows.append(row)
            print(" ".join(f"{key}={value}" for key, value in row.items()), flush=True)
    report = ROOT / "eval" / "reports" / "bench_recall.json"
    report.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
