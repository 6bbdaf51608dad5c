"""The FastAPI application: lifespan (open the index and load models once), error
mapping (every 4xx is JSON that says what was wrong), and the request-size limit."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa import __version__
from qa.api.deps import require_key
from qa.api.pages import pages
from qa.api.routes import open_routes, reads, writes
from qa.config import Settings, get_settings
from qa.ingest.articles import ArticleError
from qa.ingest.indexer import exclusive_writer
from qa.search.retrieve import QueryError
from qa.service import NotFound, Service
from qa.store.vectors import StoreUnavailable

log = logging.getLogger("qa.api")


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    """The app. With ``service`` given (tests, embedding in another process) it is used
    as is and left open; otherwise one is opened from ``settings`` at startup, indexes
    ``QA_INDEX_ON_START``, loads its models, and is closed at shutdown."""
    settings = settings or (service.settings if service else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Routes run in anyio's thread pool (40 threads by default). The work is CPU-bound
        # and mostly holds the GIL, so more threads than cores only add switching and
        # stretch the tail latency; requests beyond the limit wait in line instead.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        own = service is None
        # A server that opens its own data dir is its writer for as long as it runs.
        with exclusive_writer(settings.data_dir, "qa serve") if own else nullcontext():
            svc = service or Service(settings)
            try:
                if own:  # the recovery `qa index` runs: drift from a killed write is repaired
                    svc.recover()
                if own and settings.index_on_start:
                    report = svc.index.index_paths(settings.index_on_start, progress=False)
                    log.info("indexed on start: %s", json.dumps(report.to_dict()))
                    for failed in report.failed:
                        log.warning("could not index %s: %s", failed["where"], failed["reason"])
                if not svc.ready:
                    svc.warm_up()
                app.state.service = svc
                yield
            finally:
                if own:
                    svc.close()

    app = FastAPI(
        title="qa: bilingual newspaper-archive question answering",
        version=__version__,
        description=(
            "Ask in English or Chinese; answers are sentences quoted verbatim from the "
            "archive, each with a citation (article, date, page, paragraph, offsets) and "
            "its aligned translation."
        ),
        lifespan=lifespan,
    )
    if service is not None:
        app.state.service = service
    keyed = settings.api_key is not None
    app.include_router(open_routes)
    app.include_router(pages)  # the web page checks the read key itself (a cookie)
    app.include_router(
        reads, dependencies=[Depends(require_key)] if keyed and settings.api_key_reads else []
    )
    app.include_router(writes, dependencies=[Depends(require_key)] if keyed else [])
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(InternalErrors)  # outermost of ours: sees what nothing else handled

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # One readable sentence per problem, and the first place, instead of FastAPI's
        # list of error objects: the same shape as every other 4xx.
        problems = [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
        where = ".".join(str(x) for x in exc.errors()[0]["loc"]) if exc.errors() else None
        return JSONResponse({"detail": "; ".join(problems), "where": where}, status_code=422)

    @app.exception_handler(QueryError)
    async def _query_error(_: Request, exc: QueryError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(ArticleError)
    async def _article_error(_: Request, exc: ArticleError) -> JSONResponse:
        return JSONResponse({"detail": exc.reason, "where": exc.where}, status_code=422)

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(StoreUnavailable)
    async def _store_down(_: Request, exc: StoreUnavailable) -> JSONResponse:
        # Nothing was committed: the client may retry once the store is back.
        return JSONResponse({"detail": str(exc), "where": exc.where}, status_code=503)

    return app


class InternalErrors:
    """Answer an exception nothing else handled with a JSON 500 and keep the connection.
    Re-raised, it reaches uvicorn after the response and uvicorn closes the connection, so
    a client's next request on that keep-alive connection failed."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # part of a response went out: nothing sound can follow it
                raise
            await _problem(send, 500, "internal error; the server log has the details")


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413: at once when Content-Length
    says so, else as soon as the streamed body passes the limit."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _problem(send, 400, "Content-Length is not a number")
                return
            if int(declared) > self.limit:
                await _problem(send, 413, f"request body over {self.limit} bytes")
                return
        if declared is not None:  # the server stops reading at Content-Length
            await self.app(scope, receive, send)
            return
        # A chunked body: read it here, up to the limit, before the app sees it. Raising
        # from inside the app's own read would come back as FastAPI's 400 "error parsing
        # the body", not 413.
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > self.limit:
                await _problem(send, 413, f"request body over {self.limit} bytes")
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)


async def _problem(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())],
        }
    )  # fmt: skip
    await send({"type": "http.response.body", "body": body})
