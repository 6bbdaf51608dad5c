"""The BM25 index, one per language (``bm25s``), over the tokens of ``qa.text``.

The index is derived from the catalog and saved under ``data_dir/lexical/g<generation>``;
``lexical/CURRENT`` names the live one and is replaced atomically, so a reader sees a
whole index or the previous one. ``load`` rebuilds when the saved generation is not the
catalog's (for example after a run killed between its last commit and the save).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.config import LANGS
from qa.store.catalog import Catalog

log = logging.getLogger(__name__)


@dataclass
class _LangIndex:
    ids: list[str]
    dates: np.ndarray  # YYYYMMDD per document, for date filters
    articles: np.ndarray  # article id per document, for article filters
    bm25: object | None  # bm25s.BM25, None when the language has no chunks


class LexicalIndex:
    def __init__(self, generation: int, langs: dict[str, _LangIndex]):
        self.generation = generation
        self.langs = langs

    # --- build, save, load ---------------------------------------------------------------
    @classmethod
    def build(cls, catalog: Catalog) -> LexicalIndex:
        import bm25s

        generation = catalog.generation
        langs: dict[str, _LangIndex] = {}
        for lang in LANGS:
            stored = catalog.all_chunks(lang)
            bm25 = None
            if stored:
                bm25 = bm25s.BM25()
                bm25.index([s.tokens for s in stored], show_progress=False)
            langs[lang] = _LangIndex(
                [s.chunk.id for s in stored],
                np.array([s.date for s in stored], dtype=np.int64),
                np.array([s.chunk.article_id for s in stored], dtype=object),
                bm25,
            )
        return cls(generation, langs)

    def save(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        target = root / f"g{self.generation}"
        tmp = root / f"g{self.generation}.tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for lang, ix in self.langs.items():
            (tmp / lang).mkdir()
            meta = {"ids": ix.ids, "dates": ix.dates.tolist(), "articles": ix.articles.tolist()}
            (tmp / lang / "docs.json").write_text(json.dumps(meta))
            if ix.bm25 is not None:
                ix.bm25.save(str(tmp / lang / "bm25"), show_progress=False)  # type: ignore[attr-defined]
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
        import bm25s

        try:
            name = (root / "CURRENT").read_text().strip()
            langs: dict[str, _LangIndex] = {}
            for lang in LANGS:
                meta = json.loads((root / name / lang / "docs.json").read_text())
                bm25_dir = root / name / lang / "bm25"
                bm25 = (
                    bm25s.BM25.load(str(bm25_dir), show_progress=False)
                    if bm25_dir.exists()
                    else None
                )
                langs[lang] = _LangIndex(
                    meta["ids"],
                    np.array(meta["dates"], dtype=np.int64),
                    np.array(meta["articles"], dtype=object),
                    bm25,
                )
            return cls(int(name.lstrip("g")), langs)
        except (OSError, ValueError, KeyError) as exc:
            log.info("lexical index at %s unreadable (%s)", root, exc)
            return None

    @classmethod
    def load(cls, catalog: Catalog, root: Path) -> LexicalIndex:
        """The saved index if it matches the catalog's generation, else a fresh build."""
        index = cls.read(root)
        if index is None or index.generation != catalog.generation:
            index = cls.build(catalog)
            index.save(root)
        return index

    # --- search --------------------------------------------------------------------------
    def size(self, lang: str) -> int:
        return len(self.langs[lang].ids)

    def idf(self, tokens: list[str], lang: str) -> list[float]:
        """BM25's (Lucene) idf of each token in ``lang``'s chunks; a token no chunk has
        gets the highest idf, so an out-of-corpus word weighs fully against a match."""
        ix = self.langs[lang]
        n = len(ix.ids)
        vocab = getattr(ix.bm25, "vocab_dict", {}) if ix.bm25 is not None else {}
        indptr = ix.bm25.scores["indptr"] if ix.bm25 is not None else None  # type: ignore[attr-defined]
        out = []
        for t in tokens:
            j = vocab.get(t)
            df = int(indptr[j + 1] - indptr[j]) if j is not None and indptr is not None else 0
            out.append(float(np.log(1 + (n - df + 0.5) / (df + 0.5))))
        return out

    def _mask(
        self,
        lang: str,
        since: int | None,
        until: int | None,
        article_ids: set[str] | None,
    ) -> np.ndarray:
        ix = self.langs[lang]
        mask = np.ones(len(ix.ids), dtype=bool)
        if since is not None:
            mask &= ix.dates >= since
        if until is not None:
            mask &= ix.dates <= until
        if article_ids is not None:
            mask &= np.isin(ix.articles, list(article_ids))
        return mask

    def matching(
        self,
        lang: str,
        since: int | None = None,
        until: int | None = None,
        article_ids: set[str] | None = None,
    ) -> list[str]:
        """Ids of the chunks in ``lang`` that pass the filters. The dense legs pass them to
        Chroma: far faster there than a metadata ``where`` (see ``qa.store.vectors``)."""
        ix = self.langs[lang]
        mask = self._mask(lang, since, until, article_ids)
        return [ix.ids[i] for i in np.flatnonzero(mask)]

    def search(
        self,
        tokens: list[str],
        lang: str,
        k: int,
        since: int | None = None,
        until: int | None = None,
        article_ids: set[str] | None = None,
    ) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, BM25 score) with score > 0, after the filters."""
        ix = self.langs[lang]
        if ix.bm25 is None or not tokens or not ix.ids:
            return []
        mask = self._mask(lang, since, until, article_ids)
        if not mask.any():
            return []
        docs, scores = ix.bm25.retrieve(  # type: ignore[attr-defined]
            [tokens], k=min(k, len(ix.ids)), weight_mask=mask.astype(np.float32),
            show_progress=False,
        )  # fmt: skip
        return [(ix.ids[i], float(x)) for i, x in zip(docs[0], scores[0], strict=True) if x > 0]
