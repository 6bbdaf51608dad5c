"""Where an ask's time goes, phase by phase, on an index you have.

    python eval/profile_ask.py --data-dir DIR [--passes 2]

Asks every question of ``eval/questions.jsonl`` and ``eval/questions_archive.jsonl`` in
turn (the first pass cold, the next ones warm: sentences cached) in one process, and
times each phase by wrapping the function that does it. A phase's time is its own: a
catalog read inside the answer step counts as a catalog read, not as the answer step.
Prints mean and p50 ms per ask per phase and writes ``eval/reports/profile_ask.json``.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.evaluation.bench import index_dir  # noqa: E402

PHASES = {
    "encode question": "each embedder's encode_query",
    "ANN (Chroma)": "VectorStore.query",
    "BM25": "LexicalIndex.search and .matching",
    "tokenise + dictionary": "the question's tokens and their CC-CEDICT translations",
    "catalog: chunks": "Catalog.chunks, .chunk_keys: the legs' hits (fusion), shown rows",
    "catalog: paragraphs": "Catalog.unit_chunks: the chunks around each top passage",
    "catalog: articles": "Catalog.article: each cited article, for titles and dates",
    "catalog: sentence vectors": "Catalog.sentence_vectors, stored at index time",
    "fusion": "Retriever._fuse, less its catalog reads",
    "answer features": "Answerer.candidates: sentences, features, translations",
    "choose + abstain + cite": "the rest of Answerer.ask",
    "JSON": "AskResult.model_dump_json",
}


class Clock:
    """Exclusive time per phase: time spent in a wrapped call inside another wrapped call
    is taken off the outer one."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._stack: list[list[float]] = []  # per open call: [its children's time]

    def wrap(self, phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._stack.append([0.0])
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                total = time.perf_counter() - t
                (children,) = self._stack.pop()
                self.spent[phase] += total - children
                if self._stack:
                    self._stack[-1][0] += total

        return timed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=index_dir, required=True, help="An index (QA_DATA_DIR).")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "profile_ask.json")
    args = ap.parse_args()

    from qa.answer.answerer import Answerer
    from qa.config import get_settings
    from qa.evaluation import questions as ev
    from qa.schemas import AskResult
    from qa.search import retrieve
    from qa.store.lexical import LexicalIndex
    from qa.store.stores import Stores

    settings = ev.in_dir(get_settings(), args.data_dir)
    questions = [q.question for q in ev.both_sets(ROOT / "eval")]
    clock = Clock()
    with Stores(settings) as index:
        answerer = Answerer(index, settings)
        answerer.warm_up()
        for e in {*index.embedders, index.reader}:
            e.encode_query = clock.wrap("encode question", e.encode_query)  # type: ignore
        index.store.query = clock.wrap("ANN (Chroma)", index.store.query)  # type: ignore
        for name in ("search", "matching"):
            setattr(LexicalIndex, name, clock.wrap("BM25", getattr(LexicalIndex, name)))
        for name in ("tokenize", "translate_terms"):
            setattr(retrieve, name, clock.wrap("tokenise + dictionary", getattr(retrieve, name)))
        for name, phase in (
            ("chunks", "chunks"),
            ("chunk_keys", "chunks"),
            ("unit_chunks", "paragraphs"),
            ("article", "articles"),
            ("sentence_vectors", "sentence vectors"),
        ):
            method = getattr(index.catalog, name)
            setattr(index.catalog, name, clock.wrap(f"catalog: {phase}", method))
        r = answerer.retriever
        r._fuse = clock.wrap("fusion", r._fuse)  # type: ignore[method-assign]
        answerer.candidates = clock.wrap("answer features", answerer.candidates)  # type: ignore
        ask = clock.wrap("choose + abstain + cite", answerer.ask)
        dump = clock.wrap("JSON", AskResult.model_dump_json)

        passes = []
        for n in range(args.passes):
            per_ask: dict[str, list[float]] = defaultdict(list)
            walls = []
            for q in questions:
                before = dict(clock.spent)
                t = time.perf_counter()
                dump(ask(q))
                walls.append(time.perf_counter() - t)
                for phase in PHASES:
                    per_ask[phase].append(clock.spent[phase] - before.get(phase, 0.0))
            passes.append({
                "pass": "cold" if n == 0 else "warm",
                "asks": len(questions),
                "chunks": sum(index.catalog.counts()["chunks"].values()),
                "total": figures(walls),
                "phases": {p: figures(v) for p, v in per_ask.items()},
            })  # fmt: skip
    for p in passes:
        print(f"\n{p['pass']} pass, {p['asks']} asks, {p['chunks']:,} chunks")
        print(f"{'phase':26s} {'mean ms':>8s} {'p50 ms':>8s} {'share':>6s}")
        total = p["total"]["mean_ms"]
        for phase, f in p["phases"].items():
            share = f["mean_ms"] / total
            print(f"{phase:26s} {f['mean_ms']:8.2f} {f['p50_ms']:8.2f} {share:6.1%}")
        print(f"{'total':26s} {total:8.2f} {p['total']['p50_ms']:8.2f}")
    args.out.write_text(json.dumps({"phases": PHASES, "passes": passes}, indent=2) + "\n")
    print(f"written {args.out}")


def figures(seconds: list[float]) -> dict[str, float]:
    ms = [1000 * s for s in seconds]
    return {"mean_ms": round(statistics.fmean(ms), 2), "p50_ms": round(statistics.median(ms), 2)}


if __name__ == "__main__":
    main()
