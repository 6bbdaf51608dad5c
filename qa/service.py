"""The operations users call, over one opened index: ask, search, browse, add and remove
articles, health. The CLI and the HTTP API are thin layers over this class, so neither
holds logic the other lacks.

Like a Haystack component: ``__init__`` opens the index (cheap), ``warm_up`` loads the
models and the lexical index, the methods do the work. Methods are safe to call from
several threads at once; writes (add, delete) are serialised by one lock, and queries
running meanwhile see the index before or after a write, never half of it (the catalog
commit is the switch-over point, see ``qa.ingest.indexer``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
import time

from qa.answer.answerer import Answerer
from qa.config import Settings
from qa.ingest.articles import parse_record, parse_text
from qa.ingest.indexer import SOURCE_API, Index
from qa.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePage,
    ArticleSummary,
    AskResult,
    Health,
    PairOut,
    ParagraphOut,
    PartOut,
    SearchResult,
    WriteResult,
)
from qa.search.retrieve import Filters
from qa.store.records import Article, Paragraph
from qa.store.stores import STALE_WARNING
from qa.store.vectors import StoreUnavailable

log = logging.getLogger(__name__)

# Bounds of article paging. SQLite takes 64-bit integers; no archive has 2**31 articles.
MAX_OFFSET = 2**31
MAX_LIMIT = 1000


class NotFound(LookupError):
    """No such article."""


# --- the service -----------------------------------------------------------------------


class Service:
    def __init__(self, settings: Settings, index: Index | None = None):
        self.settings = settings
        self.index = index or Index(settings)
        self.answerer = Answerer(self.index, settings)
        self.ready = False
        self._write = threading.Lock()

    def warm_up(self) -> None:
        self.answerer.warm_up()
        if self.index.stale():  # serve, but say so: the CLI and `qa serve` both warm up here
            log.warning(STALE_WARNING)
        self.ready = True

    def close(self) -> None:
        self.index.close()

    # --- reads ---------------------------------------------------------------------------
    def ask(
        self, question: str, k: int | None = None, filters: Filters | None = None,
        mode: str = "hybrid",
    ) -> AskResult:  # fmt: skip
        return self.answerer.ask(question, k, filters, mode)

    def search(
        self, question: str, k: int | None = None, filters: Filters | None = None,
        mode: str = "hybrid",
    ) -> SearchResult:  # fmt: skip
        """Ranked passages with their citations, without answer extraction."""
        started = time.perf_counter()
        r = self.answerer.retriever.retrieve(question, k, filters, mode)
        _, passages = self.answerer.cite(r)
        return SearchResult(
            question=r.question,
            language=r.language,
            passages=passages,
            seconds=round(time.perf_counter() - started, 4),
        )

    def articles(self, offset: int = 0, limit: int = 20, by_date: bool = False) -> ArticlePage:
        if not 0 <= offset <= MAX_OFFSET or not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"offset must be 0 to {MAX_OFFSET} and limit 1 to {MAX_LIMIT}")
        ids = self.index.catalog.article_ids(offset, limit, by_date)
        found = self._articles(set(ids))
        return ArticlePage(
            total=self.index.catalog.counts()["articles"],
            offset=offset,
            limit=limit,
            articles=[_summary(found[i]) for i in ids if i in found],
        )

    def article(self, article_id: str) -> ArticleOut:
        art = self.index.catalog.article(article_id)
        if art is None:
            raise NotFound(f"no article {article_id!r}")
        pairs: dict[int, dict[str, list[ParagraphOut]]] = {}
        for (lang, para), pair in sorted(self.index.catalog.paragraph_pairs(article_id).items()):
            p = art.parts[lang].paragraphs[para]
            pairs.setdefault(pair, {"en": [], "zh": []})[lang].append(_paragraph(p))
        return ArticleOut(
            **_summary(art).model_dump(),
            author=art.author,
            column=art.column,
            parts={
                lang: PartOut(title=part.title, paragraphs=[_paragraph(p) for p in part.paragraphs])
                for lang, part in art.parts.items()
            },
            pairs=[PairOut(pair=n, **langs) for n, langs in sorted(pairs.items())],
        )

    def health(self) -> Health:
        try:
            stats = self.index.stats()
        except StoreUnavailable as exc:  # say so, with what the catalog still knows
            counts = self.index.catalog.counts()
            return Health(
                ready=False, articles=counts["articles"], chunks=counts["chunks"], vectors={},
                embedders=[e.spec for e in self.index.embedders], chroma=self.index.store.mode,
                generation=self.index.catalog.generation, stale=self.index.stale(),
                degraded=True, drift={}, problem=str(exc),
            )  # fmt: skip
        return Health(
            ready=self.ready,
            degraded=bool(stats.drift),
            **stats.model_dump(exclude={"lexical", "data_dir"}),
        )

    def recover(self) -> int:
        """The indexer's recovery, for a server that starts over a data dir a killed
        process or a lost store left inconsistent: delete uncommitted vectors, re-embed
        missing ones. Returns the vectors deleted."""
        with self._write:
            removed = self.index.recover()
        if removed:
            log.warning("recovery deleted %d vectors no commit refers to", removed)
        return removed

    # --- writes --------------------------------------------------------------------------
    def add_article(self, item: ArticleIn) -> WriteResult:
        """Index one article given directly; idempotent (the same content is unchanged)."""
        article = parse_article_in(item)
        with self._write:
            report = self.index.add_articles([article])
        status = (
            "added" if report.articles_added else "updated" if report.articles_updated
            else "unchanged"
        )  # fmt: skip
        return WriteResult(
            article_id=article.id,
            status=status,
            chunks_added=report.chunks_added,
            chunks_removed=report.chunks_removed,
            seconds=report.seconds,
        )

    def delete_article(self, article_id: str) -> WriteResult:
        with self._write:
            report = self.index.remove_articles([article_id])
        if not report.articles_removed:
            raise NotFound(f"no article {article_id!r}")
        return WriteResult(
            article_id=article_id,
            status="deleted",
            chunks_added=0,
            chunks_removed=report.chunks_removed,
            seconds=report.seconds,
        )

    def _articles(self, ids: set[str]) -> dict[str, Article]:
        return {aid: art for aid in ids if (art := self.index.catalog.article(aid)) is not None}


def parse_article_in(item: ArticleIn) -> Article:
    """The article an ``ArticleIn`` describes; ``ArticleError`` says what is wrong."""
    if item.record is not None:
        return parse_record(item.record.model_dump(exclude_unset=True), "record", SOURCE_API)
    text = item.text or ""
    article = parse_text(
        text, (item.id or "").strip(), "text", hashlib.sha256(text.encode()).hexdigest()
    )
    return dataclasses.replace(article, source=SOURCE_API)


def _paragraph(p: Paragraph) -> ParagraphOut:
    return ParagraphOut(index=p.index, text=p.text, kind=p.kind)


def _summary(art: Article) -> ArticleSummary:
    return ArticleSummary(
        id=art.id,
        date=art.date.isoformat(),
        page=art.page,
        titles={lang: part.title for lang, part in art.parts.items()},
        source=art.source,
    )
