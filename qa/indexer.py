"""Incremental, idempotent, crash-safe indexing of article files.

Order of writes for each batch of changed articles:

1. embed the new chunks and upsert them into every Chroma collection (new ids: a chunk
   id covers the article's content hash, so committed chunks are never overwritten);
2. commit the catalog in one SQLite transaction (the commit point);
3. delete the replaced chunks' vectors.

At the end the lexical index is rebuilt from the catalog and saved atomically. A run
killed anywhere leaves the catalog at its last commit; vectors written after it are
orphans, which the next run deletes first (``recover``) before doing the rest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qa.articles import Article, ArticleError, parse_file, parse_jsonl
from qa.catalog import Catalog, StoredChunk, date_int
from qa.chunking import Chunk, chunk_article
from qa.config import Settings
from qa.embedders import ONNX_EXPORT, Embedder, load_embedders
from qa.lexical import LexicalIndex, tokenize
from qa.store import VectorStore

log = logging.getLogger(__name__)
SUFFIXES = (".txt", ".jsonl")
# 2: lexical tokens see numbers in one spelling (qa.numbers); stored tokens must be redone.
PIPELINE_VERSION = 2
STALE_WARNING = (
    "the index was built with other settings (embedders, ONNX export, chunking, titles or "
    "an earlier pipeline version): "
    "answers use it as it is until `qa index` re-embeds it"
)
SOURCE_API = "api"  # the source of articles given directly (HTTP), not read from a file


class WriterBusy(RuntimeError):
    """Another process writes to this data dir (``qa serve`` or ``qa index``)."""


@contextmanager
def exclusive_writer(data_dir: Path, who: str) -> Iterator[None]:
    """Hold the data dir's writer lock while the block runs. A running ``qa serve`` holds
    it for its lifetime, so a ``qa index`` beside it (which would change the embedded
    store under the server's feet) stops with an error naming the server instead. The
    lock is the kernel's (``flock``): a killed holder releases it."""
    import fcntl

    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "writer.lock", "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            raise WriterBusy(
                f"{holder} is writing to {data_dir}; stop it first, or add articles "
                "through the running server (POST /articles)"
            ) from None
        f.truncate(0)
        f.write(f"{who} (pid {os.getpid()})")
        f.flush()
        try:
            yield
        finally:
            f.truncate(0)
            fcntl.flock(f, fcntl.LOCK_UN)


class StoreClaimedError(RuntimeError):
    """The vector store holds vectors this catalog did not write."""


@dataclass
class IndexReport:
    articles_added: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    orphans_removed: int = 0
    # --prune left alone: stored by an older version with a relative path (see index_paths)
    prune_skipped: int = 0
    # the index had been built with other settings, so every article was re-embedded
    settings_changed: bool = False
    failed: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def fingerprint(settings: Settings, embedders: list[str]) -> str:
    """What chunk ids and vectors depend on; when it changes, everything is re-indexed.
    ``embedders``: the specs of those loaded (e5 is left out on a CPU without AVX2)."""
    key = {
        "version": PIPELINE_VERSION,
        "embedders": embedders,
        "st_backend": settings.st_backend,
        **({"onnx_export": ONNX_EXPORT} if settings.st_backend == "onnx-int8" else {}),
        "embed_title": settings.embed_title,
        "chunk_max_chars": [settings.chunk_max_chars_en, settings.chunk_max_chars_zh],
    }
    return hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]


