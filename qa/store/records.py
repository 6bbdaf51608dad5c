"""What the stores hold, as plain frozen data: an article with its parts (one per
language) and paragraphs, and the chunks cut from them. The write side builds them
(``qa.ingest``); the catalog stores them; the read side reads them back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from qa.config import Lang

Kind = Literal["title", "kicker", "body", "source"]
BODY_KINDS: frozenset[str] = frozenset({"body", "source"})


@dataclass(frozen=True)
class Paragraph:
    index: int
    text: str
    kind: Kind

    @property
    def is_body(self) -> bool:
        return self.kind in BODY_KINDS


@dataclass(frozen=True)
class Part:
    """One language version of an article."""

    lang: Lang
    title: str
    paragraphs: tuple[Paragraph, ...]

    @property
    def body(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.is_body]


@dataclass(frozen=True)
class Article:
    id: str
    date: dt.date
    page: int | None
    author: str
    column: str
    parts: dict[str, Part]
    source: str = ""
    content_hash: str = field(default="", compare=False)
    # where it was read (a path, or path:line for JSON Lines), for messages; not stored
    where: str = field(default="", compare=False)

    @property
    def title(self) -> str:
        return (self.parts.get("en") or self.parts["zh"]).title

    def to_record(self) -> dict[str, Any]:
        """The JSON Lines form of this article (what ``parse_jsonl`` reads back)."""
        rec: dict[str, Any] = {
            "id": self.id,
            "date": self.date.isoformat(),
            "page": self.page,
            "author": self.author,
            "column": self.column,
        }
        for lang, suffix in (("en", ""), ("zh", "_zh")):
            part = self.parts.get(lang)
            if part:
                rec["title" + suffix] = part.title
                rec["paragraphs" + suffix] = [p.text for p in part.paragraphs]
        return rec


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    lang: Lang
    paragraph: int
    start: int
    end: int
    text: str
    pair: int  # index of the alignment bead: one key for a paragraph and its translation
    aligned_id: str | None
