from qa.store.lexical import LexicalIndex
from qa.text import tokenize


def test_english_stems_bring_word_forms_together():
    assert tokenize("defects", "en") == tokenize("defective", "en") == ["defect"]
    assert tokenize("How did the cooperatives cut defects?", "en") == ["cooper", "cut", "defect"]


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
    assert again.langs["en"].ids == lex.langs["en"].ids


def test_stale_or_missing_index_is_rebuilt_from_the_catalog(index, seeds):
    index.index_paths([seeds], progress=False)
    (index.lexical_dir / "CURRENT").write_text("g999")
    rebuilt = LexicalIndex.load(index.catalog, index.lexical_dir)
    assert rebuilt.generation == index.catalog.generation
    assert set(rebuilt.langs["zh"].ids) | set(rebuilt.langs["en"].ids) == index.catalog.chunk_ids()
