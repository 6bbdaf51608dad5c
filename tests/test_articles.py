import datetime as dt
import json

import pytest

from qa.ingest.articles import ArticleError, parse_file, parse_jsonl, parse_text
from tests.conftest import SEEDS

MAX = 10_000_000

# id -> (en title start, zh title, date, page, column, en kinds, zh kinds)
EXPECTED = {
    "000_3c57dc7d58886a46": ("Mass Mutual Teaching", "群众性的互教互学", "1955-12-05", 2, "",
                             "title body body", "title body body"),
    "001_de9b3e9f03d8f077": ("Northeast Bureau of the CPC", "中共中央东北局农村工作部通报辽阳县经验  要求各地及时解决互助合作运动中的问题",
                             "1954-02-27", 1, "", "body body body", "title title body body body"),
    "002_4b03183e8eb21113": ("The Yangquan City Leadership", "阳泉市领导手工业生产合作社的办法好", "1954-11-20", 2, "",
                             "body body body body", "title body body body body"),
    "003_d822a35a02609bd1": ("Deeply Grasp the Small Group", "深入抓小组“帮”字要当先", "1960-10-23", 3, "地方报纸评论摘要",
                             "kicker title body body body source", "title body body body source"),
    "004_7ca6473d3635779a": ("Northeast Federation of Trade Unions", "东北总工会召开干部大会  介绍某工厂推广先进经验的经验",
                             "1952-08-03", 2, "", "body body body", "title title body body body"),
}  # fmt: skip


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_each_seed_parses_with_metadata_and_paragraph_kinds(stem):
    en_title, zh_title, date, page, column, en_kinds, zh_kinds = EXPECTED[stem]
    art = parse_file(SEEDS / f"{stem}.txt", MAX)
    assert art.id == stem
    assert art.parts["en"].title.startswith(en_title)
    assert art.parts["zh"].title == zh_title
    assert art.date == dt.date.fromisoformat(date)
    assert art.page == page
    assert art.column == column
    assert " ".join(p.kind for p in art.parts["en"].paragraphs) == en_kinds
    assert " ".join(p.kind for p in art.parts["zh"].paragraphs) == zh_kinds
    assert len(art.content_hash) == 64


def test_source_lines_belong_to_the_article():
    art = parse_file(SEEDS / "003_d822a35a02609bd1.txt", MAX)
    assert art.parts["en"].paragraphs[-1].text == "(Excerpt from Tianjin Daily)"
    assert art.parts["zh"].paragraphs[-1].text == "（摘自天津日报）"
    assert art.parts["zh"].paragraphs[-1].is_body


def test_paragraph_text_is_verbatim_from_the_file():
    raw = (SEEDS / "002_4b03183e8eb21113.txt").read_text()
    art = parse_file(SEEDS / "002_4b03183e8eb21113.txt", MAX)
    for part in art.parts.values():
        for p in part.paragraphs:
            assert p.text in raw and p.text == p.text.strip()


def test_english_only_and_chinese_only_articles():
    en = parse_text("Title: T\nDate: 1954-01-02\nPage:\n\nOne paragraph.\n", "a", "a.txt")
    assert set(en.parts) == {"en"} and en.page is None
    zh = parse_text(
        "Title:\nDate: 1954-01-02\n<hr />\nOriginal:\n### 标题\n1954-01-02\n第4版()\n专栏：\n    正文。\n",
        "b",
        "b.txt",
    )
    assert set(zh.parts) == {"zh"} and zh.page == 4 and zh.parts["zh"].title == "标题"


BAD = {
    "empty": (b"", "empty file"),
    "blank": (b"\n\n  \n", "empty file"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "latin1": ("Title: Café\nDate: 1954-01-01\nText é\n".encode("latin-1"), "not UTF-8"),
    "no_header": (b"Just some text.\nAnother line.\n", "no header"),
    "bad_date": (b"Title: T\nDate: 1954-13-45\nBody.\n", "bad date"),
    "bad_date_format": (b"Title: T\nDate: Nov 20 1954\nBody.\n", "bad date"),
    "bad_page": (b"Title: T\nDate: 1954-01-01\nPage: two\nBody.\n", "bad page"),
    "no_body": (b"Title: T\nDate: 1954-01-01\nPage: 1\n\n<hr />\nOriginal:\n### X\n", "no body"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_files_get_a_reason_and_their_path(tmp_path, name):
    data, reason = BAD[name]
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    with pytest.raises(ArticleError) as info:
        parse_file(path, MAX)
    assert info.value.where == str(path)
    assert reason in info.value.reason


def test_oversized_file_is_rejected(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Title: T\nDate: 1954-01-01\n" + "x" * 200)
    with pytest.raises(ArticleError, match="too large"):
        parse_file(path, 100)


def test_jsonl_round_trip_and_bad_lines(tmp_path):
    good = parse_file(SEEDS / "002_4b03183e8eb21113.txt", MAX).to_record()
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "x", "date": "1954-02-30", "text": "Body."}),
        json.dumps({"id": "", "date": "1954-02-01", "text": "Body."}),
        json.dumps([1, 2]),
        json.dumps({"id": "y", "date": "1954-02-01", "text": "Body.", "bogus": 1}),
        json.dumps(
            {"id": "z", "date": "1954-02-01", "text": "Line one.\nLine two.", "text_zh": "正文。"}
        ),
    ]
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(parse_jsonl(path, MAX))
    assert len(items) == 7
    art = items[0]
    ref = parse_file(SEEDS / "002_4b03183e8eb21113.txt", MAX)
    assert art.id == ref.id and art.date == ref.date and art.page == ref.page
    assert [p.text for p in art.parts["zh"].paragraphs] == [
        p.text for p in ref.parts["zh"].paragraphs
    ]
    assert [p.kind for p in art.parts["zh"].paragraphs] == [
        p.kind for p in ref.parts["zh"].paragraphs
    ]
    errors = items[1:6]
    assert all(isinstance(e, ArticleError) for e in errors)
    assert [e.where for e in errors] == [f"{path}:{n}" for n in range(2, 7)]
    assert "invalid JSON" in errors[0].reason
    assert "bad date" in errors[1].reason
    assert "id" in errors[2].reason
    assert "JSON object" in errors[3].reason
    assert "bogus" in errors[4].reason
    z = items[6]
    assert [p.text for p in z.parts["en"].paragraphs] == ["Line one.", "Line two."]
    assert z.parts["zh"].paragraphs[0].text == "正文。"


def test_jsonl_limits_each_record_not_the_file(tmp_path):
    path = tmp_path / "dump.jsonl"
    rows = [{"id": f"r{i}", "date": "1954-01-01", "text": "x" * 50} for i in range(20)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n" + "\xff\n")
    path.write_bytes(path.read_bytes().replace(b"\xc3\xbf", b"\xff"))  # a raw non-UTF-8 line
    items = list(parse_jsonl(path, 200))  # the file is far above 200 bytes, each line below
    assert [a.id for a in items[:20]] == [f"r{i}" for i in range(20)]
    assert isinstance(items[20], ArticleError) and "UTF-8" in items[20].reason
    assert "line too large" in next(iter(parse_jsonl(path, 20))).reason
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    assert [e.reason for e in parse_jsonl(empty, 200)] == ["empty file"]
