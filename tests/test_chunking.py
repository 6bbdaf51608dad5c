import pytest

from qa.config import Settings
from qa.ingest.articles import parse_file, parse_text
from qa.ingest.chunking import chunk_article, split_paragraph
from qa.text import sentence_spans
from tests.conftest import SEEDS


def sentences(text, lang):
    return [text[a:b] for a, b in sentence_spans(text, lang)]


def test_english_sentences_respect_abbreviations_and_quotes():
    text = 'Mr. Li came on Nov. 3. He said: "Let them do it!" Then i.e. nothing. The end.'
    assert sentences(text, "en") == [
        "Mr. Li came on Nov. 3.",
        'He said: "Let them do it!"',
        "Then i.e. nothing.",
        "The end.",
    ]


def test_chinese_sentences_end_at_stops_and_closing_quotes():
    text = "只是认为：“干就干吧，多几个也不要紧！”更影响了运动的稳步发展。你们明年再搞吧；好！"
    assert sentences(text, "zh") == [
        "只是认为：“干就干吧，多几个也不要紧！”",
        "更影响了运动的稳步发展。",
        "你们明年再搞吧；",
        "好！",
    ]


def test_long_paragraph_splits_at_sentences_within_limit():
    text = " ".join(f"Sentence number {i} is here." for i in range(100))
    spans = split_paragraph(text, "en", 200)
    assert all(b - a <= 200 for a, b in spans)
    assert all(text[a:b].endswith(".") for a, b in spans)
    assert " ".join(text[a:b] for a, b in spans) == text


def test_over_long_sentence_is_broken_at_commas():
    text = "，".join(["这是一个很长的句子的一部分"] * 60) + "。"
    spans = split_paragraph(text, "zh", 100)
    assert len(spans) > 1 and all(b - a <= 100 for a, b in spans)
    assert "".join(text[a:b] for a, b in spans) == text


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_seed_chunks_have_exact_offsets_and_cross_links(path):
    settings = Settings(chunk_max_chars_en=500, chunk_max_chars_zh=150)
    art = parse_file(path, 10**7)
    chunks = chunk_article(art, settings)
    by_id = {c.id: c for c in chunks}
    assert len(by_id) == len(chunks)
    for c in chunks:
        para = art.parts[c.lang].paragraphs[c.paragraph]
        assert para.is_body
        assert para.text[c.start : c.end] == c.text
        assert len(c.text) <= (500 if c.lang == "en" else 150)
        other = by_id[c.aligned_id]
        assert other.lang != c.lang and other.pair == c.pair
    # every body paragraph is fully covered (up to white space between chunks)
    for lang, part in art.parts.items():
        for p in part.body:
            got = "".join(c.text for c in chunks if c.lang == lang and c.paragraph == p.index)
            assert got.replace(" ", "") == p.text.replace(" ", "")


def test_chunk_ids_are_stable_and_change_with_content():
    settings = Settings()
    path = SEEDS / "000_3c57dc7d58886a46.txt"
    a = [c.id for c in chunk_article(parse_file(path, 10**7), settings)]
    b = [c.id for c in chunk_article(parse_file(path, 10**7), settings)]
    assert a == b
    changed = path.read_text().replace("eighty-three", "eighty-four")
    c = [c.id for c in chunk_article(parse_text(changed, path.stem, "x", "other-hash"), settings)]
    assert not set(a) & set(c)


def test_title_and_kicker_lines_are_not_chunked():
    art = parse_file(SEEDS / "003_d822a35a02609bd1.txt", 10**7)
    paragraphs = {(c.lang, c.paragraph) for c in chunk_article(art, Settings())}
    assert (
        ("en", 0) not in paragraphs and ("en", 1) not in paragraphs and ("zh", 0) not in paragraphs
    )


def test_one_language_article_has_no_aligned_chunks():
    art = parse_text("Title: T\nDate: 1954-01-02\n\nFirst.\n", "a", "a.txt", "h")
    (chunk,) = chunk_article(art, Settings())
    assert chunk.aligned_id is None and chunk.text == "First."
