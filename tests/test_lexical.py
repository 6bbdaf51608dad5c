import pytest
from conftest import YANGQUAN

from qa.store.lexical import LexicalIndex
from qa.text import tokenize, with_base_forms


def test_english_stems_bring_word_forms_together():
    assert tokenize("defects", "en") == tokenize("defective", "en") == ["defect"]
    assert tokenize("How did the cooperatives cut defects?", "en") == ["cooper", "cut", "defect"]


def test_the_answer_step_reads_an_irregular_past_form_as_its_base_form_too():
    sent = frozenset(tokenize("I sent a small squadron of frigates.", "en"))
    assert set(tokenize("What did Jefferson send?", "en")) - {"jefferson"} <= with_base_forms(sent)
    assert sent <= with_base_forms(sent)  # "Who sent…?" still finds "sent"
    assert "send" not in sent  # the lexical index's tokens are unchanged
    said = frozenset(tokenize("He said so.", "en"))
    assert with_base_forms(said) == said  # not "said": speech is no content


def test_chinese_search_mode_yields_words_and_their_parts():
    tokens = tokenize("铁板次品也由百分之十五降低到百分之九。", "zh")
    assert "次品" in tokens and "铁板" in tokens and "降低" in tokens
    assert "。" not in tokens and "也" not in tokens


def test_latin_words_in_chinese_text_are_stemmed():
    assert "defect" in tokenize("关于defects的报告", "zh")


def test_index_search_filters_and_persistence(index, seeds):
    index.index_paths([seeds], progress=False)
    lex = index.lexical
    hits = lex.search(tokenize("iron plates defective rate", "en"), "en", 5)
    top = index.catalog.chunks([hits[0][0]])[hits[0][0]].chunk
    assert top.article_id == "002_4b03183e8eb21113" and "15% to 9%" in top.text
    # filters
    assert lex.search(tokenize("defective", "en"), "en", 5, since=19550101) == []
    only = lex.search(
        tokenize("cooperatives", "en"), "en", 50, article_ids={"000_3c57dc7d58886a46"}
    )
    assert only and {index.catalog.chunks([i])[i].chunk.article_id for i, _ in only} == {
        "000_3c57dc7d58886a46"
    }
    zh = lex.search(tokenize("次品", "zh"), "zh", 3)
    assert "次品" in index.catalog.chunks([zh[0][0]])[zh[0][0]].chunk.text
    # saved, read back at the same generation, with the same documents
    again = LexicalIndex.read(index.lexical_dir)
    assert again is not None and again.generation == index.catalog.generation
    assert again.ids("en") == lex.ids("en")


def test_stale_or_missing_index_is_rebuilt_from_the_catalog(index, seeds):
    index.index_paths([seeds], progress=False)
    (index.lexical_dir / "CURRENT").write_text("g999")
    rebuilt = LexicalIndex.load(index.catalog, index.lexical_dir, delta_max=2000)
    assert rebuilt.generation == index.catalog.generation
    assert set(rebuilt.ids("zh")) | set(rebuilt.ids("en")) == index.catalog.chunk_ids()


def test_the_delta_scores_as_bm25s_does_on_the_same_statistics():
    """bm25_scores (the delta's, computed at query time) against bm25s on tiny documents,
    a repeated query term and an unknown one included."""
    from collections import Counter

    import bm25s
    import numpy as np

    from qa.store.lexical import K1, B, bm25_idf, bm25_scores

    docs = [["iron", "plate", "defect"], ["iron", "iron", "meeting", "defect", "rate"],
            ["county", "meeting"], ["plate", "plate", "cut"]]  # fmt: skip
    ref = bm25s.BM25(k1=K1, b=B)
    ref.index(docs, show_progress=False)
    df = Counter(t for d in docs for t in set(d))
    avgdl = sum(map(len, docs)) / len(docs)
    for query in (["iron", "defect"], ["iron", "iron", "plate"], ["plate", "unseen"]):
        weights = {t: bm25_idf(len(docs), df[t]) * query.count(t) for t in set(query)}
        got = bm25_scores([Counter(d) for d in docs], np.array([len(d) for d in docs], float),
                          weights, avgdl)  # fmt: skip
        assert got == pytest.approx(ref.get_scores(query), abs=1e-5)


