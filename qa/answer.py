"""Extractive answers: the sentences that answer, verbatim, with citations; or abstain.

Sentences of the top passages compete. Each is scored on three things:

- meaning: cosine between the question and the sentence (the first embedder that reads
  both languages, so an English question can score a Chinese sentence);
- key terms: the idf-weighted share of the question's lexical tokens the sentence holds
  (in the sentence's language: the dictionary supplies the other language's terms), so
  numbers, names and "defects" ~ "defective" count;
- passage: the fused retrieval score of its passage relative to the best passage.

The answer is the best sentence plus any others within ``answer_relative`` of it. The
service abstains when no sentence's *evidence* (meaning and key terms, without the
passage rank, which is high for the best passage even when nothing matches) reaches
``abstain_below``. Answers are slices of the stored paragraph text, never rewritten, and
the citation's offsets index the paragraph: ``paragraph[start:end] == text``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, Field

from qa.articles import Article
from qa.catalog import StoredChunk
from qa.chunking import sentence_spans
from qa.config import Lang, Settings
from qa.embedders import Embedder
from qa.indexer import Index
from qa.lexical import tokenize
from qa.retrieve import Filters, Retrieval, Retriever


class Citation(BaseModel):
    article_id: str
    title: str = Field(description="The article's title in the answer's language.")
    date: str = Field(description="YYYY-MM-DD")
    page: int | None
    paragraph: int = Field(description="0-based paragraph number in this language's text.")
    lang: Lang
    start: int = Field(description="Offset of the answer in the paragraph text.")
    end: int


class Aligned(BaseModel):
    lang: Lang
    text: str
    paragraph: int
    start: int
    end: int


class AnswerOut(BaseModel):
    text: str
    score: float
    citation: Citation
    aligned: Aligned | None


class PassageOut(BaseModel):
    article_id: str
    lang: Lang
    paragraph: int
    text: str
    score: float
    title: str
    date: str
    page: int | None
    start: int
    end: int
    chunk_id: str


class AskResult(BaseModel):
    question: str
    language: Lang
    abstained: bool
    answers: list[AnswerOut]
    passages: list[PassageOut]
    confidence: float = Field(description="Best sentence evidence; abstains below the threshold.")
    seconds: float = 0.0


@dataclass
class _Sentences:
    """A chunk's sentences: paragraph offsets, text, lexical tokens, vectors per embedder."""

    spans: list[tuple[int, int]]
    texts: list[str]
    tokens: list[frozenset[str]]
    vectors: dict[str, np.ndarray]


