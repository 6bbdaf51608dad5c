"""Incremental, idempotent, crash-safe indexing of article files.

Order of writes for each batch of changed articles:

1. embed the new chunks and upsert their vectors into the collection of each embedder
   that reads their language (new ids: a chunk id covers the article's content hash, so
   committed chunks are never overwritten);
2. commit the catalog in one SQLite transaction (the commit point), the reader's
   sentence vectors of the new chunks with it (``qa.store.sentences``);
3. delete the replaced chunks' vectors.

At the end the lexical index is rebuilt from the catalog and saved atomically. A run
killed anywhere leaves the catalog at its last commit; vectors written after it are
orphans, which the next run deletes first (``recover``) before doing the rest.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from qa.config import Settings
from qa.ingest.articles import ArticleError, parse_file, parse_jsonl
from qa.ingest.chunking import chunk_article
from qa.store import sentences
from qa.store.catalog import StoredChunk, date_int
from qa.store.embedders import Embedder
from qa.store.records import Article, Chunk
from qa.store.stores import Stores
from qa.text import tokenize

log = logging.getLogger(__name__)
SUFFIXES = (".txt", ".jsonl")
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


@dataclass
class IndexReport:
    articles_added: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    orphans_removed: int = 0
    # chunks committed without sentence vectors (an older index) that got them
    sentences_filled: int = 0
    # --prune left alone: stored by an older version with a relative path (see index_paths)
    prune_skipped: int = 0
    # the index had been built with other settings, so every article was re-embedded
    settings_changed: bool = False
    failed: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


class Index(Stores):
    """The opened index with its write side: index files and articles, remove them,
    recover from a killed run. Reading needs only ``qa.store.stores.Stores``."""

    # --- recovery ------------------------------------------------------------------------
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
                self._embed(e, list(self.catalog.chunks(missing).values()))
        return removed

    def fill_sentences(self, progress: bool = False) -> int:
        """Store sentence vectors for committed chunks that lack them under the reader (an
        index built before they were stored, or under another ``QA_READER``); returns how
        many chunks got them. Each batch is its own transaction: a killed run keeps what
        it stored, and the next one does the rest."""
        from tqdm import tqdm

        todo = self.catalog.chunks_without_sentences(self.reader.name, self.reader.langs)
        step = self.settings.commit_every_chunks
        with tqdm(total=len(todo), unit="chunk", desc="sentence vectors",
                  disable=not progress or not todo) as bar:  # fmt: skip
            for i in range(0, len(todo), step):
                part = [s.chunk for s in todo[i : i + step]]
                self.catalog.add_sentences(self.reader.name, sentences.encode(self.reader, part))
                bar.update(len(part))
        return len(todo)

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
        titles: dict[tuple[str, str], str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Encode the chunks ``embedder`` reads and write them to its collections.
        ``titles`` (article id, language) -> title; read from the catalog when not given
        (recovery)."""
        mine = [s for s in stored if s.chunk.lang in embedder.langs]
        if not mine:
            return
        if titles is None:
            titles = self._titles({s.chunk.article_id for s in mine})
        vectors = embedder.encode([self._embed_text(s, titles) for s in mine], progress)
        for lang in embedder.langs:
            rows = [i for i, s in enumerate(mine) if s.chunk.lang == lang]
            if rows:
                self.store.upsert(embedder.name, lang, [mine[i].chunk.id for i in rows],
                                  vectors[rows])  # fmt: skip

    def _titles(self, article_ids: set[str]) -> dict[tuple[str, str], str]:
        out = {}
        for aid in article_ids:
            art = self.catalog.article(aid)
            if art:
                out.update({(aid, lang): p.title for lang, p in art.parts.items()})
        return out

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
        vectors = sentences.encode(self.reader, [s.chunk for s in stored])
        gone = self.catalog.commit(
            [a for a, _ in batch], stored, meta={"fingerprint": self.fingerprint},
            sentences=vectors, reader=self.reader.name,
        )  # fmt: skip
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
        if not stale:  # (a stale index re-embeds everything, and its sentences with it)
            report.sentences_filled = self.fill_sentences(progress)
        known = self.catalog.article_index()

        files, errors = discover(paths)
        report.failed += [{"where": e.where, "reason": e.reason} for e in errors]
        candidates: list[tuple[Article, tuple[str, str] | None]] = []
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
            candidates.append((item, old))
        todo = _triage(candidates, stale, report)

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
        todo = _triage(((a, known.get(a.id)) for a in articles), stale, report)
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


Change = Literal["added", "updated", "unchanged"]


def change(article: Article, old: tuple[str, str] | None, stale: bool) -> Change:
    """What indexing ``article`` does, given its catalog entry ``old`` (source, content
    hash) and whether the index was built with other settings (then all is re-embedded)."""
    if old and old[1] == article.content_hash and not stale:
        return "unchanged"
    return "updated" if old else "added"


def _triage(candidates: Iterable[tuple[Article, tuple[str, str] | None]], stale: bool,
            report: IndexReport) -> list[Article]:  # fmt: skip
    """Of (article, its catalog entry) pairs, the articles to (re-)index; each counted in
    ``report`` by its ``change``."""
    todo = []
    for article, old in candidates:
        kind = change(article, old, stale)
        setattr(report, f"articles_{kind}", getattr(report, f"articles_{kind}") + 1)
        if kind != "unchanged":
            todo.append(article)
    return todo