def check_limits(article: Article, settings: Settings) -> None:
    """Refuse an article whose size alone would take the writer for a long time (every
    write holds the write lock): ``ArticleError`` names the limit and the setting."""
    for lang, part in article.parts.items():
        if len(part.paragraphs) > settings.max_paragraphs:
            raise ArticleError(
                article.source or article.id,
                f"{len(part.paragraphs)} {lang} paragraphs; the limit is "
                f"{settings.max_paragraphs} (QA_MAX_PARAGRAPHS)",
            )
    chars = sum(len(p.text) for part in article.parts.values() for p in part.paragraphs)
    if chars > settings.max_article_chars:
        raise ArticleError(
            article.source or article.id,
            f"{chars} characters of text; the limit is {settings.max_article_chars} "
            "(QA_MAX_ARTICLE_CHARS)",
        )


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[ArticleError]]:
    """Article files under ``paths`` (folders are searched recursively), sorted, as
    absolute resolved paths: a file's identity (its article's ``source``) must not depend
    on the folder ``qa index`` runs from, or ``--prune`` run elsewhere would take every
    article for gone."""
    files: set[Path] = set()
    errors = []
    for p in (Path(x).resolve() for x in paths):
        if p.is_dir():
            files.update(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        elif p.is_file():
            files.add(p)
        else:
            errors.append(ArticleError(str(p), "no such file or folder"))
    return sorted(files), errors


def read_articles(files: list[Path], settings: Settings) -> Iterator[Article | ArticleError]:
    for f in files:
        if f.suffix.lower() == ".jsonl":
            try:
                yield from parse_jsonl(f, settings.max_file_bytes)
            except ArticleError as exc:
                yield exc
        else:
            try:
                yield parse_file(f, settings.max_file_bytes)
            except ArticleError as exc:
                yield exc
            except OSError as exc:
                yield ArticleError(str(f), f"cannot read: {exc}")


class Index:
    """The opened index: catalog, vector store and embedders, for indexing and search."""

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
        # One rebuild at a time when the catalog moved on (API threads read concurrently).
        self._lexical_lock = threading.Lock()
        self._claim_store()

    @property
    def lexical_dir(self) -> Path:
        return self.settings.data_dir / "lexical"

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index for reading. Once one is loaded, a question never waits for a
        rebuild (seconds on a large archive): while the catalog has moved on, readers keep
        the last index built and a rebuild runs in the background. Passages are read
        back from the catalog, so a hit on a chunk a write removed is dropped, and every
        citation is checked against the article (``qa.answer``). Writers rebuild before
        they return (``refresh_lexical``)."""
        current = self._lexical
        if current is None:
            return self.refresh_lexical()
        if current.generation != self.catalog.generation and not self._lexical_lock.locked():
            threading.Thread(target=self.refresh_lexical, daemon=True).start()
        return current

    def refresh_lexical(self) -> LexicalIndex:
        """Rebuild the BM25 index if the catalog moved on; wait for one under way."""
        with self._lexical_lock:
            if self._lexical is None or self._lexical.generation != self.catalog.generation:
                self._lexical = LexicalIndex.load(self.catalog, self.lexical_dir)
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

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stale(self) -> bool:
        """Whether the catalog was built with another fingerprint (re-index everything)."""
        return self.catalog.get_meta("fingerprint") not in ("", self.fingerprint)

    # --- recovery ------------------------------------------------------------------------
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

    def recover(self) -> int:
        """Delete vectors that no commit refers to (left by a killed run); make sure every
        committed chunk has a vector in every collection. Returns orphans removed."""
        committed = self.catalog.chunk_langs()
        removed = 0
        for e in self.embedders:
            present = self.store.ids(e.name)
            orphans = present - committed.keys()
            if orphans:
                self.store.delete(sorted(orphans))
                removed += len(orphans)
            missing = {i for i, lang in committed.items() if lang in e.langs} - present
            if missing:  # e.g. a collection deleted by hand: re-embed what it lacks
                self._embed(e, list(self.catalog.chunks(missing).values()), {})
        self.store.drop_legacy()
        return removed

    # --- indexing ------------------------------------------------------------------------
    def _embed_text(self, stored: StoredChunk, titles: dict[tuple[str, str], str]) -> str:
        title = titles.get((stored.chunk.article_id, stored.chunk.lang), "")
        if self.settings.embed_title and title:
            return f"{title}\n{stored.chunk.text}"
        return stored.chunk.text

    def _embed(
        self,
        embedder: Embedder,
        stored: list[StoredChunk],
        titles: dict[tuple[str, str], str],
        progress: Callable[[int], None] | None = None,
    ) -> None:
        mine = [s for s in stored if s.chunk.lang in embedder.langs]
        if not mine:
            return
        if not titles:  # recovery path: titles from the catalog
            for aid in {s.chunk.article_id for s in mine}:
                art = self.catalog.article(aid)
                if art:
                    titles.update({(aid, lang): p.title for lang, p in art.parts.items()})
        vectors = embedder.encode([self._embed_text(s, titles) for s in mine], progress)
        self.store.upsert(
            embedder.name,
            [s.chunk.id for s in mine],
            vectors,
            [s.chunk.text for s in mine],
            [chunk_metadata(s.chunk, s.date) for s in mine],
        )

    def _commit_batch(
        self,
        batch: list[tuple[Article, list[Chunk]]],
        report: IndexReport,
        progress: Callable[[int], None] | None,
    ) -> None:
        stored: list[StoredChunk] = []
        titles: dict[tuple[str, str], str] = {}
        for art, chunks in batch:
            titles.update({(art.id, lang): part.title for lang, part in art.parts.items()})
            day = date_int(art.date)
            stored += [StoredChunk(c, day, tokenize(c.text, c.lang)) for c in chunks]
        for e in self.embedders:
            self._embed(e, stored, titles, progress)
        gone = self.catalog.commit(
            [a for a, _ in batch], stored, meta={"fingerprint": self.fingerprint}
        )
        self.store.delete(sorted(gone))
        report.chunks_added += len(stored)
        report.chunks_removed += len(gone)

    def index_paths(
        self,
        paths: Iterable[Path],
        prune: bool = False,
        progress: bool = True,
    ) -> IndexReport:
        from tqdm import tqdm

        started = time.perf_counter()
        report = IndexReport()
        report.orphans_removed = self.recover()
        stale = report.settings_changed = self.stale()
        known = self.catalog.article_index()

        files, errors = discover(paths)
        report.failed += [{"where": e.where, "reason": e.reason} for e in errors]
        todo: list[Article] = []
        seen: dict[str, str] = {}
        moved: dict[str, str] = {}  # article id -> its file's absolute path
        scanned_sources = {str(f) for f in files}
        for item in tqdm(read_articles(files, self.settings), total=len(files), unit="file",
                         desc="reading", disable=not progress, leave=False):  # fmt: skip
            if isinstance(item, ArticleError):
                report.failed.append({"where": item.where, "reason": item.reason})
                continue
            try:
                check_limits(item, self.settings)
            except ArticleError as exc:
                report.failed.append({"where": exc.where, "reason": exc.reason})
                continue
            if item.id in seen:
                report.failed.append(
                    {
                        "where": item.where or item.source,
                        "reason": f"duplicate article id {item.id!r} (also in {seen[item.id]})",
                    }
                )
                continue
            seen[item.id] = item.where or item.source
            old = known.get(item.id)
            if old and old[0] != SOURCE_API and not Path(old[0]).is_absolute():
                # Stored relative by an older version. The same file, or one we cannot
                # find from here: migrate it to this file's absolute path.
                here = str(Path(old[0]).resolve())
                if here == item.source or not Path(here).exists() or here in scanned_sources:
                    moved[item.id] = item.source
                    old = (item.source, old[1])
                else:
                    old = (here, old[1])  # another file: judged as a conflict below
            if (
                old
                and old[0] != item.source
                and Path(old[0]).exists()
                and old[0] not in scanned_sources
            ):
                report.failed.append(
                    {
                        "where": item.source,
                        "reason": f"article id {item.id!r} is already indexed from {old[0]}",
                    }
                )
                continue
            if _needs_indexing(item, old, stale, report):
                todo.append(item)

        removed = []
        if prune:
            for aid, (source, _) in known.items():
                if source == SOURCE_API:  # given over HTTP: no file to have gone
                    continue
                if not Path(source).is_absolute():
                    # Stored relative by an older version: relative to a folder we do not
                    # know, so its file cannot be judged gone. Indexing the file migrates it.
                    report.prune_skipped += 1
                    continue
                gone_file = not Path(source).exists()
                gone_line = (
                    source in scanned_sources and source.endswith(".jsonl") and aid not in seen
                )
                if gone_file or gone_line:
                    removed.append(aid)
        if moved:
            self.catalog.set_sources(moved)
        self._apply(todo, removed, report, progress)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def add_articles(self, articles: list[Article], progress: bool = False) -> IndexReport:
        """Index articles given directly (``POST /articles``): new ones are added, changed
        ones replace their old chunks, identical ones are left alone."""
        started = time.perf_counter()
        report = IndexReport()
        for a in articles:
            check_limits(a, self.settings)  # before any work: nothing is half-written
        known = self.catalog.article_index()
        stale = report.settings_changed = self.stale()
        todo = [a for a in articles if _needs_indexing(a, known.get(a.id), stale, report)]
        self._apply(todo, [], report, progress)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def remove_articles(self, ids: list[str]) -> IndexReport:
        """Remove articles (and their vectors); ids not indexed are ignored."""
        started = time.perf_counter()
        report = IndexReport()
        known = self.catalog.article_index()
        self._apply([], [i for i in ids if i in known], report, progress=False)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _apply(
        self, todo: list[Article], removed: list[str], report: IndexReport, progress: bool
    ) -> None:
        """Embed and commit ``todo`` in batches, then remove ``removed``; rebuild the
        lexical index once at the end."""
        from tqdm import tqdm

        work = [(a, chunk_article(a, self.settings, self.fingerprint)) for a in todo]
        total = sum(1 for e in self.embedders for _, cs in work for c in cs if c.lang in e.langs)
        bar = tqdm(total=total, unit="vec", desc="embedding", disable=not progress or not total)
        batch: list[tuple[Article, list[Chunk]]] = []
        for item in work:
            batch.append(item)
            if sum(len(cs) for _, cs in batch) >= self.settings.commit_every_chunks:
                self._commit_batch(batch, report, bar.update)
                batch = []
        if batch:
            self._commit_batch(batch, report, bar.update)
        bar.close()
        if removed:
            # Vectors first: if the store fails (Chroma down) nothing is committed and the
            # articles are still fully there, so the caller can retry. If the catalog
            # commit fails after, the articles lack vectors, which recover() re-embeds.
            self.store.delete(sorted(self.catalog.chunk_ids_of(removed)))
            gone = self.catalog.commit([], [], remove=removed)
            report.articles_removed = len(removed)
            report.chunks_removed += len(gone)
        self.refresh_lexical()  # rebuild and save when the catalog moved on

    # --- stats ---------------------------------------------------------------------------
    def stats(self) -> dict:
        counts = self.catalog.counts()
        vectors = self.store.counts()
        lexical = self.lexical
        return {
            **counts,
            "embedders": [e.spec for e in self.embedders],
            "vectors": vectors,
            "lexical": {lang: lexical.size(lang) for lang in lexical.langs},
            "chroma": self.store.mode,
            "data_dir": str(self.settings.data_dir),
            "generation": self.catalog.generation,
            "stale": self.stale(),
            "drift": drift(counts["chunks"], vectors),
        }


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


def _needs_indexing(
    article: Article, old: tuple[str, str] | None, stale: bool, report: IndexReport
) -> bool:
    """Whether ``article`` must be (re-)indexed, given its catalog entry ``old`` (source,
    content hash); counts it in ``report`` as added, updated or unchanged."""
    if old and old[1] == article.content_hash and not stale:
        report.articles_unchanged += 1
        return False
    if old:
        report.articles_updated += 1
    else:
        report.articles_added += 1
    return True


def chunk_metadata(chunk: Chunk, date: int) -> dict:
    """What Chroma stores beside each vector: enough to filter, and to find the chunk."""
    return {
        "article_id": chunk.article_id,
        "lang": chunk.lang,
        "date": date,
        "paragraph": chunk.paragraph,
        "pair": chunk.pair,
    }
