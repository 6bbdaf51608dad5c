"""The web page for researchers: ask, read the quote in its paragraph, open the article in
both languages side by side, browse by date. Server-rendered (Jinja2, autoescaped: article
text and questions are untrusted) over the same ``Service`` methods as the API, with no
JavaScript and nothing fetched at run time.

When reads need the API key (``QA_API_KEY_READS``), a browser cannot send the header, so
the page asks for the key once and keeps it in an HttpOnly, SameSite=Strict cookie that
only these pages read.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from qa.api.deps import ServiceDep
from qa.search.retrieve import Filters, QueryError
from qa.service import MAX_LIMIT, NotFound, Service
from qa.store.vectors import StoreUnavailable

pages = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
KEY_COOKIE = "qa_key"
BROWSE_PAGE = 20


def _allowed(request: Request, service: Service) -> bool:
    """Whether this browser may read: always, unless reads need the key."""
    s = service.settings
    if s.api_key is None or not s.api_key_reads:
        return True
    given = request.cookies.get(KEY_COOKIE) or request.headers.get("x-api-key") or ""
    return secrets.compare_digest(given.encode(), s.api_key.get_secret_value().encode())


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def _key_page(request: Request) -> HTMLResponse:
    return _render(request, "key.html", 401, next=str(request.url.path) + (
        f"?{request.url.query}" if request.url.query else ""))  # fmt: skip


@pages.get("/", response_class=HTMLResponse)
def ask_page(
    request: Request,
    service: ServiceDep,
    q: str | None = None,
    lang: str = "",
    since: str = "",
    until: str = "",
    mode: str = "hybrid",
) -> HTMLResponse:
    if not _allowed(request, service):
        return _key_page(request)
    form = {"q": q or "", "lang": lang, "since": since, "until": until, "mode": mode}
    if q is None:  # the empty form
        return _render(request, "ask.html", form=form, result=None, error=None)
    try:
        filters = Filters.from_user(lang or None, since or None, until or None)
        result = service.ask(q, None, filters, mode or "hybrid")
    except QueryError as exc:
        return _render(request, "ask.html", 422, form=form, result=None, error=str(exc))
    except StoreUnavailable as exc:
        return _render(request, "ask.html", 503, form=form, result=None, error=str(exc))
    return _render(request, "ask.html", form=form, result=result, error=None)


def _span(lang: str, p: int, s: int, e: int) -> dict[str, Any]:
    return {"lang": lang, "paragraph": p, "start": s, "end": e}


def read_link(article_id: str, citation: Any, aligned: Any = None) -> str:
    """The article view with a quote (and its translation) highlighted."""
    params = {"lang": citation.lang, "p": citation.paragraph, "s": citation.start,
              "e": citation.end}  # fmt: skip
    if aligned is not None:
        params |= {"tl": aligned.lang, "tp": aligned.paragraph, "ts": aligned.start,
                   "te": aligned.end}  # fmt: skip
    path = f"/read/{quote(article_id, safe='')}"
    return f"{path}?{urlencode(params)}#p-{citation.lang}-{citation.paragraph}"


templates.env.globals["read_link"] = read_link


def _pieces(text: str, marks: list[dict[str, Any]], lang: str, index: int) -> list[tuple[Any, ...]]:
    """The paragraph as (text, highlighted) pieces; a mark whose offsets do not fit the
    paragraph is ignored rather than trusted."""
    for m in marks:
        if (m["lang"], m["paragraph"]) == (lang, index) and 0 <= m["start"] < m["end"] <= len(text):
            return [(text[: m["start"]], False), (text[m["start"] : m["end"]], True),
                    (text[m["end"] :], False)]  # fmt: skip
    return [(text, False)]


@pages.get("/read/{article_id}", response_class=HTMLResponse)
def read_page(
    request: Request,
    service: ServiceDep,
    article_id: str,
    lang: str = "",
    p: int = -1,
    s: int = -1,
    e: int = -1,
    tl: str = "",
    tp: int = -1,
    ts: int = -1,
    te: int = -1,
) -> HTMLResponse:
    if not _allowed(request, service):
        return _key_page(request)
    try:
        article = service.article(article_id)
    except NotFound as exc:
        return _render(request, "error.html", 404, message=str(exc))
    marks = [_span(lang, p, s, e), _span(tl, tp, ts, te)]
    rows = [
        {
            lang_: [
                (para, _pieces(para.text, marks, lang_, para.index))
                for para in getattr(pair, lang_)
            ]  # fmt: skip
            for lang_ in ("en", "zh")
        }
        for pair in article.pairs
    ]
    return _render(request, "read.html", article=article, rows=rows)


@pages.get("/browse", response_class=HTMLResponse)
def browse_page(request: Request, service: ServiceDep, offset: int = 0) -> HTMLResponse:
    if not _allowed(request, service):
        return _key_page(request)
    try:
        page = service.articles(offset, min(BROWSE_PAGE, MAX_LIMIT), by_date=True)
    except ValueError as exc:
        return _render(request, "error.html", 422, message=str(exc))
    return _render(request, "browse.html", page=page, step=BROWSE_PAGE)


@pages.post("/key")
async def set_key(request: Request) -> Response:
    """The key form: keep the key in a cookie for the pages, then go back."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    key = (form.get("key") or [""])[0]
    target = (form.get("next") or ["/"])[0]
    if not target.startswith("/") or target.startswith("//"):
        target = "/"  # only back into this site
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(KEY_COOKIE, key, httponly=True, samesite="strict")
    return response
