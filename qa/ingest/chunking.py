"""Paragraph-level chunks with offsets, made of whole sentences (``qa.text``).

A chunk is a paragraph, or, for a paragraph longer than the language's limit, a run of
whole sentences from it. Offsets are character offsets into the paragraph text, so
``paragraph.text[chunk.start:chunk.end] == chunk.text`` always holds.
"""

from __future__ import annotations

import hashlib
import re

from qa.config import Lang, Settings
from qa.ingest.align import Bead, align
from qa.store.records import Article, Chunk
from qa.text import sentence_spans, spans_from_cuts, strip_span

# Where an over-long sentence may be broken.
_SOFT_BREAK = {"en": re.compile(r"[,;:]\s+|\s+"), "zh": re.compile(r"[，、：,]")}


def _limit(span: tuple[int, int], text: str, lang: Lang, max_chars: int) -> list[tuple[int, int]]:
    """Break a sentence longer than ``max_chars`` at soft breaks (commas), else hard."""
    a, b = span
    out = []
    while b - a > max_chars:
        window = text[a : a + max_chars]
        breaks = [m.end() for m in _SOFT_BREAK[lang].finditer(window) if m.end() > max_chars // 3]
        cut = a + (breaks[-1] if breaks else max_chars)
        out.append(strip_span(text, a, cut))
        a = cut
    out.append(strip_span(text, a, b))
    return [(x, y) for x, y in out if y > x]


def split_paragraph(text: str, lang: Lang, max_chars: int) -> list[tuple[int, int]]:
    """Group a paragraph's sentences into spans of at most ``max_chars`` characters."""
    if len(text.strip()) <= max_chars:
        return spans_from_cuts(text, [])
    pieces: list[tuple[int, int]] = []
    for span in sentence_spans(text, lang):
        pieces.extend(_limit(span, text, lang, max_chars))
    groups: list[tuple[int, int]] = []
    for a, b in pieces:
        if groups and b - groups[-1][0] <= max_chars:
            groups[-1] = (groups[-1][0], b)
        else:
            groups.append((a, b))
    return groups


def chunk_id(article: Article, fingerprint: str, lang: str, paragraph: int, start: int) -> str:
    """Stable for the same article content, position and pipeline; new when any changes,
    so that a changed article's chunks never overwrite the committed ones (crash safety)."""
    key = f"{fingerprint}|{article.content_hash}|{article.id}|{lang}|{paragraph}|{start}"
    return hashlib.sha1(key.encode()).hexdigest()[:24]


def chunk_article(article: Article, settings: Settings, fingerprint: str = "") -> list[Chunk]:
    """All body chunks of both languages, each linked to the other language's chunk that
    covers the same relative position within the aligned paragraph(s)."""
    limits = {"en": settings.chunk_max_chars_en, "zh": settings.chunk_max_chars_zh}
    beads: list[Bead] = align(article)
    # Per (language, bead): the chunk spans as (paragraph, start, end, position along the
    # bead's concatenated text), and that text's length; positions are what link chunks.
    spans: dict[tuple[str, int], list[tuple[int, int, int, int]]] = {}
    lengths: dict[tuple[str, int], int] = {}
    for b, bead in enumerate(beads):
        for lang, paras in (("en", bead.en), ("zh", bead.zh)):
            pos, items = 0, []
            for idx in paras:
                text = article.parts[lang].paragraphs[idx].text
                for s, e in split_paragraph(text, lang, limits[lang]):  # type: ignore[arg-type]
                    items.append((idx, s, e, pos + s))
                pos += len(text)
            spans[(lang, b)], lengths[(lang, b)] = items, max(pos, 1)

    def centre(item: tuple[int, int, int, int], total: int) -> float:
        _, s, e, pos = item
        return (pos + (e - s) / 2) / total

    chunks: list[Chunk] = []
    for b in range(len(beads)):
        for lang, other in (("en", "zh"), ("zh", "en")):
            theirs = spans[(other, b)]
            for item in spans[(lang, b)]:
                idx, s, e, _ = item
                aligned = None
                if theirs:
                    c = centre(item, lengths[(lang, b)])
                    best = min(theirs, key=lambda t: abs(centre(t, lengths[(other, b)]) - c))
                    aligned = chunk_id(article, fingerprint, other, best[0], best[1])
                text = article.parts[lang].paragraphs[idx].text
                chunks.append(
                    Chunk(
                        id=chunk_id(article, fingerprint, lang, idx, s),
                        article_id=article.id,
                        lang=lang,  # type: ignore[arg-type]
                        paragraph=idx,
                        start=s,
                        end=e,
                        text=text[s:e],
                        pair=b,
                        aligned_id=aligned,
                    )
                )
    return chunks
