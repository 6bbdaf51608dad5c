"""The catalog: a SQLite file that records which articles and chunks are committed.

It is the index's source of truth. Chroma holds vectors and the lexical index holds BM25
statistics, but a chunk exists only once the catalog says so: the indexer writes vectors
first and commits the catalog after, in one transaction per batch, so a run killed at
any point leaves the last committed state intact. Vectors that a killed run wrote but
never committed are orphans; the next run deletes them. The catalog's ``generation``
goes up with every commit, so derived indexes can tell whether they are stale.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, NamedTuple

from qa.config import Lang
from qa.store.records import Article, Chunk, Paragraph, Part

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    date INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    lang TEXT NOT NULL,
    paragraph INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    pair INTEGER NOT NULL,
    aligned_id TEXT,
    date INTEGER NOT NULL,
    text TEXT NOT NULL,
    tokens TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE TABLE IF NOT EXISTS sentences (
    chunk_id TEXT PRIMARY KEY,
    reader TEXT NOT NULL,
    vectors BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    generation INTEGER NOT NULL,
    chunk_id TEXT NOT NULL,
    lang TEXT NOT NULL,
    live INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_generation ON changes(generation);
"""


def date_int(date: dt.date) -> int:
    """Dates are stored as YYYYMMDD integers so that ranges filter numerically."""
    return date.year * 10000 + date.month * 100 + date.day


@dataclass(frozen=True)
class StoredChunk:
    chunk: Chunk
    date: int
    tokens: list[str]


class ChunkKey(NamedTuple):
    """What fusion needs of a hit: where it belongs, not its text or tokens."""

    article_id: str
    lang: Lang
    pair: int
    date: int
    aligned_id: str | None


def _article_data(article: Article) -> str:
    return json.dumps(
        {
            "page": article.page,
            "author": article.author,
            "column": article.column,
            "parts": {
                lang: {"title": p.title, "paragraphs": [[x.text, x.kind] for x in p.paragraphs]}
                for lang, p in article.parts.items()
            },
        },
        ensure_ascii=False,
    )


