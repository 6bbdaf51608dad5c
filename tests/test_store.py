from qa.store import VectorStore


def test_upsert_query_filter_delete(settings, embedders):
    store = VectorStore(settings, embedders)
    name = embedders[0].name
    vecs = embedders[0].encode(["iron plates", "township meetings", "cadres learn"])
    metas = [
        {"article_id": a, "lang": "en", "date": d}
        for a, d in [("a", 19541120), ("b", 19551205), ("a", 19541120)]
    ]
    store.upsert(name, ["1", "2", "3"], vecs, ["x", "y", "z"], metas)
    store.upsert(name, ["1", "2", "3"], vecs, ["x", "y", "z"], metas)  # idempotent
    assert store.counts()[name] == 3
    hits = store.query(name, vecs[1], 3)
    assert hits[0][0] == "2" and abs(hits[0][1] - 1.0) < 1e-3
    assert [i for i, _ in store.query(name, vecs[1], 3, where={"date": {"$lt": 19550101}})] != []
    assert "2" not in [
        i for i, _ in store.query(name, vecs[1], 3, where={"date": {"$lt": 19550101}})
    ]
    store.delete(["1", "3"])
    assert store.ids(name) == {"2"}
    # configured as cosine space without Chroma's downloading default embedding function
    col = store.collections[name]
    assert col.configuration["hnsw"]["space"] == "cosine"
    assert col.configuration.get("embedding_function") is None
