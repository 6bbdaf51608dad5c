"""Serving under load: one or more `qa serve` processes, and what they cost in CPU.

    python eval/bench_serving.py --data-dir DIR [--servers 2] [--clients 16] [--seconds 30]

Each server gets its own copy of DIR (models excepted; one writer holds a data dir, so
two servers cannot share one), the clients ask them in turn (client n asks server n mod
their number) with `qa bench`'s load and questions, and each server's CPU time over the
load is read from /proc: CPU per ask and cores busy tell a CPU-bound server from one that
waits on the interpreter lock. Prints one JSON line and appends it to
``eval/reports/bench_serving.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.evaluation.bench import index_dir  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=index_dir, required=True, help="An index (QA_DATA_DIR).")
    ap.add_argument("--servers", type=int, default=1)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench_serving.json")
    args = ap.parse_args()

    from qa.config import get_settings
    from qa.evaluation import bench
    from qa.evaluation.questions import in_dir
    from qa.store.stores import Stores

    settings = in_dir(get_settings(), args.data_dir)
    with Stores(settings) as index:
        queries = bench.sample_queries(index, args.queries)
        chunks = sum(index.catalog.counts()["chunks"].values())
    env = {"QA_MODEL_CACHE_DIR": str(settings.models_dir)}
    with tempfile.TemporaryDirectory(prefix="qa-bench-serving-") as tmp:
        dirs = [args.data_dir]
        for n in range(1, args.servers):
            copy = Path(tmp) / f"copy{n}"
            shutil.copytree(args.data_dir, copy,
                            ignore=shutil.ignore_patterns("models", "writer.lock"))  # fmt: skip
            dirs.append(copy)
        procs, bases = [], []
        try:
            for d in dirs:
                port = bench.free_port()
                procs.append(bench.start_server(d, port, env))
                bases.append(f"http://127.0.0.1:{port}")
            for proc, base in zip(procs, bases, strict=True):
                bench.wait_ready(base, proc)
            asyncio.run(bench.load(bases, queries, args.clients, min(5.0, args.seconds)))
            before = [cpu_seconds(p.pid) for p in procs]
            started = time.perf_counter()
            result = asyncio.run(bench.load(bases, queries, args.clients, args.seconds))
            wall = time.perf_counter() - started
            used = [cpu_seconds(p.pid) - b for p, b in zip(procs, before, strict=True)]
            rss = [peak_rss_mb(p.pid) for p in procs]
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=30)
    asks = result["rps"] * wall
    record = {
        "chunks": chunks,
        "servers": args.servers,
        **{k: v for k, v in result.items() if k != "first_errors"},
        "server_cpu_ms_per_ask": round(1000 * sum(used) / max(1.0, asks), 1),
        "server_cores_busy": [round(u / wall, 2) for u in used],
        "server_peak_rss_mb": rss,
    }
    print(json.dumps(record))
    old = json.loads(args.out.read_text()) if args.out.exists() else []
    args.out.write_text(json.dumps([*old, record], indent=2) + "\n")


if __name__ == "__main__":
    main()
