"""The BM25 index, one per language, over the tokens of ``qa.text``: a main segment
(``bm25s``) and a small delta of the chunks committed since, as in Lucene's segments.

- The main segment is built from the catalog and saved under
  ``data_dir/lexical/g<generation>``; ``lexical/CURRENT`` names the live one and is
  replaced atomically, so a reader sees a whole segment or the previous one.
- A write does not rebuild it. The delta (chunks the catalog has and the main segment
  lacks) and the deletions (chunks the main segment has and the catalog no longer does)
  are worked out from the catalog, the commit point: from its change log, the chunks
  each commit since the main segment added and removed (or, when the log does not reach
  back that far, by comparing every committed chunk id). They are never saved, so a run
  killed anywhere leaves nothing to repair. Deleted chunks are masked out of the main
  segment's results.
- Delta chunks are scored at query time with the same BM25 (Lucene's variant, k1 1.5,
  b 0.75, as ``bm25s``) over the statistics of both segments together. The main
  segment's scores keep the statistics it was built with (as Lucene keeps deleted
  documents in its statistics until a merge); the delta is small next to it.
- A merge is a rebuild of the main segment from the catalog, once the delta holds more
  than ``QA_LEXICAL_DELTA_MAX`` chunks, and whenever the main segment cannot be read;
  it prunes the change log up to its generation.
- A search ranks only the documents that hold a query token; a filter is a mask over
  the main segment (``Allowed`` lets the dense legs test membership without a list).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import LANGS
from qa.store.catalog import Catalog, StoredChunk

log = logging.getLogger(__name__)

K1, B = 1.5, 0.75  # bm25s' defaults, which the main segment is built with


@dataclass
class _Main:
    ids: list[str]
    dates: np.ndarray  # YYYYMMDD per document, for date filters
    articles: np.ndarray  # article id per document, for article filters
    bm25: Any  # bm25s.BM25 (no type stubs), None when the language has no chunks
    avgdl: float  # mean document length in tokens

    @cached_property
    def positions(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.ids)}

    def df(self, token: str) -> int:
        if self.bm25 is None:
            return 0
        j = self.bm25.vocab_dict.get(token)
        indptr = self.bm25.scores["indptr"]
        return 0 if j is None else int(indptr[j + 1] - indptr[j])


@dataclass
class _Delta:
    ids: list[str] = field(default_factory=list)
    dates: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    articles: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    tf: list[Counter[str]] = field(default_factory=list)  # term counts per document
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0))
    df: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, stored: list[StoredChunk]) -> _Delta:
        tf = [Counter(s.tokens) for s in stored]
        return cls(
            [s.chunk.id for s in stored],
            np.array([s.date for s in stored], dtype=np.int64),
            np.array([s.chunk.article_id for s in stored], dtype=object),
            tf,
            np.array([len(s.tokens) for s in stored], dtype=np.float64),
            Counter(t for counts in tf for t in counts),
        )


@dataclass
class Allowed:
    """The chunks of one language that pass a date or article filter, counted and tested
    without listing them (at 1M chunks a year keeps some 500k ids)."""

    main: _Main
    keep: np.ndarray  # over the main segment's documents
    delta_ids: list[str]  # the delta's that pass

    @cached_property
    def count(self) -> int:
        return int(self.keep.sum()) + len(self.delta_ids)

    @cached_property
    def _delta(self) -> frozenset[str]:
        return frozenset(self.delta_ids)

    def __contains__(self, chunk_id: object) -> bool:
        at = self.main.positions.get(chunk_id) if isinstance(chunk_id, str) else None
        return bool(self.keep[at]) if at is not None else chunk_id in self._delta

    def ids(self) -> list[str]:
        return [self.main.ids[i] for i in np.flatnonzero(self.keep)] + self.delta_ids


def bm25_idf(n: int, df: int) -> float:
    """Lucene's idf, as ``bm25s`` computes it."""
    return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))


def bm25_scores(tf: list[Counter[str]], lengths: np.ndarray, idf: dict[str, float],
                avgdl: float) -> np.ndarray:  # fmt: skip
    """BM25 (Lucene's variant) of each document (term counts ``tf``, ``lengths`` in
    tokens) for the query terms weighted by ``idf``."""
    out = np.zeros(len(tf))
    norm = K1 * (1 - B + B * lengths / max(avgdl, 1e-9))
    for t, w in idf.items():
        counts = np.array([d.get(t, 0) for d in tf], dtype=np.float64)
        out += w * counts / (counts + norm)
    return out


def _filtered(dates: np.ndarray, articles: np.ndarray, since: int | None, until: int | None,
              article_ids: set[str] | None) -> np.ndarray:  # fmt: skip
    mask = np.ones(len(dates), dtype=bool)
    if since is not None:
        mask &= dates >= since
    if until is not None:
        mask &= dates <= until
    if article_ids is not None:
        mask &= np.isin(articles, list(article_ids))
    return mask