class Catalog:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # One connection shared by threads (the API's workers), serialised by a lock.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._check_changes()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def _named(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Rows read by column name: a column reordered in the SQL or a field in ``Chunk``
        cannot silently swap two integers (paragraph, start, end, pair)."""
        with self._lock:
            cur = self._db.cursor()
            cur.row_factory = sqlite3.Row
            return cur.execute(sql, tuple(args)).fetchall()

    # --- meta ----------------------------------------------------------------------------
    def get_meta(self, key: str, default: str = "") -> str:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def generation(self) -> int:
        return int(self.get_meta("generation", "0"))

    # --- the change log ------------------------------------------------------------------
    # Every commit records, in its own transaction, the chunks it added and removed, so the
    # lexical index can work out its delta from what changed since its main segment was
    # built instead of comparing every committed chunk id with it (140 ms a write at 100k
    # chunks). The log is complete for generations after ``changes_since`` and up to
    # ``changes_through``; a reader whose main segment is older falls back to the scan.
    def _check_changes(self) -> None:
        """A catalog committed to by code that kept no log (built before it, or by an older
        version since) has a log with gaps: start it afresh from the current generation."""
        if self.get_meta("changes_through") == str(self.generation):
            return
        with self._tx() as db:
            (gen,) = db.execute(
                "SELECT COALESCE((SELECT value FROM meta WHERE key = 'generation'), '0')"
            ).fetchone()
            db.execute("DELETE FROM changes")
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           [("changes_since", gen), ("changes_through", gen)])  # fmt: skip

    def changes(self, after: int, upto: int) -> list[tuple[str, str, bool]] | None:
        """(chunk id, language, live) for every chunk added (live) or removed by the
        commits after generation ``after`` up to ``upto``, in commit order; None when the
        log does not reach back that far (pruned, or started later)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT value FROM meta WHERE key = 'changes_since'"
            ).fetchall()  # fmt: skip
            if not rows or int(rows[0][0]) > after:
                return None
            found = self._db.execute(
                "SELECT chunk_id, lang, live FROM changes WHERE generation > ? "
                "AND generation <= ? ORDER BY rowid",
                (after, upto),
            ).fetchall()
        return [(cid, lang, bool(live)) for cid, lang, live in found]

    def prune_changes(self, upto: int) -> None:
        """Forget the changes up to generation ``upto`` (a main segment built there has them
        all); a reader whose main segment is older then scans instead."""
        with self._tx() as db:
            db.execute("DELETE FROM changes WHERE generation <= ?", (upto,))
            db.execute(
                "UPDATE meta SET value = MAX(CAST(value AS INTEGER), ?) "
                "WHERE key = 'changes_since'",
                (upto,),
            )

    # --- writes --------------------------------------------------------------------------
    def commit(
        self,
        articles: list[Article],
        chunks: list[StoredChunk],
        remove: Iterable[str] = (),
        meta: dict[str, str] | None = None,
        sentences: dict[str, bytes] | None = None,
        reader: str = "",
    ) -> set[str]:
        """Atomically replace ``articles`` (with their ``chunks``, and their chunks'
        ``sentences``: chunk id -> vectors under ``reader``) and delete the articles in
        ``remove``. Returns the ids of chunks that are no longer committed."""
        ids = [a.id for a in articles] + list(remove)
        with self._tx() as db:
            gone: dict[str, str] = {}  # chunk id -> language
            for aid in ids:
                gone.update(db.execute("SELECT id, lang FROM chunks WHERE article_id=?", (aid,)))
                db.execute(
                    "DELETE FROM sentences WHERE chunk_id IN "
                    "(SELECT id FROM chunks WHERE article_id = ?)",
                    (aid,),
                )
                db.execute("DELETE FROM chunks WHERE article_id = ?", (aid,))
                db.execute("DELETE FROM articles WHERE id = ?", (aid,))
            db.executemany(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?)",
                [
                    (a.id, a.source, a.content_hash, date_int(a.date), _article_data(a))
                    for a in articles
                ],
            )
            db.executemany(
                f"INSERT INTO chunks ({self._CHUNK_COLS}) "
                f"VALUES ({', '.join('?' * (len(self._CHUNK_FIELDS) + 2))})",
                [
                    (*(getattr(s.chunk, f) for f in self._CHUNK_FIELDS), s.date,
                     " ".join(s.tokens))
                    for s in chunks
                ],
            )  # fmt: skip
            db.executemany(
                "INSERT OR REPLACE INTO sentences VALUES (?, ?, ?)",
                [(cid, reader, blob) for cid, blob in (sentences or {}).items()],
            )
            generation = self.generation + 1
            removed = gone.keys() - {s.chunk.id for s in chunks}
            db.executemany(
                "INSERT INTO changes VALUES (?, ?, ?, ?)",
                [(generation, cid, gone[cid], 0) for cid in sorted(removed)]
                + [(generation, s.chunk.id, s.chunk.lang, 1) for s in chunks],
            )
            for key, value in {**(meta or {}), "generation": str(generation),
                               "changes_through": str(generation)}.items():  # fmt: skip
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
            return set(removed)

    def add_sentences(self, reader: str, sentences: dict[str, bytes]) -> None:
        """Store sentence vectors for chunks committed without them (or under another
        reader); a chunk removed meanwhile gets none. Content is unchanged, so the
        generation stays as it is."""
        with self._tx() as db:
            db.executemany(
                "INSERT OR REPLACE INTO sentences SELECT ?, ?, ? "
                "WHERE EXISTS (SELECT 1 FROM chunks WHERE id = ?)",
                [(cid, reader, blob, cid) for cid, blob in sentences.items()],
            )

    def set_sources(self, sources: dict[str, str]) -> None:
        """Record where articles come from (article id -> source); content and chunks are
        unchanged, so the generation stays as it is."""
        with self._tx() as db:
            db.executemany(
                "UPDATE articles SET source = ? WHERE id = ?", [(s, a) for a, s in sources.items()]
            )

    # --- reads ---------------------------------------------------------------------------
    def article_index(self) -> dict[str, tuple[str, str]]:
        """article id -> (source, content hash), for incremental indexing."""
        return {
            r[0]: (r[1], r[2]) for r in self._query("SELECT id, source, content_hash FROM articles")
        }

    def chunk_ids_of(self, article_ids: Iterable[str]) -> set[str]:
        """The chunk ids of these articles, in one query (a JSON array: no limit on how
        many ids, as SQL parameters would have)."""
        rows = self._query(
            "SELECT id FROM chunks WHERE article_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(article_ids)),),
        )
        return {r[0] for r in rows}

    def chunk_ids(self) -> set[str]:
        return {r[0] for r in self._query("SELECT id FROM chunks")}

    def chunk_langs(self) -> dict[str, str]:
        """chunk id -> language, for every committed chunk."""
        return dict(self._query("SELECT id, lang FROM chunks"))

    def counts(self) -> dict[str, Any]:
        langs = dict(self._query("SELECT lang, COUNT(*) FROM chunks GROUP BY lang"))
        (articles,) = self._query("SELECT COUNT(*) FROM articles")[0]
        return {
            "articles": articles,
            "chunks": {"en": langs.get("en", 0), "zh": langs.get("zh", 0)},
        }

    # Chunk's fields, then the two columns StoredChunk adds; read back by name.
    _CHUNK_FIELDS = tuple(f.name for f in fields(Chunk))
    _CHUNK_COLS = ", ".join(f'"{c}"' for c in (*_CHUNK_FIELDS, "date", "tokens"))

    @classmethod
    def _stored(cls, row: sqlite3.Row) -> StoredChunk:
        chunk = Chunk(**{f: row[f] for f in cls._CHUNK_FIELDS})
        return StoredChunk(chunk, row["date"], row["tokens"].split())

    @staticmethod
    def _in_parts(ids: Iterable[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
        """``ids`` a few hundred at a time (SQLite bounds a statement's parameters), each
        part with the ``?,?,…`` of an ``IN (…)`` over it."""
        ids = list(ids)
        for i in range(0, len(ids), size):
            part = ids[i : i + size]
            yield part, ",".join("?" * len(part))

    def chunks(self, ids: Iterable[str]) -> dict[str, StoredChunk]:
        out: dict[str, StoredChunk] = {}
        for part, marks in self._in_parts(ids):
            for row in self._named(
                f"SELECT {self._CHUNK_COLS} FROM chunks WHERE id IN ({marks})", part
            ):
                out[row["id"]] = self._stored(row)
        return out

    def chunk_keys(self, ids: Iterable[str]) -> dict[str, ChunkKey]:
        """``ChunkKey`` of each committed chunk among ``ids``: a question's legs return a
        few hundred hits, and reading their text and tokens took most of fusion's time
        (3.7 ms of a 25 ms ask at 100k chunks)."""
        out: dict[str, ChunkKey] = {}
        for part, marks in self._in_parts(ids):
            for cid, *key in self._query(
                "SELECT id, article_id, lang, pair, date, aligned_id FROM chunks "
                f"WHERE id IN ({marks})",
                part,
            ):
                out[cid] = ChunkKey(*key)
        return out

    def sentence_counts(self) -> dict[str, int]:
        """Chunks with stored sentence vectors, per reader."""
        return dict(self._query("SELECT reader, COUNT(*) FROM sentences GROUP BY reader"))

    def sentence_vectors(self, ids: Iterable[str], reader: str) -> dict[str, bytes]:
        """Chunk id -> its stored sentence vectors under ``reader``, for those that have
        them (``qa.store.sentences``)."""
        out: dict[str, bytes] = {}
        for part, marks in self._in_parts(ids):
            out.update(self._query(
                f"SELECT chunk_id, vectors FROM sentences WHERE reader = ? "
                f"AND chunk_id IN ({marks})", [reader, *part],
            ))  # fmt: skip
        return out

    def chunks_without_sentences(self, reader: str, langs: Iterable[str]) -> list[StoredChunk]:
        """Committed chunks in ``langs`` with no sentence vectors under ``reader``."""
        langs = list(langs)
        rows = self._named(
            f"SELECT {', '.join('c.' + c for c in self._CHUNK_COLS.split(', '))} FROM chunks c "
            "LEFT JOIN sentences s ON s.chunk_id = c.id AND s.reader = ? "
            f"WHERE s.chunk_id IS NULL AND c.lang IN ({','.join('?' * len(langs))}) "
            "ORDER BY c.id",
            [reader, *langs],
        )
        return [self._stored(r) for r in rows]

    def unit_chunks(self, article_id: str, pair: int, lang: str) -> list[StoredChunk]:
        """The chunks of one aligned paragraph pair in one language, in text order."""
        rows = self._named(
            f"SELECT {self._CHUNK_COLS} FROM chunks WHERE article_id = ? AND pair = ? "
            "AND lang = ? ORDER BY paragraph, start",
            (article_id, pair, lang),
        )
        return [self._stored(r) for r in rows]

    def all_chunks(self, lang: str) -> list[StoredChunk]:
        rows = self._named(
            f"SELECT {self._CHUNK_COLS} FROM chunks WHERE lang = ? ORDER BY id", (lang,)
        )
        return [self._stored(r) for r in rows]

    def lexical_rows(self, lang: str, page: int = 20_000) -> Iterator[tuple[str, int, str, str]]:
        """(id, date, article id, tokens joined by spaces) of every chunk in ``lang``, by id:
        what a BM25 segment is built from, without the text. Read a page at a time, so
        other threads keep the catalog meanwhile; a commit between pages is in the change
        log after the generation the caller read first, and replayed from there."""
        after = ""
        while True:
            rows = self._query(
                "SELECT id, date, article_id, tokens FROM chunks WHERE lang = ? AND id > ? "
                "ORDER BY id LIMIT ?",
                (lang, after, page),
            )
            yield from rows
            if len(rows) < page:
                return
            after = rows[-1][0]

    def article(self, article_id: str) -> Article | None:
        rows = self._query(
            "SELECT id, source, content_hash, date, data FROM articles WHERE id = ?", (article_id,)
        )
        if not rows:
            return None
        aid, source, chash, date, data = rows[0]
        d = json.loads(data)
        parts = {
            lang: Part(
                lang,
                p["title"],
                tuple(Paragraph(i, text, kind) for i, (text, kind) in enumerate(p["paragraphs"])),
            )
            for lang, p in d["parts"].items()
        }
        day = dt.date(date // 10000, date // 100 % 100, date % 100)
        return Article(aid, day, d["page"], d["author"], d["column"], parts, source, chash)

    def paragraph_pairs(self, article_id: str) -> dict[tuple[str, int], int]:
        """(lang, paragraph) -> alignment bead, for every body paragraph of an article."""
        rows = self._query(
            "SELECT DISTINCT lang, paragraph, pair FROM chunks WHERE article_id = ?", (article_id,)
        )
        return {(lang, para): pair for lang, para, pair in rows}

    def article_ids(self, offset: int = 0, limit: int = -1, by_date: bool = False) -> list[str]:
        """Article ids a page at a time, by id or by date (then id)."""
        order = "date, id" if by_date else "id"
        return [
            r[0]
            for r in self._query(
                f"SELECT id FROM articles ORDER BY {order} LIMIT ? OFFSET ?", (limit, offset)
            )
        ]