class SentenceCache:
    """Bounded LRU of chunks' sentences. A chunk id hashes the article's content, so an
    entry never goes stale; it saves re-splitting, re-tokenising and re-encoding the
    passages that many questions share."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[str, _Sentences] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, stored: StoredChunk) -> _Sentences:
        c = stored.chunk
        with self._lock:
            hit = self._items.get(c.id)
            if hit is not None:
                self._items.move_to_end(c.id)
                return hit
        spans = sentence_spans(c.text, c.lang)
        texts = [c.text[a:b] for a, b in spans]
        item = _Sentences(
            [(c.start + a, c.start + b) for a, b in spans],
            texts,
            [frozenset(tokenize(t, c.lang)) for t in texts],
            {},
        )
        with self._lock:
            self._items[c.id] = item
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return item


@dataclass
class _Candidate:
    stored: StoredChunk
    start: int  # offsets in the paragraph
    end: int
    evidence: float
    score: float


class Answerer:
    """Retrieve, then pick sentences. The CLI and the HTTP API both call ``ask``."""

    def __init__(self, index: Index, settings: Settings):
        self.index = index
        self.settings = settings
        self.retriever = Retriever(index, settings)
        self._cache = SentenceCache(settings.sentence_cache_chunks)

    def warm_up(self) -> None:
        from qa.dictionary import warm_up as dictionary_warm_up

        for e in self.index.embedders:
            e.warm_up()
        if self.settings.dictionary_terms:
            dictionary_warm_up()
        _ = self.index.lexical
        tokenize("预热", "zh")

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str = "hybrid",
    ) -> AskResult:
        import time

        started = time.perf_counter()
        r = self.retriever.retrieve(question, k, filters, mode)
        articles = {
            aid: art
            for aid in {p.chunk.chunk.article_id for p in r.passages}
            if (art := self.index.catalog.article(aid)) is not None
        }
        candidates = self._candidates(r)
        best = max((c.evidence for c in candidates), default=0.0)
        abstained = best < self.settings.abstain_below
        answers: list[AnswerOut] = []
        if not abstained:
            top = max(c.score for c in candidates)
            chosen = [c for c in candidates if c.score >= top * self.settings.answer_relative]
            chosen.sort(key=lambda c: (c.stored.chunk.lang != r.prefer, -c.score))
            chosen = chosen[: self.settings.max_answers]
            aligned = self.index.catalog.chunks(
                c.stored.chunk.aligned_id for c in chosen if c.stored.chunk.aligned_id
            )
            answers = [self._answer(c, articles, aligned) for c in chosen]
        passages = [
            _passage_out(p.chunk, p.score, articles[p.chunk.chunk.article_id])
            for p in r.passages
            if p.chunk.chunk.article_id in articles
        ]
        return AskResult(
            question=r.question,
            language=r.language,
            abstained=abstained,
            answers=answers,
            passages=passages,
            confidence=round(best, 4),
            seconds=round(time.perf_counter() - started, 4),
        )

    # --- sentence scoring ----------------------------------------------------------------
    def _reader(self, qlang: Lang, lang: Lang) -> Embedder | None:
        """The embedder that scores a ``lang`` sentence against a ``qlang`` question."""
        return next((e for e in self.index.embedders if {qlang, lang} <= set(e.langs)), None)

    def _sentences(self, r: Retrieval, chunks: list[StoredChunk]) -> list[_Sentences]:
        """Cached sentences of each chunk, with vectors from the embedder that reads the
        question beside them (missing ones encoded in one batch per embedder)."""
        out = [self._cache.get(sc) for sc in chunks]
        todo: dict[str, list[_Sentences]] = {}
        readers: dict[str, Embedder] = {}
        for sc, sents in zip(chunks, out, strict=True):
            e = self._reader(r.language, sc.chunk.lang)
            if e is not None and e.name not in sents.vectors:
                todo.setdefault(e.name, []).append(sents)
                readers[e.name] = e
        for name, items in todo.items():
            vecs = readers[name].encode([t for it in items for t in it.texts])
            i = 0
            for it in items:
                it.vectors[name] = vecs[i : i + len(it.texts)]
                i += len(it.texts)
        return out

    def _candidates(self, r: Retrieval) -> list[_Candidate]:
        s = self.settings
        passages = r.passages[: s.answer_passages]
        if not passages:
            return []
        top_passage = passages[0].score or 1.0
        wm, wt, wp = s.sentence_weight_meaning, s.sentence_weight_terms, s.sentence_weight_passage
        out = []
        for p, sents in zip(passages, self._sentences(r, [p.chunk for p in passages]), strict=True):
            lang = p.chunk.chunk.lang
            reader = self._reader(r.language, lang)
            if reader is not None:
                q = r.vectors.get(reader.name)
                if q is None:  # e.g. lexical-only retrieval
                    q = r.vectors[reader.name] = reader.encode([r.question])[0]
                meaning = sents.vectors[reader.name] @ q
            else:
                meaning = np.zeros(len(sents.texts), dtype=np.float32)
            query = r.tokens.get(lang, [])
            weights = dict(zip(query, self.index.lexical.idf(query, lang), strict=True))
            total = sum(weights.values()) or 1.0
            for (a, b), toks, m in zip(sents.spans, sents.tokens, meaning, strict=True):
                terms = sum(w for t, w in weights.items() if t in toks) / total
                evidence = (wm * float(m) + wt * terms) / max(wm + wt, 1e-9)
                score = wm * float(m) + wt * terms + wp * p.score / top_passage
                out.append(_Candidate(p.chunk, a, b, evidence, score))
        return out

    def _answer(
        self, c: _Candidate, articles: dict[str, Article], aligned: dict[str, StoredChunk]
    ) -> AnswerOut:
        ch = c.stored.chunk
        art = articles[ch.article_id]
        other = aligned.get(ch.aligned_id or "")
        return AnswerOut(
            text=ch.text[c.start - ch.start : c.end - ch.start],
            score=round(c.score, 4),
            citation=Citation(
                article_id=ch.article_id,
                title=_title(art, ch.lang),
                date=art.date.isoformat(),
                page=art.page,
                paragraph=ch.paragraph,
                lang=ch.lang,
                start=c.start,
                end=c.end,
            ),
            aligned=Aligned(
                lang=other.chunk.lang,
                text=other.chunk.text,
                paragraph=other.chunk.paragraph,
                start=other.chunk.start,
                end=other.chunk.end,
            )
            if other
            else None,
        )


def _title(article: Article, lang: str) -> str:
    part = article.parts.get(lang)
    return part.title if part else article.title


def _passage_out(sc: StoredChunk, score: float, article: Article) -> PassageOut:
    c = sc.chunk
    return PassageOut(
        article_id=c.article_id,
        lang=c.lang,
        paragraph=c.paragraph,
        text=c.text,
        score=round(score, 6),
        title=_title(article, c.lang),
        date=article.date.isoformat() if isinstance(article.date, dt.date) else str(article.date),
        page=article.page,
        start=c.start,
        end=c.end,
        chunk_id=c.id,
    )
