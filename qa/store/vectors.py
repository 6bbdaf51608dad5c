"""Chroma collections: one per (embedder, language), cosine space, our own vectors only.

Embedded (``PersistentClient`` under ``data_dir/chroma``) by default; a Chroma server when
``QA_CHROMA_URL`` is set. Chroma's default embedding function would download a model, so
every collection is opened with ``embedding_function=None`` and given vectors directly.

Why a collection per language: a ``where`` filter makes Chroma scan its metadata in
SQLite before the HNSW search. On 20k chunks a query took 1.4 ms unfiltered but 67 ms
with ``{"lang": "zh"}``; splitting by language removes that filter from every question.
Other filters (dates, articles) pass the matching ids instead of a ``where`` (5.6 ms for
5,000 ids vs 71 ms for a date ``where``).

So a collection holds ids and vectors only. Indexes written before this also kept each
chunk's text and some metadata beside its vector; nothing reads them, and the vectors and
ids are the same, so such an index is not reported stale (re-embedding an archive with e5
takes hours: 35,741 chunks took 48 minutes here). Its chunks lose the extra fields as
they are rewritten.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from qa.config import Settings  # noqa: E402
from qa.store.embedders import Embedder  # noqa: E402

# Chroma caps how many records one call may carry; stay well below it.
_WRITE_BATCH = 2000

_T = TypeVar("_T")


class StoreUnavailable(RuntimeError):
    """The Chroma server did not answer (down, unreachable, or frozen past the timeout).
    Nothing was committed by the call that raised it; the API answers 503."""

    where = "chroma"


def _unavailable(url: str, exc: Exception) -> StoreUnavailable:
    return StoreUnavailable(f"the Chroma server {url} did not answer: {exc}")


def _reachable(method: Callable[..., _T]) -> Callable[..., _T]:
    """Turn the HTTP client's transport errors (refused, reset, timed out) into
    ``StoreUnavailable`` naming the server, instead of a stack trace."""

    @functools.wraps(method)
    def call(self: VectorStore, *args: Any, **kwargs: Any) -> _T:
        import httpx

        try:
            return method(self, *args, **kwargs)
        except httpx.TransportError as exc:
            raise _unavailable(self.url, exc) from exc

    return call


def _set_timeout(client: Any, seconds: float) -> None:
    """chromadb's HTTP client is built with ``timeout=None``: a frozen server would hang
    every request that touches vectors, forever. Its httpx session is not exposed, so this
    reaches for it; if a chromadb release moves it, requests simply keep no timeout."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds)


def connect(settings: Settings) -> tuple[Any, str]:
    """A Chroma client and its mode: ``http`` for ``QA_CHROMA_URL``, else ``embedded``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(
                f"QA_CHROMA_URL must look like http://host:port, got {settings.chroma_url!r}"
            )
        https = url.scheme == "https"
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if https else 80),
                ssl=https,
                settings=chroma_settings,
            )
        except ValueError as exc:  # chromadb's own "Could not connect to a Chroma server"
            raise _unavailable(settings.chroma_url, exc) from exc
        _set_timeout(client, settings.chroma_timeout_seconds)
        return client, "http"
    path = settings.data_dir / "chroma"
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings), "embedded"


def _when_unlocked(write: Callable[[], _T], tries: int = 6) -> _T:
    """``write``, tried again while embedded Chroma's SQLite file is locked by a write of
    its own still settling (a collection reopened in the same process right after another
    client on the same path wrote to it: "database is locked", seen once in CI under load
    when ef_search changed); any other error, or the last try's, is raised."""
    for attempt in range(1, tries + 1):
        try:
            return write()
        except Exception as exc:  # chromadb.errors.InternalError, not importable lazily here
            if attempt == tries or "database is locked" not in str(exc):
                raise
            time.sleep(0.1 * 2**attempt)
    raise AssertionError("unreachable")


class VectorStore:
    def __init__(self, settings: Settings, embedders: Sequence[Embedder]):
        self.url = settings.chroma_url or str(settings.data_dir / "chroma")
        self._open(settings, embedders)

    @_reachable
    def _open(self, settings: Settings, embedders: Sequence[Embedder]) -> None:
        self.client, self.mode = connect(settings)
        prefix = settings.collection_prefix
        ef = settings.hnsw_ef_search
        self.collections: dict[tuple[str, str], Any] = {}
        for e in embedders:
            for lang in e.langs:
                col = self.client.get_or_create_collection(
                    f"{prefix}-{e.name}-{lang}",
                    configuration={"hnsw": {"space": "cosine", "ef_search": ef}},
                    metadata={"embedder": e.spec, "lang": lang},
                    embedding_function=None,
                )
                # ef_search is the one HNSW setting a collection may change once created
                if (col.configuration.get("hnsw") or {}).get("ef_search") != ef:
                    hnsw = {"hnsw": {"ef_search": ef}}
                    _when_unlocked(functools.partial(col.modify, configuration=hnsw))
                    col = self.client.get_collection(col.name, embedding_function=None)
                self.collections[e.name, lang] = col

    @_reachable
    def upsert(self, embedder: str, lang: str, ids: list[str], vectors: np.ndarray) -> None:
        """Write the vectors of ``lang`` chunks. Only ids and vectors: the catalog holds the
        text and everything a filter needs (filters pass ids), so nothing else is stored."""
        col = self.collections.get((embedder, lang))
        if col is None:
            raise ValueError(f"embedder {embedder!r} has no collection for {lang!r}")
        for a in range(0, len(ids), _WRITE_BATCH):
            col.upsert(ids=ids[a : a + _WRITE_BATCH], embeddings=vectors[a : a + _WRITE_BATCH])

    @_reachable
    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for col in self.collections.values():
            for i in range(0, len(ids), _WRITE_BATCH):
                col.delete(ids=ids[i : i + _WRITE_BATCH])

    @_reachable
    def ids(self, embedder: str) -> set[str]:
        out: set[str] = set()
        for (name, _), col in self.collections.items():
            if name != embedder:
                continue
            offset = 0
            while True:
                page = col.get(include=[], limit=10_000, offset=offset)["ids"]
                out.update(page)
                if len(page) < 10_000:
                    break
                offset += len(page)
        return out

    @_reachable
    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (name, lang), col in self.collections.items():
            out.setdefault(name, {})[lang] = col.count()
        return out

    @_reachable
    def query(
        self,
        embedder: str,
        lang: str,
        vector: np.ndarray,
        k: int,
        ids: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest chunk ids in one language with cosine similarity
        (1 - cosine distance); only among ``ids`` when given."""
        if ids is not None and not ids:
            return []
        res = self.collections[embedder, lang].query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k,
            ids=list(ids) if ids is not None else None,
            include=["distances"],
        )
        hits, distances = res["ids"][0], res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(hits, distances, strict=True)]
