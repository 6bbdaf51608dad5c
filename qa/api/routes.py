"""The endpoints: each parses its input, calls one ``Service`` method, returns its model.
Routes are plain ``def``: FastAPI runs them in its thread pool, so the CPU-bound work
(encoding, BM25, sentence scoring) never blocks the event loop."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from qa.api.deps import ServiceDep
from qa.config import Lang
from qa.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePage,
    AskRequest,
    AskResult,
    Health,
    Problem,
    SearchResult,
    WriteResult,
)
from qa.search.retrieve import Filters
from qa.service import MAX_LIMIT, MAX_OFFSET

_errors: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Missing or wrong X-API-Key."},
    413: {"model": Problem, "description": "Request body too large."},
    422: {"model": Problem, "description": "Bad question, filter or article."},
}
# The key checks are attached by ``create_app`` only when a key is configured, so that the
# OpenAPI schema declares security exactly where it is enforced.
reads = APIRouter(responses=_errors)
writes = APIRouter(responses=_errors)
# /health stays open when reads need the key: health checks (docker compose) carry none,
# and it tells only counts and readiness.
open_routes = APIRouter(responses=_errors)

ArticleId = Annotated[str, Path(min_length=1, max_length=200)]


@open_routes.get("/health")
def health(service: ServiceDep) -> Health:
    """Readiness, index counts, embedders and the Chroma mode."""
    return service.health()


@reads.post("/ask")
def ask(body: AskRequest, service: ServiceDep) -> AskResult:
    """Answer with sentences quoted from the archive, each with its citation; or abstain."""
    filters = Filters.from_user(body.lang, body.since, body.until, body.article_ids)
    return service.ask(body.question, body.k, filters, body.mode)


@reads.get("/search")
def search(
    service: ServiceDep,
    q: Annotated[str, Query(description="The question or search words.")],
    k: Annotated[int | None, Query(description="Passages, 1 to QA_MAX_K (50).")] = None,
    lang: Lang | None = None,
    since: Annotated[str | None, Query(description="YYYY[-MM[-DD]]")] = None,
    until: Annotated[str | None, Query(description="YYYY[-MM[-DD]]")] = None,
    article: Annotated[list[str] | None, Query(description="Only these article ids.")] = None,
    mode: str = "hybrid",
) -> SearchResult:
    """Ranked passages with citations, without answer extraction."""
    return service.search(q, k, Filters.from_user(lang, since, until, article), mode)


@reads.get("/articles")
def list_articles(
    service: ServiceDep,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    order: Annotated[Literal["id", "date"], Query(description="Sort by id or by date.")] = "id",
) -> ArticlePage:
    """Indexed articles, by id or by date, a page at a time."""
    return service.articles(offset, limit, by_date=order == "date")


@reads.get("/articles/{article_id}", responses={404: {"model": Problem}})
def get_article(article_id: ArticleId, service: ServiceDep) -> ArticleOut:
    """One article in both languages, with its body paragraphs aligned."""
    return service.article(article_id)


@writes.post("/articles", status_code=201, responses={200: {"model": WriteResult}})
def add_article(body: ArticleIn, service: ServiceDep, response: Response) -> WriteResult:
    """Index one article (archive text format or JSON record). 201 when added; 200 when it
    replaced an older version or was already indexed unchanged."""
    result = service.add_article(body)
    if result.status != "added":
        response.status_code = 200
    return result


@writes.delete("/articles/{article_id}", responses={404: {"model": Problem}})
def delete_article(article_id: ArticleId, service: ServiceDep) -> WriteResult:
    """Remove an article and its vectors."""
    return service.delete_article(article_id)
