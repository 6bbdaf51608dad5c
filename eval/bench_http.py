"""Load test of the HTTP API on loopback: ``qa serve`` in its own process, N concurrent
clients posting ``/ask`` for a fixed time.

    python eval/bench_http.py                       # seeds, 16 clients, 60 s
    python eval/bench_http.py --data-dir ~/.cache/qa-bench/ask-index-40 --seconds 30

Questions cycle through ``eval/questions.jsonl``. Prints throughput, p50/p95/p99 latency
and errors, and writes them to ``eval/reports/bench_http.json`` (keyed by corpus). The
clients run in this process on the same 2 cores as the server, so the figures are a
lower bound of what the server alone can do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, help="An existing index. Default: seeds, fresh.")
    parser.add_argument(
        "--models",
        type=Path,
        default=Path.home() / ".cache" / "qa-bench" / "models",
        help="Where exported ONNX models are cached (QA_MODEL_CACHE_DIR).",
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5, help="Seconds of load not counted.")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench_http.json")
    args = parser.parse_args()

    from qa.evaluation.bench import free_port, load, start_server, wait_ready

    questions = [json.loads(x)["question"] for x in (ROOT / "eval" / "questions.jsonl").open()]
    with tempfile.TemporaryDirectory(prefix="qa-bench-http-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {"QA_MODEL_CACHE_DIR": str(args.models),
               "QA_INDEX_ON_START": json.dumps([str(ROOT / "seeds")])}  # fmt: skip
        proc = start_server(data_dir, port, env)
        try:
            health = wait_ready(base, proc)
            asyncio.run(load(base, questions, args.clients, args.warmup))
            result = asyncio.run(load(base, questions, args.clients, args.seconds))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    result["chunks"] = health["chunks"]
    name = "seeds" if args.data_dir is None else data_dir.name
    print(json.dumps({name: result}, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(args.out.read_text()) if args.out.exists() else {}
    args.out.write_text(json.dumps({**old, name: result}, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
