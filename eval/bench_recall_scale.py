"""HNSW recall at a collection larger than the distractor index's, from real text.

    python eval/bench_recall_scale.py --index-dir DIST [--chars 60] [--ef 400,800] [--k 50]

DIST is the distractor index (``qa eval --distractors pd1998+sotu --index-dir DIST``).
Its Chinese collection holds People's Daily January 1998 cut into chunks of up to
``QA_CHUNK_MAX_CHARS_ZH`` (400) characters. The same text cut at ``--chars`` (60) gives
other chunks; those the index does not already hold (a short paragraph is one chunk at
either size) are distinct real text, not copies, which would tie in the graph. They are
encoded by e5 once (cached as ``DIST/../recall-scale-<chars>.npy``), and together with
DIST's vectors they go into a fresh Chroma collection configured as the store
configures its own (cosine, ``ef_search``). For every evaluation question, the ``k``
nearest by exact cosine are compared with HNSW's answer, per ``ef_search``. Each value
runs in a fresh process, since Chroma reads ef_search when it loads a
collection's index. Writes ``eval/reports/bench_recall_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from bench_recall import QUESTION_FILES, stored_vectors  # noqa: E402


def extra_vectors(dist: Path, chars: int) -> np.ndarray:
    """e5 vectors of People's Daily 1998 cut into chunks of up to ``chars`` characters."""
    cache = dist.parent / f"recall-scale-{chars}.npy"
    if cache.exists():
        return np.load(cache)
    from qa.config import Settings
    from qa.evaluation.corpora import peoples_daily_1998
    from qa.ingest.chunking import chunk_article
    from qa.store.embedders import load_embedders

    settings = Settings(chunk_max_chars_zh=chars, embedders=["e5"])
    articles = list(peoples_daily_1998())
    indexed = {c.text for a in articles for c in chunk_article(a, Settings()) if c.lang == "zh"}
    # a short paragraph is one chunk at either size: only text the index lacks, once
    cut = (c.text for a in articles for c in chunk_article(a, settings) if c.lang == "zh")
    texts = sorted(set(cut) - indexed)
    (e5,) = load_embedders(settings)
    started = time.perf_counter()
    vectors = e5.encode(texts)
    print(f"encoded {len(texts)} chunks in {time.perf_counter() - started:.0f} s", flush=True)
    np.save(cache, vectors)
    return vectors


def measure(dist: Path, chars: int, k: int, ef: int) -> dict[str, float]:
    import chromadb

    from qa.config import get_settings
    from qa.ingest.indexer import Index
    from qa.store.embedders import load_embedders

    s = get_settings().model_copy(update={"data_dir": dist})
    with Index(s) as index:
        _, base = stored_vectors(index.store.collections["e5", "zh"])
    vectors = np.concatenate([base, extra_vectors(dist, chars)])
    (e5,) = load_embedders(s.model_copy(update={"embedders": ["e5"]}))
    questions = [json.loads(line)["question"] for f in QUESTION_FILES
                 for line in f.open(encoding="utf-8")]  # fmt: skip
    queries = np.stack([e5.encode_query(q) for q in questions])
    with tempfile.TemporaryDirectory() as tmp:
        client = chromadb.PersistentClient(
            tmp, settings=chromadb.Settings(anonymized_telemetry=False)
        )
        col = client.create_collection(
            "scale", configuration={"hnsw": {"space": "cosine", "ef_search": ef}}
        )
        ids = [str(i) for i in range(len(vectors))]
        for i in range(0, len(ids), 5000):
            col.add(ids=ids[i : i + 5000], embeddings=vectors[i : i + 5000])
        exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :k]
        recall, started = [], time.perf_counter()
        for q, best in zip(queries, exact, strict=True):
            got = col.query(query_embeddings=[q], n_results=k, include=[])["ids"][0]
            recall.append(len(set(got) & {ids[j] for j in best}) / k)
        ms = 1000 * (time.perf_counter() - started) / len(queries)
    return {"collection": "e5-zh", "chunks": len(vectors), "ef_search": ef,
            f"recall@{k}": round(float(np.mean(recall)), 3),
            "min_recall": round(float(np.min(recall)), 3),
            "ms_per_query": round(ms, 2)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--chars", type=int, default=60, help="chunk size of the added text")
    ap.add_argument("--ef", default="400,800", help="ef_search values, comma-separated")
    ap.add_argument("--k", type=int, default=50, help="neighbours compared (a leg's depth)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(measure(a.index_dir, a.chars, a.k, a.child)))
        return
    if not (a.index_dir / "catalog.sqlite").exists():
        sys.exit(f"{a.index_dir}: no index there (qa eval --distractors … --index-dir DIR)")
    extra_vectors(a.index_dir, a.chars)  # once, before the children
    rows = []
    for ef in [int(x) for x in a.ef.split(",")]:
        child = [sys.executable, __file__, "--index-dir", str(a.index_dir), "--chars",
                 str(a.chars), "--k", str(a.k), "--child", str(ef)]  # fmt: skip
        done = subprocess.run(child, env=dict(os.environ), capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"ef_search {ef}: {done.stderr[-2000:]}")
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(" ".join(f"{key}={value}" for key, value in row.items()), flush=True)
    report = ROOT / "eval" / "reports" / "bench_recall_scale.json"
    report.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
