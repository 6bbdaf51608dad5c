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
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, env: dict[str, str]) -> subprocess.Popen:
    """``qa serve`` indexing the seeds on start (a no-op when already indexed)."""
    env = {
        **os.environ,
        **env,
        "QA_DATA_DIR": str(data_dir),
        "QA_INDEX_ON_START": json.dumps([str(ROOT / "seeds")]),
    }
    exe = Path(sys.executable).parent / "qa"
    return subprocess.Popen(
        [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"qa serve exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            r = httpx.get(f"{base}/health", timeout=2)
            if r.status_code == 200 and r.json()["ready"]:
                return r.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError("qa serve did not become ready")


async def load(base: str, questions: list[str], clients: int, seconds: float) -> dict:
    from qa.evaluation import percentile

    latencies: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    async def client(n: int, http: httpx.AsyncClient) -> None:
        i = n
        while time.perf_counter() < stop:
            q = questions[i % len(questions)]
            i += clients
            t = time.perf_counter()
            try:
                r = await http.post("/ask", json={"question": q})
                if r.status_code != 200:
                    errors.append(f"{r.status_code}: {r.text[:200]}")
            except httpx.HTTPError as exc:
                errors.append(repr(exc))
            latencies.append(1000 * (time.perf_counter() - t))

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(n, http) for n in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "errors": len(errors),
        "first_errors": errors[:5],
    }


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

    questions = [json.loads(x)["question"] for x in (ROOT / "eval" / "questions.jsonl").open()]
    with tempfile.TemporaryDirectory(prefix="qa-bench-http-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(data_dir, port, {"QA_MODEL_CACHE_DIR": str(args.models)})
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
