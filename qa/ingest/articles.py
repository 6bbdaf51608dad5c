"""Parsers for the archive's plain-text format and JSON Lines, into ``qa.store.records``.

Text format (see ``seeds/``)::

    Title: ...            header fields, blank lines between them optional, values may be empty
    Author: ...
    Date: YYYY-MM-DD
    Page: N
    <English paragraphs, one per line, blank lines optional>
    <hr />
    Original:
    ### <Chinese title>
    YYYY-MM-DD
    第N版(...)
    专栏：<column, may be empty>
        <Chinese paragraphs, one per (indented) line>

Every non-blank line of a body is one paragraph: the archive writes each paragraph on a
single line (some separated by blank lines, some not), so lines, not blank-line blocks,
are the unit that is stable across the files.

Paragraphs are numbered from 0 in file order, per language, including the leading title
and kicker lines; ``kind`` tells which are body text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from qa.config import Lang
from qa.schemas import ArticleRecord
from qa.store.records import Article, Kind, Paragraph, Part


class ArticleError(ValueError):
    """An input that cannot become an article; ``where`` is a path (and line, for JSONL)."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


# ---------------------------------------------------------------------------------------
# Shared pieces: paragraph kinds, dates, pages
# ---------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_KICKER = re.compile(r"^[^.!?。！？]{1,80}[:：]$")
_SOURCE_EN = re.compile(
    r"^\((?:excerpt(?:ed)? from|from|source:|reprinted from)[^()]{1,80}\)$", re.I
)
_SOURCE_ZH = re.compile(r"^（[^（）]{1,40}）$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _squash(text: str) -> str:
    return _WS.sub("", text).lower()


def classify(lines: list[str], title: str, lang: Lang) -> tuple[Paragraph, ...]:
    """Number the lines and mark leading title/kicker lines and a trailing source line.

    A title may be repeated over several leading lines (the Chinese originals break a long
    title in two), so leading lines are 'title' while their concatenation is a prefix of
    the title.
    """
    kinds: list[Kind] = ["body"] * len(lines)
    want = _squash(title)
    i, seen = 0, ""
    while i < len(lines):
        line = _squash(lines[i])
        if want and line and want.startswith(seen + line):
            seen += line
            kinds[i] = "title"
        elif not seen and _KICKER.match(lines[i]):
            kinds[i] = "kicker"
        else:
            break
        i += 1
    if seen and seen != want:  # a partial match was body text that starts like the title
        for j in range(i):
            if kinds[j] == "title":
                kinds[j] = "body"
    source = _SOURCE_EN if lang == "en" else _SOURCE_ZH
    if len(lines) > 1 and kinds[-1] == "body" and source.match(lines[-1]):
        kinds[-1] = "source"
    pairs = enumerate(zip(lines, kinds, strict=True))
    return tuple(Paragraph(n, text, kind) for n, (text, kind) in pairs)


def parse_date(value: str, where: str) -> dt.date:
    value = value.strip()
    if not _DATE.match(value):
        raise ArticleError(where, f"bad date {value!r}: expected YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArticleError(where, f"bad date {value!r}: {exc}") from None


def parse_page(value: str | int | None, where: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        page = int(value)
    except (TypeError, ValueError):
        raise ArticleError(where, f"bad page {value!r}: expected a whole number") from None
    if page < 0:
        raise ArticleError(where, f"bad page {value!r}: negative")
    return page


def _build(
    where: str,
    article_id: str,
    date: dt.date,
    page: int | None,
    author: str,
    column: str,
    texts: dict[Lang, tuple[str, list[str]]],
    source: str,
    content_hash: str,
) -> Article:
    parts: dict[str, Part] = {}
    for lang, (title, lines) in texts.items():
        lines = [ln.strip() for ln in lines if ln.strip()]
        paragraphs = classify(lines, title.strip(), lang)
        if any(p.is_body for p in paragraphs):
            parts[lang] = Part(lang, title.strip(), paragraphs)
    if not parts:
        raise ArticleError(where, "no body text in either language")
    # "." and ".." cannot be fetched or deleted by URL (clients normalise the path)
    if not article_id or "/" in article_id or article_id in (".", "..") or len(article_id) > 200:
        raise ArticleError(where, f"bad article id {article_id!r}")
    return Article(
        article_id,
        date,
        page,
        author.strip(),
        column.strip(),
        parts,
        source,
        content_hash,
        where,
    )


# ---------------------------------------------------------------------------------------
# The archive's text format
# ---------------------------------------------------------------------------------------

_HEADER = re.compile(r"^(Title|Author|Date|Page):[ \t]*(.*)$")
_HR = re.compile(r"^\s*<hr\s*/?>\s*$", re.I)
_ORIGINAL = re.compile(r"^\s*Original:\s*$")
_ZH_TITLE = re.compile(r"^\s*###\s*(.*)$")
_EDITION = re.compile(r"^\s*第\s*(\d+)\s*版")
_COLUMN = re.compile(r"^\s*专栏[：:]\s*(.*)$")


def read_text(path: Path, max_bytes: int) -> tuple[str, bytes]:
    """Read a file as UTF-8, rejecting what cannot be an article with a clear reason."""
    where = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArticleError(where, f"cannot read: {exc.strerror}") from None
    if size == 0:
        raise ArticleError(where, "empty file")
    if size > max_bytes:
        raise ArticleError(where, f"file too large ({size} bytes > {max_bytes})")
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ArticleError(where, "binary file (NUL bytes), not archive text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(where, f"not UTF-8 (byte {exc.start}: {exc.reason})") from None
    if not text.strip():
        raise ArticleError(where, "empty file (only white space)")
    return text, data


def parse_text(text: str, article_id: str, where: str, content_hash: str = "") -> Article:
    """Parse one article in the archive's text format."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header: dict[str, str] = {}
    i = 0
    while i < len(lines):
        m = _HEADER.match(lines[i].strip())
        if m and m.group(1) not in header:
            header[m.group(1)] = m.group(2).strip()
        elif lines[i].strip():
            break
        i += 1
    if "Title" not in header and "Date" not in header:
        raise ArticleError(where, "no header: the file must start with 'Title:' and 'Date:' lines")

    english: list[str] = []
    while i < len(lines) and not _HR.match(lines[i]):
        english.append(lines[i])
        i += 1
    original = lines[i + 1 :]

    zh_title, zh_date, edition, column = "", "", None, ""
    chinese: list[str] = []
    body_started = False
    for line in original:
        s = line.strip()
        if body_started:
            chinese.append(line)
        elif not s or _ORIGINAL.match(s):
            continue
        elif m := _ZH_TITLE.match(s):
            zh_title = m.group(1)
        elif _DATE.match(s) and not zh_date:
            zh_date = s
        elif (m := _EDITION.match(s)) and edition is None:
            edition = m.group(1)
        elif m := _COLUMN.match(s):
            column = m.group(1)
            body_started = True
        else:  # no column line: the body starts at the first line that is not metadata
            body_started = True
            chinese.append(line)

    date_value = header.get("Date") or zh_date
    if not date_value:
        raise ArticleError(where, "no date: neither 'Date:' nor a date line in the original")
    date = parse_date(date_value, where)
    page = parse_page(header.get("Page") or edition, where)
    texts: dict[Lang, tuple[str, list[str]]] = {}
    if any(ln.strip() for ln in english):
        texts["en"] = (header.get("Title", ""), english)
    if any(ln.strip() for ln in chinese):
        texts["zh"] = (zh_title, chinese)
    return _build(
        where, article_id, date, page, header.get("Author", ""), column, texts, where, content_hash
    )


def parse_file(path: Path, max_bytes: int) -> Article:
    text, data = read_text(path, max_bytes)
    return parse_text(text, path.stem, str(path), hashlib.sha256(data).hexdigest())


# ---------------------------------------------------------------------------------------
# JSON Lines: one article per line
# ---------------------------------------------------------------------------------------


def record_article(rec: ArticleRecord, where: str, source: str, content_hash: str = "") -> Article:
    """The article a JSON record describes; ``ArticleError`` naming ``where`` if none."""

    def lines(text: str | None, paragraphs: list[str] | None) -> list[str]:
        return list(paragraphs) if paragraphs is not None else (text or "").splitlines()

    texts: dict[Lang, tuple[str, list[str]]] = {}
    en = lines(rec.text, rec.paragraphs)
    zh = lines(rec.text_zh, rec.paragraphs_zh)
    if any(s.strip() for s in en):
        texts["en"] = (rec.title, en)
    if any(s.strip() for s in zh):
        texts["zh"] = (rec.title_zh, zh)
    return _build(
        where,
        rec.id,
        parse_date(rec.date, where),
        parse_page(rec.page, where),
        rec.author,
        rec.column,
        texts,
        source,
        content_hash,
    )


def parse_record(obj: object, where: str, source: str) -> Article:
    """Validate one JSON object as an article."""
    if not isinstance(obj, dict):
        raise ArticleError(where, f"expected a JSON object, got {type(obj).__name__}")
    try:
        record = ArticleRecord.model_validate(obj)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in exc.errors()
        )
        raise ArticleError(where, problems) from None
    canonical = json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()
    return record_article(record, where, source, hashlib.sha256(canonical).hexdigest())


def parse_jsonl(path: Path, max_bytes: int) -> Iterator[Article | ArticleError]:
    """Yield each line's article, or the error that line has; one bad line spoils no other.

    Dumps can be far larger than one article, so the file is streamed and ``max_bytes``
    limits each line (record), not the file.
    """
    try:
        f = path.open("rb")
    except OSError as exc:
        yield ArticleError(str(path), f"cannot read: {exc.strerror}")
        return
    with f:
        any_line = False
        for n, raw in enumerate(f, start=1):
            where = f"{path}:{n}"
            if len(raw) > max_bytes:
                yield ArticleError(where, f"line too large ({len(raw)} bytes > {max_bytes})")
                continue
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield ArticleError(where, f"not UTF-8 (byte {exc.start}: {exc.reason})")
                continue
            if not line.strip():
                continue
            any_line = True
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield ArticleError(where, f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            try:
                yield parse_record(obj, where, str(path))
            except ArticleError as exc:
                yield exc
        if not any_line:
            yield ArticleError(str(path), "empty file")
