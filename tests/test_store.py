import pytest

from qa.store.vectors import VectorStore


def test_upsert_query_filter_delete(settings, embedders):
    store = VectorStore(settings, embedders)
    e = next(e for e in embedders if set(e.langs) == {"en", "zh"})
    vecs = e.encode(["iron plates", "township meetings", "cadres learn", "铁板"])
    for _ in range(2):  # idempotent
        store.upsert(e.name, "en", ["1", "2", "3"], vecs[:3])
        store.upsert(e.name, "zh", ["4"], vecs[3:])
    # each vector went to its language's collection, and nothing but ids and vectors did
    assert store.counts()[e.name] == {"en": 3, "zh": 1}
    got = store.collections[e.name, "en"].get(ids=["1"], include=["documents", "metadatas"])
    assert got["documents"] == [None] and got["metadatas"] == [None]
    with pytest.raises(ValueError, match="no collection for 'fr'"):
        store.upsert(e.name, "fr", ["5"], vecs[:1])
    hits = store.query(e.name, "en", vecs[1], 3)
    assert hits[0][0] == "2" and abs(hits[0][1] - 1.0) < 1e-3
    assert [i for i, _ in store.query(e.name, "zh", vecs[1], 3)] == ["4"]
    # restricted to given ids, the nearest one outside them is not returned
    assert [i for i, _ in store.query(e.name, "en", vecs[1], 3, ids=["1", "3"])] in (
        ["1", "3"], ["3", "1"]
    )  # fmt: skip
    assert store.query(e.name, "en", vecs[1], 3, ids=[]) == []
    store.delete(["1", "3", "4"])
    assert store.ids(e.name) == {"2"}
    # configured as cosine space without Chroma's downloading default embedding function
    col = store.collections[e.name, "en"]
    assert col.configuration["hnsw"]["space"] == "cosine"
    assert col.configuration.get("embedding_function") is None


def test_ef_search_is_set_on_collections_made_before(settings, embedders):
    store = VectorStore(settings.model_copy(update={"hnsw_ef_search": 100}), embedders)
    assert store.collections[embedders[0].name, "en"].configuration["hnsw"]["ef_search"] == 100
    del store
    wider = VectorStore(settings.model_copy(update={"hnsw_ef_search": 400}), embedders)
    for col in wider.collections.values():
        assert col.configuration["hnsw"]["ef_search"] == 400
        assert col.configuration["hnsw"]["space"] == "cosine"  # the rest kept


def test_chunk_keys_say_where_a_chunk_belongs_as_its_full_row_does(seeded):
    """Fusion reads only these; they must agree with the full rows, and leave out ids the
    catalog does not hold (vectors no commit refers to)."""
    rows = {sc.chunk.id: sc for lang in ("en", "zh") for sc in seeded.catalog.all_chunks(lang)}
    keys = seeded.catalog.chunk_keys([*rows, "not-committed"])
    assert set(keys) == set(rows)
    for cid, key in keys.items():
        c = rows[cid].chunk
        assert key == (c.article_id, c.lang, c.pair, rows[cid].date, c.aligned_id)
    assert any(key.aligned_id for key in keys.values())
    assert any(key.pair > 0 for key in keys.values())


def test_lexical_rows_page_through_every_chunk_in_id_order(seeded):
    """The BM25 build reads these a page at a time: a page boundary must neither drop nor
    repeat a chunk (7 pages of 3 over the seeds' Chinese chunks, the last one short)."""
    for lang in ("en", "zh"):
        want = [(sc.chunk.id, sc.date, sc.chunk.article_id, sc.tokens)
                for sc in seeded.catalog.all_chunks(lang)]  # fmt: skip
        for page in (3, len(want), 10_000):
            got = [(cid, date, aid, tokens.split())
                   for cid, date, aid, tokens in seeded.catalog.lexical_rows(lang, page)]  # fmt: skip
            assert got == want, (lang, page)


def test_ids_go_to_sqlite_a_few_hundred_at_a_time():
    from qa.store.catalog import Catalog

    ids = [f"c{i}" for i in range(1001)]
    parts = list(Catalog._in_parts(ids))
    assert [len(p) for p, _ in parts] == [500, 500, 1]
    assert [m.count("?") for _, m in parts] == [500, 500, 1]
    assert [i for p, _ in parts for i in p] == ids


def test_a_write_is_tried_again_while_sqlite_is_locked(monkeypatch):
    """Reopening a collection to change ef_search met "database is locked" once in CI: the
    write is tried again while that is the error, and any other error is raised at once."""
    from qa.store import vectors

    monkeypatch.setattr(vectors.time, "sleep", lambda s: None)
    calls: list[int] = []

    def locked_twice() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("Database error: (code: 5) database is locked")
        return "written"

    assert vectors._when_unlocked(locked_twice) == "written" and len(calls) == 3

    def broken() -> None:
        calls.append(1)
        raise RuntimeError("no such table")

    calls.clear()
    with pytest.raises(RuntimeError, match="no such table"):
        vectors._when_unlocked(broken)
    assert len(calls) == 1

    def always_locked() -> None:
        calls.append(1)
        raise RuntimeError("database is locked")

    calls.clear()
    with pytest.raises(RuntimeError, match="locked"):
        vectors._when_unlocked(always_locked, tries=3)
    assert len(calls) == 3