class LexicalIndex:
    def __init__(
        self,
        generation: int,
        main: dict[str, _Main],
        deleted: dict[str, np.ndarray] | None = None,
        delta: dict[str, _Delta] | None = None,
        main_generation: int | None = None,
    ):
        self.generation = generation  # the catalog's, which this index reflects
        self.main_generation = generation if main_generation is None else main_generation
        self.main = main
        self.deleted = deleted or {
            lang: np.zeros(len(m.ids), dtype=bool) for lang, m in main.items()
        }
        self.delta = delta or {lang: _Delta() for lang in main}

    @property
    def langs(self) -> list[str]:
        return list(self.main)

    @property
    def delta_size(self) -> int:
        """Chunks added or deleted since the main segment was built."""
        added = sum(len(d.ids) for d in self.delta.values())
        return added + sum(int(m.sum()) for m in self.deleted.values())

    # --- build, save, load ---------------------------------------------------------------
    @classmethod
    def build(cls, catalog: Catalog) -> LexicalIndex:
        """A main segment of every committed chunk (the merge)."""
        import bm25s

        generation = catalog.generation
        main: dict[str, _Main] = {}
        for lang in LANGS:
            # Each distinct token is one string object: at 1M chunks, a string per
            # occurrence (and each chunk's text, read along) took the merge to 8.4 GB.
            shared: dict[str, str] = {}
            ids, dates, articles, docs = [], [], [], []
            for cid, date, article_id, tokens in catalog.lexical_rows(lang):
                ids.append(cid)
                dates.append(date)
                articles.append(article_id)
                docs.append([shared.setdefault(t, t) for t in tokens.split()])
            bm25 = None
            if docs:
                bm25 = bm25s.BM25(k1=K1, b=B)
                bm25.index(docs, show_progress=False)
            main[lang] = _Main(
                ids,
                np.array(dates, dtype=np.int64),
                np.array(articles, dtype=object),
                bm25,
                float(np.mean([len(d) for d in docs])) if docs else 0.0,
            )
        return cls(generation, main)

    def with_catalog(self, catalog: Catalog) -> LexicalIndex:
        """This main segment, with the delta and deletions that bring it to the catalog's
        generation (read first: a commit meanwhile only makes the next call redo this)."""
        generation = catalog.generation
        log = catalog.changes(self.main_generation, generation)
        if log is None:  # the log does not reach back to the main segment: compare all
            committed = catalog.chunk_langs()
            deleted = {
                lang: np.fromiter((cid not in committed for cid in m.ids), bool, len(m.ids))
                for lang, m in self.main.items()
            }
        else:  # what the commits since the main segment added and removed, last one wins
            state = {cid: (lang, live) for cid, lang, live in log}
            committed = {cid: lang for cid, (lang, live) in state.items() if live}
            deleted = {lang: np.zeros(len(m.ids), dtype=bool) for lang, m in self.main.items()}
            for cid, (lang, live) in state.items():
                at = self.main[lang].positions.get(cid)
                if at is not None and not live:
                    deleted[lang][at] = True
        new = [cid for cid, lang in committed.items() if cid not in self.main[lang].positions]
        stored = catalog.chunks(new)
        delta = {
            lang: _Delta.of([s for s in stored.values() if s.chunk.lang == lang])
            for lang in self.main
        }
        return LexicalIndex(generation, self.main, deleted, delta, self.main_generation)

    def save(self, root: Path) -> None:
        """Save the main segment (a delta is never saved: the catalog holds it)."""
        root.mkdir(parents=True, exist_ok=True)
        target = root / f"g{self.main_generation}"
        tmp = root / f"g{self.main_generation}.tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for lang, m in self.main.items():
            (tmp / lang).mkdir()
            meta = {"ids": m.ids, "dates": m.dates.tolist(), "articles": m.articles.tolist(),
                    "avgdl": m.avgdl}  # fmt: skip
            (tmp / lang / "docs.json").write_text(json.dumps(meta))
            if m.bm25 is not None:
                m.bm25.save(str(tmp / lang / "bm25"), show_progress=False)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
        pointer = root / "CURRENT.tmp"
        pointer.write_text(target.name)
        os.replace(pointer, root / "CURRENT")
        for old in root.iterdir():  # earlier generations and leftovers of killed saves
            if old.is_dir() and old.name != target.name:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def read(cls, root: Path) -> LexicalIndex | None:
        """The saved main segment, or None (missing, damaged, or saved before segments
        recorded their mean length)."""
        import bm25s

        try:
            name = (root / "CURRENT").read_text().strip()
            main: dict[str, _Main] = {}
            for lang in LANGS:
                meta = json.loads((root / name / lang / "docs.json").read_text())
                bm25_dir = root / name / lang / "bm25"
                bm25 = (
                    bm25s.BM25.load(str(bm25_dir), show_progress=False)
                    if bm25_dir.exists()
                    else None
                )
                main[lang] = _Main(
                    meta["ids"],
                    np.array(meta["dates"], dtype=np.int64),
                    np.array(meta["articles"], dtype=object),
                    bm25,
                    float(meta["avgdl"]),
                )
            return cls(int(name.lstrip("g")), main)
        except (OSError, ValueError, KeyError) as exc:
            log.info("lexical index at %s unreadable (%s)", root, exc)
            return None

    @classmethod
    def load(cls, catalog: Catalog, root: Path, delta_max: int) -> LexicalIndex:
        """The saved main segment brought to the catalog's generation by a delta, or a
        fresh main segment (saved) when there is none or the delta would be too large."""
        index = cls.read(root)
        if index is None:
            return cls.merged(catalog, root)
        return index.updated(catalog, root, delta_max)

    def updated(self, catalog: Catalog, root: Path, delta_max: int) -> LexicalIndex:
        """This index brought to the catalog's generation: by a delta, or by a merge (a
        rebuild, saved) once the delta holds more than ``delta_max`` chunks."""
        if self.generation == catalog.generation:
            return self
        index = self.with_catalog(catalog)
        if index.delta_size > delta_max:
            index = self.merged(catalog, root)
        return index

    @classmethod
    def merged(cls, catalog: Catalog, root: Path) -> LexicalIndex:
        """A new main segment of every committed chunk, saved; the catalog's change log
        before it is no longer needed."""
        index = cls.build(catalog)
        index.save(root)
        catalog.prune_changes(index.main_generation)
        return index

    # --- search --------------------------------------------------------------------------
    def ids(self, lang: str) -> list[str]:
        """The chunk ids searched in ``lang``: the main segment's live ones, then the
        delta's."""
        m = self.main[lang]
        live = [m.ids[i] for i in np.flatnonzero(~self.deleted[lang])]
        return live + self.delta[lang].ids

    def size(self, lang: str) -> int:
        """Documents searched in ``lang``: the main segment's live ones and the delta's."""
        return int((~self.deleted[lang]).sum()) + len(self.delta[lang].ids)

    def _stats(self, lang: str) -> tuple[int, float]:
        """(documents, mean length) over both segments."""
        m, d = self.main[lang], self.delta[lang]
        n = len(m.ids) + len(d.ids)
        total = m.avgdl * len(m.ids) + float(d.lengths.sum())
        return n, total / n if n else 0.0

    def _live(self, lang: str, since: int | None, until: int | None,
              article_ids: set[str] | None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """(mask over the main segment, indices into the delta) of the chunks that pass the
        filters and are not deleted."""
        m, d = self.main[lang], self.delta[lang]
        keep = _filtered(m.dates, m.articles, since, until, article_ids) & ~self.deleted[lang]
        fresh = np.flatnonzero(_filtered(d.dates, d.articles, since, until, article_ids))
        return keep, fresh

    def idf(self, tokens: list[str], lang: str) -> list[float]:
        """BM25's (Lucene) idf of each token in ``lang``'s chunks; a token no chunk has
        gets the highest idf, so an out-of-corpus word weighs fully against a match."""
        m, d = self.main[lang], self.delta[lang]
        n, _ = self._stats(lang)
        return [bm25_idf(n, m.df(t) + d.df.get(t, 0)) for t in tokens]

    def matching(
        self,
        lang: str,
        since: int | None = None,
        until: int | None = None,
        article_ids: set[str] | None = None,
    ) -> Allowed:
        """The chunks in ``lang`` that pass the filters. The dense legs filter by them: by
        their ids handed to Chroma (far faster there than a metadata ``where``: see
        ``qa.store.vectors``) or, for a broad filter, after an unfiltered search
        (``qa.search.retrieve``)."""
        keep, fresh = self._live(lang, since, until, article_ids)
        return Allowed(self.main[lang], keep, [self.delta[lang].ids[i] for i in fresh])

    def search(
        self,
        tokens: list[str],
        lang: str,
        k: int,
        since: int | None = None,
        until: int | None = None,
        article_ids: set[str] | None = None,
    ) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, BM25 score) with score > 0, after the filters, over both
        segments."""
        if not tokens:
            return []
        m, d = self.main[lang], self.delta[lang]
        hits: list[tuple[str, float]] = []
        mask, fresh = self._live(lang, since, until, article_ids)
        if m.bm25 is not None and mask.any():
            # bm25s's retrieve ranks every document; only those holding a query token can
            # score: ranking just them took an English BM25 leg at 1M chunks from 9.7 to
            # 1.3 ms, with the same scores
            scores = m.bm25.get_scores(tokens, weight_mask=mask.astype(np.float32))
            found = np.flatnonzero(scores > 0)
            if len(found) > k:
                found = found[np.argpartition(-scores[found], k - 1)[:k]]
            found = found[np.lexsort((found, -scores[found]))]  # best first, ties by position
            hits += [(m.ids[i], float(scores[i])) for i in found]
        if len(fresh):
            terms = sorted(set(tokens))
            idf = dict(zip(terms, self.idf(terms, lang), strict=True))
            weights = {t: w * tokens.count(t) for t, w in idf.items()}  # a repeated term counts
            _, avgdl = self._stats(lang)
            scores = bm25_scores([d.tf[i] for i in fresh], d.lengths[fresh], weights, avgdl)
            hits += [(d.ids[i], float(x)) for i, x in zip(fresh, scores, strict=True)]
        hits = [h for h in hits if h[1] > 0]
        hits.sort(key=lambda h: -h[1])
        return hits[:k]
