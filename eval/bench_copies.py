"""A large index from a smaller one's stored vectors: the query side at a size that 2
cores cannot encode in one sitting (1M chunks: about 4.5 hours of e5 at 61 chunks/s).

    python eval/bench_copies.py --from DIR --to BIG [--copies 10]

BIG starts as a copy of DIR (models excepted); then every article of DIR is added
``copies - 1`` more times under new ids (``<id>~r<n>``), with its chunks' text, tokens,
sentence vectors and dense vectors as stored (the dense ones jittered: ``--jitter``):
nothing is encoded. Writes go as the
indexer's do, vectors first and the catalog commit after, one batch of articles at a
time, so a killed run resumes where its last commit stopped. Then the BM25 main segment
is rebuilt over everything. Prints the time and disk of each step; the questions are then
asked with ``qa bench --data-dir BIG`` and ``eval/bench_recall_copies.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.evaluation.bench import index_dir  # noqa: E402

BATCH = 100  # source articles per commit


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--from", dest="source", type=index_dir, required=True)
    ap.add_argument("--to", dest="target", type=Path, required=True)
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument(
        "--jitter",
        type=float,
        default=0.013,
        help="Gaussian noise per dimension added to a copy's dense vectors (renormalised): "
        "exact duplicates tie in the HNSW graph, which no real archive does. 0.013 keeps "
        "a copy at cosine 0.97 to its original in e5's 384 dimensions: about as close as "
        "a chunk's nearest other chunk (median 0.96, 90th percentile 0.98, among the "
        "distractor index's 18.9k Chinese chunks).",
    )
    args = ap.parse_args()

    from qa.config import get_settings
    from qa.evaluation.bench import peak_rss_mb
    from qa.evaluation.questions import in_dir
    from qa.store.catalog import StoredChunk
    from qa.store.lexical import LexicalIndex
    from qa.store.stores import Stores

    if not args.target.exists():
        t = time.perf_counter()
        shutil.copytree(args.source, args.target,
                        ignore=shutil.ignore_patterns("models", "writer.lock"))  # fmt: skip
        print(f"copied {args.source} in {time.perf_counter() - t:.0f} s", flush=True)
    settings = in_dir(get_settings(), args.target).model_copy(
        update={"model_cache_dir": args.source / "models"}
    )
    with Stores(settings) as index:
        catalog, store = index.catalog, index.store
        reader = index.reader.name
        originals = [a for a in catalog.article_ids() if "~r" not in a]
        started, added = time.perf_counter(), 0
        rng = np.random.default_rng(0)
        for n in range(1, args.copies):
            suffix = f"~r{n}"
            done = catalog.article(originals[-1] + suffix) is not None
            for i in range(0, len(originals), BATCH):
                batch = originals[i : i + BATCH]
                if done or catalog.article(batch[-1] + suffix) is not None:
                    continue  # committed by an earlier run
                ids = sorted(catalog.chunk_ids_of(batch))
                stored = catalog.chunks(ids)
                blobs = catalog.sentence_vectors(ids, reader)
                new_id = {cid: cid + suffix for cid in ids}
                for e in index.embedders:
                    for lang in e.langs:
                        mine = [c for c in ids if stored[c].chunk.lang == lang]
                        if not mine:
                            continue
                        collection = store.collections[e.name, lang]
                        got = collection.get(ids=mine, include=["embeddings"])
                        if got["ids"]:
                            v = np.asarray(got["embeddings"], dtype=np.float32)
                            v = v + rng.normal(0, args.jitter, v.shape).astype(np.float32)
                            v /= np.linalg.norm(v, axis=1, keepdims=True)
                            store.upsert(e.name, lang, [new_id[c] for c in got["ids"]], v)
                articles = [
                    dataclasses.replace(a, id=a.id + suffix)
                    for aid in batch
                    if (a := catalog.article(aid)) is not None
                ]
                chunks = [
                    StoredChunk(
                        dataclasses.replace(
                            s.chunk,
                            id=new_id[s.chunk.id],
                            article_id=s.chunk.article_id + suffix,
                            aligned_id=new_id.get(s.chunk.aligned_id or ""),
                        ),
                        s.date,
                        s.tokens,
                    )
                    for s in stored.values()
                ]
                sentences = {new_id[c]: b for c, b in blobs.items()}
                catalog.commit(articles, chunks, sentences=sentences, reader=reader)
                added += len(chunks)
                rate = added / (time.perf_counter() - started)
                print(f"copy {n}: {i + len(batch)}/{len(originals)} articles, "
                      f"{added:,} chunks added, {rate:.0f} chunks/s", flush=True)  # fmt: skip
        print(f"vectors and catalog: {time.perf_counter() - started:.0f} s", flush=True)
        t = time.perf_counter()
        LexicalIndex.merged(catalog, index.lexical_dir)
        print(f"BM25 main segment: {time.perf_counter() - t:.0f} s", flush=True)
        counts = catalog.counts()["chunks"]
    parts = {p.name: disk_mb(p) if p.is_dir() else p.stat().st_size / 2**20
             for p in args.target.iterdir()}  # fmt: skip
    print(f"chunks {counts}; disk {disk_mb(args.target):,.0f} MB: "
          + ", ".join(f"{k} {v:,.0f}" for k, v in sorted(parts.items()))
          + f"; peak RSS {peak_rss_mb():,.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