def _article_with(seeds, old: str, new: str, name: str):
    text = (seeds / f"{YANGQUAN}.txt").read_text().replace(old, new)
    (seeds / f"{name}.txt").write_text(text)
    return seeds / f"{name}.txt"


def test_a_write_goes_to_the_delta_and_is_found_as_after_a_rebuild(index, seeds):
    index.index_paths([seeds], progress=False)
    main = index.lexical.main_generation
    _article_with(seeds, "Yangquan", "Zyxquan", "extra")
    index.index_paths([seeds], progress=False)
    lex = index.lexical
    # no rebuild: the main segment is the one saved before the write
    assert lex.main_generation == main < lex.generation == index.catalog.generation
    assert LexicalIndex.read(index.lexical_dir).main_generation == main
    assert 0 < lex.delta_size <= index.settings.lexical_delta_max
    assert {i for lang in lex.langs for i in lex.ids(lang)} == index.catalog.chunk_ids()
    rebuilt = LexicalIndex.build(index.catalog)
    for query in ("Zyxquan handicraft cooperatives", "iron plates defective rate"):
        tokens = tokenize(query, "en")
        got, want = lex.search(tokens, "en", 5), rebuilt.search(tokens, "en", 5)
        # the copy's chunks that do not say "Yangquan" tie with the original's: order ties
        # by id, since which of two equal scores comes first is arbitrary (the scores
        # themselves differ: the main segment keeps the statistics it was built with)
        top = [sorted(r, key=lambda hit: (-round(hit[1], 5), hit[0]))[:3] for r in (got, want)]
        assert [i for i, _ in top[0]] == [i for i, _ in top[1]], query
    hits = lex.search(tokenize("Zyxquan", "en"), "en", 50)
    articles = {index.catalog.chunks([i])[i].chunk.article_id for i, _ in hits}
    assert hits and articles == {"extra"}
    # a filter over both segments: the delta's chunks pass it without being listed
    extra = lex.matching("en", article_ids={"extra"})
    assert extra.delta_ids and not extra.keep.any()
    assert set(extra.ids()) == set(extra.delta_ids) and extra.count == len(extra.delta_ids)
    assert all(i in extra for i in extra.delta_ids) and lex.main["en"].ids[0] not in extra


def test_removed_chunks_are_masked_and_a_reopened_index_keeps_its_delta(
    index, seeds, settings, embedders
):
    from qa.ingest.indexer import Index

    index.index_paths([seeds], progress=False)
    main = index.lexical.main_generation
    gone = {sc.chunk.id for lang in ("en", "zh") for sc in index.catalog.all_chunks(lang)
            if sc.chunk.article_id == YANGQUAN}  # fmt: skip
    assert any(i in gone for i, _ in index.lexical.search(tokenize("Yangquan", "en"), "en", 5))
    index.remove_articles([YANGQUAN])
    lex = index.lexical
    assert lex.main_generation == main and lex.delta_size == len(gone)
    for lang, query in (("en", "Yangquan handicraft cooperatives"), ("zh", "阳泉 手工业 合作社")):
        found = {i for i, _ in lex.search(tokenize(query, lang), lang, 50)}
        assert found and not found & gone  # other articles still match; the removed never
        assert not set(lex.matching(lang).ids()) & gone
    index.close()
    with Index(settings, embedders) as again:  # the delta comes back from the catalog
        lex = again.lexical
        assert lex.main_generation == main and lex.generation == again.catalog.generation
        assert {i for lang in lex.langs for i in lex.ids(lang)} == again.catalog.chunk_ids()


def test_past_the_delta_limit_a_write_merges(index, seeds):
    index.index_paths([seeds], progress=False)
    limited = index.settings.model_copy(update={"lexical_delta_max": 0})
    index.settings = limited
    index.remove_articles([YANGQUAN])
    lex = index.lexical
    assert lex.main_generation == lex.generation == index.catalog.generation
    assert lex.delta_size == 0
    assert LexicalIndex.read(index.lexical_dir).main_generation == lex.generation


