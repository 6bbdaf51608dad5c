"""Hybrid retrieval over the indexed seeds: languages, filters, fusion, modes."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT, YANGQUAN

from qa.search.retrieve import Filters, QueryError, parse_day
from qa.text import detect_language

Q_EN = "How did Yangquan cut defects?"
Q_ZH = "三都村铁业生产合作社是怎样减少次品的？"


@pytest.mark.parametrize(
    ("text", "lang"),
    [(Q_EN, "en"), (Q_ZH, "zh"), ("What does 次品 mean?", "en"), ("阳泉 defects 次品率", "zh")],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_parse_day():
    assert parse_day("1954-11-20") == 19541120
    assert parse_day("1954") == 19540101
    assert parse_day("1954", end=True) == 19541231
    assert parse_day("1956-02", end=True) == 19560229
    for bad in ("1954-13", "20-11-1954", "yesterday", "1954-02-30"):
        with pytest.raises(QueryError, match="bad date"):
            parse_day(bad)


def test_filters_validate():
    with pytest.raises(QueryError, match="after"):
        Filters.from_user(since="1955", until="1954")
    with pytest.raises(QueryError, match="lang"):
        Filters.from_user(lang="fr")
    with pytest.raises(QueryError, match="empty"):
        Filters.from_user(article_ids=[])
    f = Filters.from_user(lang="zh", since="1954-11", article_ids=["a"])
    assert (f.langs, f.since, f.until, f.article_ids) == (("zh",), 19541101, None, {"a"})
    assert f.restricts_chunks and not Filters.from_user(lang="en").restricts_chunks


def test_both_languages_found_and_one_unit_per_paragraph_pair(answerer):
    r = answerer.retriever.retrieve(Q_EN, k=20)
    units = [p.unit for p in r.passages]
    assert len(units) == len(set(units))  # a paragraph and its translation count once
    assert r.passages[0].unit[0] == YANGQUAN
    top = r.passages[0]
    # the best unit was found by the English and the Chinese side of the dense index
    assert {"dense:e5:en", "dense:e5:zh"} <= set(top.ranks)
    assert all(p.chunk.chunk.lang == "en" for p in r.passages)  # shown in the question's


@pytest.mark.parametrize(("question", "lang"), [(Q_ZH, "en"), (Q_EN, "zh")])
def test_cross_language_retrieval(answerer, question, lang):
    """Restricted to the other language, the question still finds the Yangquan article,
    shown in that language: its own-language match counts through the paragraph pair."""
    r = answerer.retriever.retrieve(question, k=3, filters=Filters(langs=(lang,)))
    assert r.passages and all(p.chunk.chunk.lang == lang for p in r.passages)
    assert r.passages[0].unit[0] == YANGQUAN
    own = "zh" if lang == "en" else "en"
    assert f"lexical:{own}" in r.passages[0].ranks


def test_a_paragraph_with_no_translation_never_shows_in_the_other_language(index, tmp_path):
    """An English-only article matches, but a Chinese-only search cannot show it."""
    import json

    path = tmp_path / "only_en.jsonl"
    record = {"id": "only-en", "date": "1954-11-21", "title": "Yangquan defects",
              "paragraphs": ["Yangquan cut defects by inspecting every iron plate twice."]}  # fmt: skip
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    index.index_paths([ROOT / "seeds" / f"{YANGQUAN}.txt", path], progress=False)
    from qa.search.retrieve import Retriever

    retriever = Retriever(index, index.settings)
    assert "only-en" in {p.unit[0] for p in retriever.retrieve(Q_EN, k=5).passages}
    shown = retriever.retrieve(Q_EN, k=5, filters=Filters(langs=("zh",))).passages
    assert shown and all(p.chunk.chunk.lang == "zh" for p in shown)
    assert "only-en" not in {p.unit[0] for p in shown}


def test_a_paragraph_in_the_other_language_only_ranks_for_a_question_across(index, tmp_path):
    """The seeds with the Yangquan article in Chinese only: an English question about it
    finds its Chinese paragraphs (an untranslated chunk joins the own-language dense
    ranking at cosine + QA_DENSE_LANGUAGE_GAP, and its dictionary hits weigh more), where
    the English seeds used to fill the top ranks."""
    import json

    from qa.ingest.articles import parse_file
    from qa.search.retrieve import Retriever

    rows = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        rec = parse_file(path, 10_000_000).to_record()
        if path.stem == YANGQUAN:
            del rec["title"], rec["paragraphs"]  # the Chinese original alone
        rows.append(json.dumps(rec, ensure_ascii=False))
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert not index.index_paths([corpus], progress=False).failed

    def yangquan_ranks(settings) -> list[int]:
        passages = Retriever(index, settings).retrieve(Q_EN, k=10).passages
        return [i for i, p in enumerate(passages, 1) if p.unit[0] == YANGQUAN]

    now = yangquan_ranks(index.settings)
    before = yangquan_ranks(index.settings.model_copy(
        update={"dense_language_gap": 0.0, "weight_dictionary_untranslated": 0.25}))  # fmt: skip
    assert now and now[0] <= 3  # a Chinese-only paragraph among the first three
    assert not before or before[0] > now[0]


def test_date_and_article_filters(answerer):
    r = answerer.retriever.retrieve(Q_EN, k=20, filters=Filters.from_user(until="1954-06"))
    dates = {p.chunk.date for p in r.passages}
    assert r.passages and max(dates) <= 19540630
    assert YANGQUAN not in {p.unit[0] for p in r.passages}
    r = answerer.retriever.retrieve(Q_EN, k=20, filters=Filters.from_user(since="1954-11-20"))
    assert r.passages and min(p.chunk.date for p in r.passages) >= 19541120
    r = answerer.retriever.retrieve(Q_EN, k=20, filters=Filters.from_user(article_ids=[YANGQUAN]))
    assert {p.unit[0] for p in r.passages} == {YANGQUAN}
    r = answerer.retriever.retrieve(Q_EN, filters=Filters.from_user(since="1990"))
    assert r.passages == []


def test_a_broad_filter_filters_after_the_dense_search_and_finds_the_same(answerer):
    """A filter that keeps most chunks is applied to a deeper unfiltered search instead of
    handing its ids to Chroma; on the seeds (exact search) the hits are the same."""
    from qa.search.retrieve import POST_FILTER_SHARE

    retriever, index = answerer.retriever, answerer.retriever.index
    e = index.embedders[0]
    v = e.encode_query(Q_EN)
    for f in (Filters.from_user(until="1954-06"), Filters.from_user(since="1954-11-20"),
              Filters.from_user(article_ids=[YANGQUAN])):  # fmt: skip
        for lang in e.langs:
            allowed = index.lexical.matching(lang, f.since, f.until, f.article_ids)
            assert allowed.count >= POST_FILTER_SHARE * index.lexical.size(lang)
            after = retriever._dense(e.name, lang, v, 10, allowed)
            handed = index.store.query(e.name, lang, v, 10, allowed.ids())
            assert after and [i for i, _ in after] == [i for i, _ in handed]
            ids = set(allowed.ids())
            assert all(i in allowed for i in ids) and len(ids) == allowed.count
            others = {i for i, _ in index.store.query(e.name, lang, v, 50)} - ids
            assert others and not any(i in allowed for i in others)


def test_modes(answerer):
    lexical = answerer.retriever.retrieve(Q_EN, mode="lexical")
    assert all(leg.startswith("lexical") for p in lexical.passages for leg in p.ranks)
    dense = answerer.retriever.retrieve(Q_EN, mode="dense:e5")
    assert all(leg.startswith("dense:e5") for p in dense.passages for leg in p.ranks)
    for bad in ("fuzzy", "dense:nope", "lexical:usem3"):
        with pytest.raises(QueryError):
            answerer.retriever.retrieve(Q_EN, mode=bad)


def test_a_dense_mode_that_cannot_read_the_question_says_so(settings, models):
    """English-only MiniLM asked a Chinese question in dense mode: a clear error that
    names the embedder and what to use instead, not an empty answer."""
    from qa.ingest.indexer import Index
    from qa.search.retrieve import Retriever

    english = settings.model_copy(update={"embedders": ["minilm@en"]})
    with (
        Index(english, [models["minilm"]]) as ix,
        pytest.raises(QueryError, match="minilm@en.*cannot read a Chinese question"),
    ):
        Retriever(ix, english).retrieve("三都村怎样减少次品？", mode="dense:minilm")


@pytest.mark.parametrize(
    ("question", "k", "match"),
    [("", None, "empty"), ("   \n", None, "empty"), ("x" * 2001, None, "limit"),
     (Q_EN, 0, "k must"), (Q_EN, 51, "k must"), (42, None, "text")],
)  # fmt: skip
def test_bad_questions(answerer, question, k, match):
    with pytest.raises(QueryError, match=match):
        answerer.retriever.retrieve(question, k=k)


def test_vectors_without_a_commit_are_ignored(answerer):
    """A killed run can leave vectors the catalog never committed; search skips them."""
    store = answerer.index.store
    vec = answerer.index.embedders[0].encode([Q_EN])[0]
    store.upsert("e5", "en", ["orphan-1"], vec[None, :])
    try:
        assert store.query("e5", "en", vec, 1)[0][0] == "orphan-1"
        r = answerer.retriever.retrieve(Q_EN)
        assert "ghost" not in {p.unit[0] for p in r.passages}
        assert r.passages[0].unit[0] == YANGQUAN
    finally:
        store.delete(["orphan-1"])
    assert np.isfinite(r.passages[0].score)


def test_a_year_the_question_names_lifts_that_years_articles(answerer):
    """The year leg: articles dated in a year the question names move up; without it the
    same question ranks the 1954 article first whatever the year."""
    from qa.search.retrieve import Retriever

    index, settings = answerer.index, answerer.settings
    with_year = Retriever(index, settings.model_copy(update={"weight_year": 1.0}))
    without = Retriever(index, settings.model_copy(update={"weight_year": 0.0}))
    for year in (1955, 1960):
        question = f"How were the problems of the cooperatives solved in {year}?"
        top = with_year.retrieve(question, 5).passages[0]
        assert top.chunk.date // 10000 == year and "year" in top.ranks
        assert without.retrieve(question, 5).passages[0].chunk.date // 10000 != year
