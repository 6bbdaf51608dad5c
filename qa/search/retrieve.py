"""Hybrid retrieval: candidate lists from each leg, filters, and fusion.

Legs, each a ranked list of chunk ids:

- ``dense:<embedder>:<lang>``: the question's vector against one embedder's chunks in one
  language. An embedder only searches when it can read the question's language, so the
  multilingual encoder crosses languages and the English-only MiniLM does not.
- ``lexical:<lang>``: BM25 over the question's tokens in its own language, and (when
  ``dictionary_terms`` is on) over its key terms looked up in CC-CEDICT for the other.

Chunks are merged into *units*, one per aligned paragraph pair (article, bead), so that a
paragraph and its translation count once. Units are fused by weighted reciprocal rank;
each unit is shown by its best chunk in the preferred language.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np

from qa.config import LANGS, Lang, Settings
from qa.numbers import years_in
from qa.search.dictionary import translate_terms
from qa.search.fusion import Hits, Unit, add_leg, best_per_unit, fuse
from qa.store.catalog import StoredChunk, date_int
from qa.store.lexical import Allowed
from qa.store.stores import Stores
from qa.text import detect_language, tokenize

# Zero-width and other format characters: a question of only these says nothing.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\u00ad]")

MODES = ("hybrid", "lexical", "dense")

# A dense leg under a filter that keeps at least this share of a language's chunks
# searches unfiltered, deep enough to expect twice its depth to pass (then 4 and 16
# times deeper), and filters after; a narrower filter, or one too few hits pass, hands
# its ids to Chroma. That costs in proportion to their number: a date filter keeping
# half of 1M chunks took an ask from 42 to 422 ms.
POST_FILTER_SHARE = 0.1


class QueryError(ValueError):
    """The question or a filter is not usable; the message says why."""


def check_question(question: object, settings: Settings) -> str:
    if not isinstance(question, str):
        raise QueryError(f"question must be text, got {type(question).__name__}")
    text = question.strip()
    if not _INVISIBLE.sub("", text).strip():
        raise QueryError("question is empty")
    if len(text) > settings.max_question_chars:
        raise QueryError(
            f"question is {len(text)} characters; the limit is {settings.max_question_chars}"
        )
    return text


def parse_day(text: str, end: bool = False) -> int:
    """'1954', '1954-11' or '1954-11-20' as YYYYMMDD; a partial date is the first day of
    its span, or the last when ``end`` (so --until 1954 includes all of 1954)."""
    # ASCII digits only: \d would also take full-width and Arabic-Indic digits
    m = re.fullmatch(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?", text.strip())
    if not m:
        raise QueryError(f"bad date {text!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m[1]), int(m[2] or (12 if end else 1)), m[3]
    try:
        if day is None:
            last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            d = dt.date(year, month, last if end else 1)
        else:
            d = dt.date(year, month, int(day))
    except ValueError as exc:
        raise QueryError(f"bad date {text!r}: {exc}") from exc
    return date_int(d)


@dataclass(frozen=True)
class Filters:
    """Restrictions applied before ranking (not after, so ``k`` stays full). Dates and
    articles apply inside every leg. Languages say what may be *shown*: the question's
    own language is searched too, and a match there counts for its paragraph pair and is
    shown as its translation; a paragraph with no translation in a shown language is
    left out."""

    langs: tuple[Lang, ...] = LANGS
    since: int | None = None  # YYYYMMDD, inclusive
    until: int | None = None
    article_ids: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise QueryError(f"since ({self.since}) is after until ({self.until})")
        if not self.langs or any(x not in LANGS for x in self.langs):
            raise QueryError(f"languages must be among {LANGS}, got {self.langs}")
        if self.article_ids is not None and not self.article_ids:
            raise QueryError("article_ids is empty")

    @classmethod
    def from_user(
        cls,
        lang: str | None = None,
        since: str | None = None,
        until: str | None = None,
        article_ids: list[str] | None = None,
    ) -> Filters:
        """Filters from the values a person types (CLI options, HTTP parameters)."""
        if lang is not None and lang not in LANGS:
            raise QueryError(f"lang must be one of {LANGS}, got {lang!r}")
        return cls(
            langs=(lang,) if lang else LANGS,
            since=parse_day(since) if since else None,
            until=parse_day(until, end=True) if until else None,
            article_ids=frozenset(article_ids) if article_ids is not None else None,
        )

    @property
    def restricts_chunks(self) -> bool:
        """Whether anything beyond the language narrows the chunks searched."""
        return self.since is not None or self.until is not None or self.article_ids is not None


@dataclass
class Passage:
    """One fused unit, shown by one chunk."""

    chunk: StoredChunk
    score: float  # fused score of the unit
    unit: Unit
    ranks: dict[str, int] = field(default_factory=dict)  # leg -> 1-based rank of the unit


@dataclass
class Retrieval:
    question: str
    language: Lang  # detected language of the question
    prefer: Lang  # language passages and answers are shown in first
    passages: list[Passage]
    tokens: dict[Lang, list[str]]  # query tokens per language (own + dictionary)
    vectors: dict[str, np.ndarray]  # question vector per embedder
    years: frozenset[int]  # years the question names (the year leg; the answer step)


class Retriever:
    def __init__(self, index: Stores, settings: Settings):
        self.index = index
        self.settings = settings

    def legs_for(self, mode: str) -> tuple[bool, set[str] | None]:
        """(use lexical, dense embedder names or None for all) for a mode: 'hybrid',
        'lexical', 'dense', 'dense:<embedder>' or 'hybrid:<embedder>'."""
        kind, _, name = mode.partition(":")
        if kind not in MODES or (name and kind == "lexical"):
            raise QueryError(
                f"unknown mode {mode!r}; use one of {MODES}, 'dense:<embedder>' or "
                "'hybrid:<embedder>'"
            )
        names = {e.name for e in self.index.embedders}
        if name and name not in names:
            raise QueryError(f"no embedder {name!r}; have {sorted(names)}")
        dense = set() if kind == "lexical" else ({name} if name else None)
        return kind != "dense", dense

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str = "hybrid",
        at_least: int = 0,
    ) -> Retrieval:
        """The ``k`` best passages (``top_k`` when None), or ``at_least`` that many: the
        answer step reads more passages than a caller may want shown."""
        s = self.settings
        question = check_question(question, s)
        k = s.top_k if k is None else k
        if not 1 <= k <= s.max_k:
            raise QueryError(f"k must be between 1 and {s.max_k}, got {k}")
        k = max(k, at_least)
        filters = filters or Filters()
        use_lexical, dense_names = self.legs_for(mode)
        qlang = detect_language(question)
        prefer = qlang if qlang in filters.langs else filters.langs[0]
        depth = max(s.candidates, k)

        # Search the question's own language too when the filter shows only the other:
        # every paragraph pair is one unit, so an own-language match shows as its
        # translation (units with no translation in a shown language drop out in _fuse).
        searched = filters.langs if qlang in filters.langs else (*filters.langs, qlang)
        lexical = self.index.lexical
        article_ids = set(filters.article_ids) if filters.article_ids is not None else None
        allowed = {
            lang: lexical.matching(lang, filters.since, filters.until, article_ids)
            if filters.restricts_chunks
            else None
            for lang in searched
        }

        legs: dict[str, list[str]] = {}
        weights: dict[str, float] = {}
        # A paragraph with no text in the question's language is found only by the legs
        # across languages: its dense hits join the own-language ranking (dense_pairs,
        # with their cosines) and the dictionary leg weighs it higher (untranslated_weights).
        dense_pairs: list[tuple[Hits, Hits]] = []  # (own-language leg, a cross-language one)
        untranslated_weights: dict[str, float] = {}
        vectors: dict[str, np.ndarray] = {}
        for e in self.index.embedders:
            if qlang not in e.langs or (dense_names is not None and e.name not in dense_names):
                continue
            vectors[e.name] = e.encode_query(question)
            found_in = {lang: self._dense(e.name, lang, vectors[e.name], depth, allowed[lang])
                        for lang in searched if lang in e.langs}  # fmt: skip
            for lang, found in found_in.items():
                legs[f"dense:{e.name}:{lang}"] = [cid for cid, _ in found]
                weights[f"dense:{e.name}:{lang}"] = (
                    s.weight_dense if lang == qlang else s.weight_dense_cross
                )
            for lang in sorted(found_in.keys() - {qlang}):
                dense_pairs.append(((f"dense:{e.name}:{qlang}", found_in[qlang]),
                                    (f"dense:{e.name}:{lang}", found_in[lang])))  # fmt: skip

        if not use_lexical and not legs:
            readers = [e.spec for e in self.index.embedders
                       if dense_names is None or e.name in dense_names]  # fmt: skip
            raise QueryError(
                f"mode {mode!r} searches with {', '.join(readers) or 'no embedder'}, which "
                f"cannot read a {'Chinese' if qlang == 'zh' else 'English'} question; use "
                "'hybrid', 'lexical' or a multilingual embedder"
            )
        tokens = {qlang: tokenize(question, qlang)}
        if s.dictionary_terms:
            for other in LANGS:
                if other != qlang:
                    tokens[other] = translate_terms(tokens[qlang], qlang, other)
        if use_lexical:
            for lang in searched:
                hits = lexical.search(
                    tokens.get(lang, []), lang, depth, filters.since, filters.until, article_ids
                )
                legs[f"lexical:{lang}"] = [cid for cid, _ in hits]
                weights[f"lexical:{lang}"] = (
                    s.weight_lexical if lang == qlang else s.weight_dictionary
                )
                if lang != qlang:
                    untranslated_weights[f"lexical:{lang}"] = s.weight_dictionary_untranslated

        years = years_in(question)
        passages = self._fuse(legs, weights, untranslated_weights, dense_pairs, prefer, k,
                               years, filters.langs)  # fmt: skip
        return Retrieval(question, qlang, prefer, passages, tokens, vectors, years)

    def _dense(self, embedder: str, lang: Lang, vector: np.ndarray, depth: int,
               allowed: Allowed | None) -> list[tuple[str, float]]:  # fmt: skip
        """One dense leg's hits, within ``allowed`` when a filter is set."""
        store = self.index.store
        if allowed is None:
            return store.query(embedder, lang, vector, depth)
        total = self.index.lexical.size(lang)
        if allowed.count >= POST_FILTER_SHARE * total > 0:
            deep = min(total, int(2 * depth * total / allowed.count) + 1)
            # what a filter keeps is seldom spread evenly over a question's neighbours
            # (dates follow topics): look deeper twice before handing the ids over
            for _ in range(3):
                hits = store.query(embedder, lang, vector, deep)
                kept = [hit for hit in hits if hit[0] in allowed][:depth]
                if len(kept) == depth or deep == total:
                    return kept
                deep = min(total, 4 * deep)
        return store.query(embedder, lang, vector, depth, allowed.ids())

    def _fuse(
        self,
        legs: dict[str, list[str]],
        weights: dict[str, float],
        untranslated_weights: dict[str, float],
        dense_pairs: list[tuple[Hits, Hits]],
        prefer: Lang,
        k: int,
        years: frozenset[int] = frozenset(),
        show_langs: tuple[Lang, ...] = LANGS,
    ) -> list[Passage]:
        # Where each hit belongs, from the catalog: that also drops vectors no commit
        # refers to. Text and tokens are read for the shown chunks only.
        catalog = self.index.catalog
        keys = catalog.chunk_keys({cid for ids in legs.values() for cid in ids})
        if set(show_langs) != set(LANGS):  # a chunk counts if it or its twin can be shown
            keys = {cid: key for cid, key in keys.items()
                    if key.lang in show_langs or key.aligned_id}  # fmt: skip
        rrf_k = self.settings.rrf_k
        unit_of = {cid: (key.article_id, key.pair) for cid, key in keys.items()}
        untranslated = {cid for cid, key in keys.items() if key.aligned_id is None}
        fused = fuse(legs, weights, unit_of, rrf_k, dense_pairs, untranslated,
                     self.settings.dense_language_gap, untranslated_weights)  # fmt: skip
        if years and self.settings.weight_year:
            # One more leg: the units of articles dated in a year the question names, in
            # their fused order ("How many new jobs had Americans created by 1987?").
            year_of = {unit_of[cid]: key.date // 10000 for cid, key in keys.items()}
            dated = [u for u in fused.top(len(fused.units)) if year_of[u] in years]
            add_leg(fused, "year", dated, self.settings.weight_year, rrf_k)
        top = fused.top(k)

        # Show each unit by its best chunk in the preferred language: a matched one, else
        # the translation of its best matched chunk, else the best matched chunk itself.
        best = best_per_unit(fused, unit_of, {cid: key.lang for cid, key in keys.items()})
        first = {u: next(iter(best[u].values())) for u in top}
        twin = {u: keys[first[u]].aligned_id for u in top if prefer not in best[u]}
        rows = catalog.chunks(
            {best[u].get(prefer, first[u]) for u in top} | {t for t in twin.values() if t}
        )
        out = []
        for u in top:
            if prefer in best[u]:
                shown = rows.get(best[u][prefer])
            else:
                shown = rows.get(twin[u] or "") or rows.get(first[u])
            if shown is None or shown.chunk.lang not in show_langs:  # gone meanwhile
                continue
            out.append(Passage(shown, fused.units[u], u, fused.ranks[u]))
        return out