def _live_ids(lex: LexicalIndex) -> dict[str, set[str]]:
    return {lang: set(lex.ids(lang)) for lang in lex.langs}


def _committed(catalog) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"en": set(), "zh": set()}
    for cid, lang in catalog.chunk_langs().items():
        out[lang].add(cid)
    return out


def test_the_delta_comes_from_the_change_log_not_a_scan(index, seeds, monkeypatch):
    """Adds, a replacement that keeps some chunks, a removal and a re-add: the delta
    worked out from the log alone matches what the catalog holds."""
    index.index_paths([seeds], progress=False)
    main = index.lexical
    _article_with(seeds, "Yangquan", "Zyxquan", "extra")
    index.index_paths([seeds], progress=False)  # added
    _article_with(seeds, "Shanxi Province", "Hebei Province", "extra")
    index.index_paths([seeds], progress=False)  # replaced: its Chinese chunks are unchanged
    index.remove_articles([YANGQUAN])
    (seeds / "again.txt").write_text((seeds / f"{YANGQUAN}.txt").read_text())
    index.index_paths([seeds / "again.txt"], progress=False)  # the same text, another id
    index.index_paths([seeds / f"{YANGQUAN}.txt"], progress=False)  # and back again
    want = _committed(index.catalog)

    def no_scan() -> dict[str, str]:
        raise AssertionError("the delta was worked out by scanning every chunk id")

    monkeypatch.setattr(index.catalog, "chunk_langs", no_scan)
    lex = main.with_catalog(index.catalog)
    assert lex.main_generation == main.generation < lex.generation
    assert _live_ids(lex) == want
    assert lex.delta_size > 0


def test_a_log_with_gaps_falls_back_to_the_scan(index, seeds, settings, embedders):
    """A commit the log missed (a version that kept none) must not be lost: on opening,
    the catalog restarts its log, and an older main segment compares every chunk."""
    from qa.ingest.indexer import Index

    index.index_paths([seeds], progress=False)
    main = index.lexical.main_generation
    gone = index.catalog.chunk_ids_of([YANGQUAN])
    index.remove_articles([YANGQUAN])
    index.catalog._db.execute("DELETE FROM changes")  # as if committed without a log
    index.catalog._db.execute("UPDATE meta SET value = '0' WHERE key = 'changes_through'")
    index.close()
    with Index(settings, embedders) as again:
        assert again.catalog.changes(main, again.catalog.generation) is None
        lex = again.lexical
        assert lex.main_generation == main
        assert _live_ids(lex) == _committed(again.catalog)
        assert gone and not gone & set().union(*_live_ids(lex).values())


def test_a_merge_prunes_the_log_it_no_longer_needs(index, seeds):
    index.index_paths([seeds], progress=False)
    index.remove_articles([YANGQUAN])
    assert index.catalog.changes(index.lexical.main_generation, index.catalog.generation)
    index.settings = index.settings.model_copy(update={"lexical_delta_max": 0})
    _article_with(seeds, "Yangquan", "Zyxquan", "extra")
    index.index_paths([seeds], progress=False)
    lex = index.lexical
    assert lex.main_generation == index.catalog.generation
    (left,) = index.catalog._db.execute("SELECT COUNT(*) FROM changes").fetchone()
    assert left == 0
    assert index.catalog.changes(lex.main_generation - 1, lex.main_generation) is None
    assert index.catalog.changes(lex.main_generation, lex.main_generation) == []


def test_top_k_is_the_head_of_the_full_ranking(index, seeds):
    """Only documents that hold a query token are ranked; the best k of them, in order,
    ties by position, are the head of the whole ranking."""
    index.index_paths([seeds], progress=False)
    lex = index.lexical
    tokens = tokenize("handicraft cooperatives in Yangquan train people", "en")
    full = lex.search(tokens, "en", 10_000)
    assert len(full) > 5 and all(s > 0 for _, s in full)
    assert [s for _, s in full] == sorted((s for _, s in full), reverse=True)
    for k in (1, 3, 5):
        assert lex.search(tokens, "en", k) == full[:k]
    assert lex.search(["qwxzzz"], "en", 5) == []
