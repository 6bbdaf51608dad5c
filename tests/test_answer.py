"""Extractive answers over the indexed seeds: verbatim quotes, citations, language
preference, cross-language answers and abstention."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, YANGQUAN

from qa.evaluation.questions import load_questions
from qa.search.retrieve import Filters

QUESTIONS = load_questions(ROOT / "eval" / "questions.jsonl")


def _paragraph(index, article_id: str, lang: str, paragraph: int) -> str:
    return index.catalog.article(article_id).parts[lang].paragraphs[paragraph].text


def test_yangquan_in_english(answerer):
    r = answerer.ask("How did Yangquan cut defects?")
    assert not r.abstained and r.language == "en"
    for a in r.answers:
        c = a.citation
        assert (c.article_id, c.date, c.page, c.lang) == (YANGQUAN, "1954-11-20", 2, "en")
        assert c.title.startswith("The Yangquan City Leadership")
    # among the answers the user reads: the rules that cut the defects
    fix = next(a for a in r.answers if "requisition system" in a.text)
    # the aligned text is the sentence's translation, from the paired Chinese paragraph
    assert fix.aligned is not None and fix.aligned.lang == "zh" and fix.aligned.paragraph == 3
    assert "领发材料制度" in fix.aligned.text


def test_a_how_answer_quotes_its_neighbouring_answers_as_one_run(answerer):
    """The rules (with the problem they solved) and the result they gave are chosen as
    separate answers, in two chunks of one paragraph; the first answer quotes them as one
    verbatim run, and no later answer repeats any of it."""
    r = answerer.ask("How did Yangquan cut defects?")
    top, c = r.answers[0], r.answers[0].citation
    assert "requisition system" in top.text and "15% to 9%" in top.text
    assert top.text.index("requisition system") < top.text.index("15% to 9%")
    chunks = answerer.index.catalog.unit_chunks(YANGQUAN, c.paragraph, "en")
    assert not any(x.chunk.start <= c.start and c.end <= x.chunk.end for x in chunks)
    assert _paragraph(answerer.index, YANGQUAN, "en", c.paragraph)[c.start : c.end] == top.text
    assert top.aligned is not None and "领发材料制度" in top.aligned.text
    for a in r.answers[1:]:
        o = a.citation
        assert o.paragraph != c.paragraph or o.end <= c.start or o.start >= c.end


def test_a_translation_takes_in_what_chinese_splits_at_a_semicolon(answerer):
    r = answerer.ask("How much did the defective rate of iron plates fall in Sanducun?")
    top = r.answers[0]
    assert "15% to 9%" in top.text
    assert top.aligned is not None and top.aligned.lang == "zh" and top.aligned.paragraph == 3
    # the whole translation: Chinese splits at ； what English keeps in one sentence
    assert "四月到六月" in top.aligned.text and "百分之十五" in top.aligned.text


def test_a_short_sentence_keeps_a_one_sentence_translation(answerer):
    """Neighbours on the same topic must not join a translation they are not part of. The
    heading is quoted with the sentence that refers back to it ("To achieve this goal…",
    which says how), and the translation is those two sentences' and no more."""
    r = answerer.ask("How should workers be mobilized to consciously learn advanced experiences?")
    top = r.answers[0]
    assert top.text.startswith("Second, mobilize and educate workers")
    assert top.text.endswith("dig out the roots of unwillingness to learn advanced experiences.")
    assert top.aligned is not None
    assert top.aligned.text == (
        "二、发动教育职工，做到使全体职工自觉地学习先进经验。要达到这目的，就要调查有那些思想"
        "顾虑使工人不愿学习先进经验；总结先进工人创造先进经验的思想情况和操作技术，让他们向大家"
        "作报告；发动大家普遍检查自己思想，挖出不愿学习先进经验的根源。"
    )


def test_yangquan_in_chinese_answers_from_the_chinese_original(answerer):
    r = answerer.ask("三都村铁业生产合作社是怎样减少次品的？")
    assert not r.abstained and r.language == "zh"
    top = r.answers[0]
    c = top.citation
    assert (c.lang, c.article_id, c.paragraph) == ("zh", YANGQUAN, 3)  # the Sanducun paragraph
    assert c.title == "阳泉市领导手工业生产合作社的办法好"
    assert top.aligned is not None and top.aligned.lang == "en"
    assert top.aligned.paragraph == 2  # its translation, in the paired English paragraph
    assert r.passages[0].lang == "zh"


def test_the_answer_may_lie_in_the_next_chunk_of_the_paragraph(answerer):
    """Wu Zhi's second paragraph is cut into two chunks; the question matches the first
    (the meetings are introduced there), the answer is the first sentence of the second."""
    r = answerer.ask("How often are the discussion meetings in Wu Zhi County held?")
    top = r.answers[0]
    assert "once every five to seven days" in top.text
    first, *rest = answerer.index.catalog.unit_chunks(top.citation.article_id, 0, "en")
    assert rest and top.citation.start >= first.chunk.end  # not in the first chunk


def test_every_answer_and_passage_is_verbatim(answerer):
    """paragraph[start:end] == text for every answer and passage, on every eval question."""
    index = answerer.index
    checked = 0
    for q in QUESTIONS:
        r = answerer.ask(q.question)
        for a in r.answers:
            c = a.citation
            assert _paragraph(index, c.article_id, c.lang, c.paragraph)[c.start : c.end] == a.text
            if a.aligned:
                text = _paragraph(index, c.article_id, a.aligned.lang, a.aligned.paragraph)
                assert text[a.aligned.start : a.aligned.end] == a.aligned.text
            checked += 1
        for p in r.passages:
            assert _paragraph(index, p.article_id, p.lang, p.paragraph)[p.start : p.end] == p.text
    assert checked >= 50


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_answers_come_in_the_question_language_first(answerer, lang):
    asked = [q for q in QUESTIONS if q.lang == lang and q.kind == "factoid"]
    firsts = [r.answers[0].citation.lang for q in asked if (r := answerer.ask(q.question)).answers]
    assert len(firsts) >= len(asked) * 0.8
    assert all(x == lang for x in firsts)


@pytest.mark.parametrize(
    ("question", "lang", "paragraph", "gold"),
    # the Sanducun paragraph, and the rules it set up: the key terms' focus is read from the
    # Chinese sentences the English ones translate, as the other features are
    [("三都村铁业生产合作社是怎样减少次品的？", "en", 2, "material requisition system"),
     ("How many people did Yangquan train in rotation?", "zh", 4, "二百八十七人")],
)  # fmt: skip
def test_cross_language_answers(answerer, question, lang, paragraph, gold):
    """Asked in one language, answered from the other's text, from the right paragraph."""
    r = answerer.ask(question, filters=Filters(langs=(lang,)))
    assert not r.abstained
    c = r.answers[0].citation
    assert (c.lang, c.article_id, c.paragraph) == (lang, YANGQUAN, paragraph)
    assert gold in r.answers[0].text


@pytest.mark.parametrize(
    ("question", "lang", "gold"),
    [("谁在干部大会上介绍了工厂推广先进经验的经验？", "en", "Qi Tinghan"),
     ("How many new backbone members were trained in Wu Zhi County?", "zh", "培养出新的骨干九百四十五人")],
)  # fmt: skip
def test_sentences_sharing_one_translation_are_quoted_together(answerer, question, lang, gold):
    """What one language says in one sentence the other may say in two ("…决定召开…干部大会，
    由…齐廷汉同志…介绍了他们的经验。" is two English sentences). Shown in the other
    language, the answer is both sentences: the first alone, which the question's words
    scored through their shared translation, would not hold the answer."""
    r = answerer.ask(question, filters=Filters(langs=(lang,)))
    assert not r.abstained
    a = r.answers[0]
    assert a.citation.lang == lang and gold in a.text
    assert a.aligned is not None and a.aligned.lang != lang


@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "法国的首都是哪里？", "How do I reset my email password?",
     "怎样重置电子邮箱密码？"],
)  # fmt: skip
def test_abstains_out_of_corpus(answerer, question):
    r = answerer.ask(question)
    assert r.abstained and r.answers == []
    assert r.confidence < answerer.settings.abstain_below


def test_filters_reach_the_answers(answerer):
    r = answerer.ask("How did Yangquan cut defects?", filters=Filters.from_user(until="1954-06"))
    assert all(a.citation.article_id != YANGQUAN for a in r.answers)
    r = answerer.ask("How did Yangquan cut defects?", filters=Filters.from_user(lang="zh"))
    assert all(a.citation.lang == "zh" for a in r.answers)
    assert all(p.lang == "zh" for p in r.passages)


def test_the_articles_name_for_its_subject_does_not_pick_the_sentence(answerer):
    """ "Yangquan" is in the article's title and in its opening sentence on a general
    method; it finds the article, and the sentence that answers is the one on the rules
    that cut the defects. Shown in Chinese, the opening sentence came first while the
    title's words counted in full."""
    r = answerer.ask("How did Yangquan cut defects?", filters=Filters.from_user(lang="zh"))
    assert not r.abstained
    assert "领发材料制度" in r.answers[0].text, r.answers[0].text


def test_answers_read_more_passages_than_k_shows(answerer):
    """``k`` is how many passages are shown; the answers are chosen from
    ``answer_passages`` of them whatever k is. Read from the top five passages only, this
    question loses an answer that a lower passage holds."""
    from qa.answer.answerer import Answerer

    def quoted(r) -> list[tuple[str, int, int, int]]:
        return [(a.citation.article_id, a.citation.paragraph, a.citation.start,
                 a.citation.end) for a in r.answers]  # fmt: skip

    q = "How did some workers only pretend to study new methods?"
    one, ten = answerer.ask(q, k=1), answerer.ask(q, k=10)
    assert len(one.passages) == 1 and len(ten.passages) == 10
    assert quoted(one) == quoted(ten)
    five = Answerer(answerer.index, answerer.settings.model_copy(update={"answer_passages": 5}))
    fewer = quoted(five.ask(q, k=10))
    assert len(fewer) < len(quoted(ten))


def test_contract_fields(answerer):
    d = answerer.ask("How many production teams were organized in Yangquan?").model_dump()
    assert {"question", "language", "abstained", "answers", "passages"} <= d.keys()
    a = d["answers"][0]
    assert {"text", "score", "citation", "aligned"} <= a.keys()
    assert set(a["citation"]) >= {"article_id", "title", "date", "page", "paragraph", "lang",
                                  "start", "end"}  # fmt: skip
    assert {"article_id", "lang", "paragraph", "text", "score"} <= d["passages"][0].keys()


def test_questions_file_is_valid():
    assert len(QUESTIONS) >= 100
    path = Path(ROOT / "eval" / "questions.jsonl")
    assert path.exists()


def test_candidates_of_a_huge_paragraph_stay_near_the_retrieved_chunk(index, tmp_path):
    """One paragraph of 60 chunks: the candidates come from the retrieved chunk and its
    neighbours only (QA_ANSWER_NEIGHBOUR_CHUNKS), not from all 60."""
    import json

    from qa.answer.answerer import Answerer

    filler = " ".join(f"Sentence {i} tells of the weather in the valley." for i in range(600))
    needle = "The Qingshui cooperative repaired 37 waterwheels in March."
    record = {"id": "huge", "date": "1955-03-01", "title": "A long report",
              "paragraphs": [filler + " " + needle + " " + filler]}  # fmt: skip
    path = tmp_path / "huge.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    index.index_paths([path], progress=False)
    answerer = Answerer(index, index.settings)
    r = answerer.retriever.retrieve("How many waterwheels did the Qingshui cooperative repair?")
    chunks = {c.stored.chunk.id for c in answerer.candidates(r)}
    assert len(index.catalog.unit_chunks("huge", 0, "en")) > 50
    assert len(chunks) <= 2 * index.settings.answer_neighbour_chunks + 1
    top = answerer.ask("How many waterwheels did the Qingshui cooperative repair?")
    assert "37 waterwheels" in top.answers[0].text


def test_the_cache_forgets_the_least_recently_used_entry():
    from qa.answer.answerer import Lru

    made: list[str] = []

    def make(key: str):
        return lambda: made.append(key) or key.upper()

    cache: Lru[str, str] = Lru(2)
    assert [cache.fetch(k, make(k)) for k in "abac"] == ["A", "B", "A", "C"]
    assert made == ["a", "b", "c"]  # "a" was kept
    assert cache.fetch("a", make("a")) == "A" and cache.fetch("b", make("b")) == "B"
    assert made == ["a", "b", "c", "b"]  # "b" went when "c" came


def test_an_ask_encodes_its_question_and_reads_the_sentences_stored_at_index_time(
    answerer, monkeypatch
):
    from qa.answer.answerer import SentenceCache

    monkeypatch.setattr(answerer, "_cache", SentenceCache(100))  # nothing encoded yet
    encoded: list[list[str]] = []
    encode = answerer.reader.encode

    def spy(texts, progress=None):
        encoded.append(list(texts))
        return encode(texts, progress)

    monkeypatch.setattr(answerer.reader, "encode", spy)
    question = "三都村铁业生产合作社是怎样减少次品的？"
    r = answerer.ask(question)
    assert "领发材料制度" in r.answers[0].text
    assert encoded == [[question]]  # the passages' sentences came from the index


def test_a_translation_keeps_the_order_of_the_sentences(answerer):
    """The sentence before ("For example, the Sanducun…") is nearer in topic, but the
    translation of "经过座谈讨论，该社建立了…" is the sentence after it."""
    r = answerer.ask("三都村铁业社从四月到六月盈余多少？")
    top = r.answers[0]
    assert "盈余五千四百多万元" in top.text
    assert top.aligned is not None and top.aligned.text.startswith("After discussion")


@pytest.mark.parametrize(
    "question",
    [
        "How many defects did Yangquan have in 1954?",
        "Who chaired the meeting?",
        "What wage did the cooperatives pay per month?",
        "三都村铁业社盈余多少？",
    ],
)
def test_nothing_retrieved_abstains_for_every_kind_of_question(answerer, question):
    """A date range with no article in it: no candidate at all, whatever the question
    asks for (a number, a person, a head noun), and the answer is an abstention."""
    r = answerer.ask(question, filters=Filters(since=20300101, until=20301231))
    assert r.abstained and r.answers == [] and r.passages == []
    assert r.abstain_reason == "nothing_found" and "filters" in (r.abstain_message or "")


@pytest.mark.parametrize(
    ("question", "reason", "said"),
    [
        ("What is the boiling point of liquid nitrogen?", "no_evidence", "close enough"),
        ("What did Eisenhower say about the Yangquan cooperatives?", "no_name", "Eisenhower"),
        ("南昌的铁业生产合作社是怎样减少次品的？", "no_name", "南昌"),
        ("阳泉市手工业生产合作社联合社的机长叫什么名字？", "no_head", "机长"),
        ("What wage did the Yangquan cooperatives pay per month?", "no_head", "wage"),
        ("三都村铁业生产合作社平均每月盈余多少？", "no_head", "an average"),
        (
            "Why did the Yangquan City Handicraft Production Cooperative United Society "
            "oppose women's suffrage?",
            "no_terms",
            "none of the question's own words",
        ),
    ],
)
def test_an_abstention_says_why(answerer, question, reason, said):
    """The reason names what was missing: the article mentions Yangquan, not Eisenhower,
    and 阳泉 (asked about it, the question is answered: below), not 南昌; no passage
    mentions a captain or a wage; the names of the union are all there (the evidence is
    high), but nothing on women or suffrage; the Sanducun run gives its surplus, no
    average (asked without 平均 it is answered:
    ``test_a_translation_keeps_the_order_of_the_sentences``)."""
    r = answerer.ask(question)
    assert r.abstained and r.answers == []
    assert r.abstain_reason == reason and said in (r.abstain_message or "")
    if reason == "no_name":
        assert "Yangquan" not in (r.abstain_message or "")


def test_a_year_the_answer_s_article_says_elsewhere_is_enough(answerer):
    """The Northeast article (dated 1952) says 一九五一 once, in a method's name: a
    question that names 1951 is answered from it, though the quoted sentence does not
    say the year; one that names 1949, which it never says, abstains."""
    r = answerer.ask("东北各地厂矿一九五一年推广先进经验存在什么问题？")
    assert not r.abstained and "一九五一" not in r.answers[0].text
    r = answerer.ask(
        "What problems did the promotion of advanced experiences in Northeast China meet in 1949?"
    )
    assert r.abstain_reason == "no_year"


def test_a_candidate_from_an_article_without_the_question_s_year_does_not_fit(answerer):
    """The year judges articles as the names do: only the Northeast article (dated 1952)
    says 一九五一, so a question naming 1951 finds every other article's candidates unfit,
    and a close candidate of its own goes first rather than an abstention (the 1882
    address's "…terminable… on twelve months' notice" over the 1886 one's "…on one
    year's notice" for "…terminated in 1886?" among distractors)."""
    from qa.answer.extract import FEATURES, asked

    northeast = "004_7ca6473d3635779a"
    question = "What problems did the promotion of advanced experiences meet in 1951?"
    r = answerer.retriever.retrieve(question, None, None, "hybrid", 8)
    articles, _ = answerer.cite(r)
    candidates = answerer.candidates(r, articles, asked(r.question, r.language))
    feats = np.array([c.features for c in candidates]).reshape(len(candidates), len(FEATURES))
    held = answerer._in_years(r.years, candidates, feats, articles)
    homes = [c.stored.chunk.article_id for c in candidates]
    assert {northeast} < set(homes)  # other articles' candidates are there to judge
    assert held.tolist() == [h == northeast for h in homes]
    assert answerer._in_years(frozenset({1949}), candidates, feats, articles).sum() == 0


def test_an_answer_has_no_abstention_reason(answerer):
    r = answerer.ask("How many production teams were organized in Yangquan?")
    assert not r.abstained and r.abstain_reason is None and r.abstain_message is None
    assert not answerer.ask("阳泉市的铁业生产合作社是怎样减少次品的？").abstained


def test_an_answer_comes_from_an_article_that_names_what_the_question_names(answerer):
    """The names rule judges articles: a close candidate from an article that says the
    question's names answers before the service abstains for the first one's
    ("龙乐豪是哪所大学毕业的？" among distractors: another article's "她的大儿子…从重庆建筑大学毕业"
    scored a little higher than the sentence with 龙乐豪)."""
    from qa.answer.answerer import Answerer, article_text
    from qa.answer.extract import asked

    q = asked("阳泉市轮训了多少人？", "zh")
    assert q.names == {"阳泉市"}
    catalog = answerer.index.catalog
    others = [a for a in catalog.article_ids() if a != YANGQUAN]
    assert len(others) == 4
    assert Answerer._unnamed(q, article_text(catalog.article(YANGQUAN))) == []
    assert all(Answerer._unnamed(q, article_text(catalog.article(a))) == ["阳泉市"] for a in others)
    r = answerer.ask("阳泉市轮训了多少人？")
    assert not r.abstained and r.answers[0].citation.article_id == YANGQUAN


def test_a_sentence_shown_in_the_other_language_takes_its_translations_stronger_features():
    """Tiny arrays: sentence 0 translates to the other side's 0-1, sentence 1 to 2."""
    from qa.answer.answerer import _SentenceFeatures

    def feats(*cols: list[float]) -> _SentenceFeatures:
        return _SentenceFeatures(*(np.array(c, dtype=np.float32) for c in cols))

    mine = feats([0.5, 0.1], [0.0, 0.2], [0.0, 0.2], [0, 1], [0, 0], [0.3, 0.0], [0, 0])
    theirs = feats([0.2, 0.7, 0.4], [0.4, 0.1, 0.0], [0.6, 0.1, 0.0], [1, 0, 0], [0, 1, 1],
                   [0.1, 0.0, 0.5], [0, 0, 1])  # fmt: skip
    both = mine.or_translated(theirs, [range(0, 2), range(2, 3)])
    assert both.meaning.tolist() == pytest.approx([0.7, 0.4])
    assert both.terms.tolist() == pytest.approx([0.4, 0.2])
    assert both.about.tolist() == pytest.approx([0.6, 0.2])
    assert both.kind.tolist() == [1, 1] and both.head.tolist() == [1, 1]
    assert both.focus.tolist() == pytest.approx([0.3, 0.5])
    assert both.said.tolist() == [0, 1]  # the question's words, said in the translation


def test_who_wrote_a_work_is_answered_by_the_byline_under_its_title(index, tmp_path):
    """The author's line says none of the question's words and is seldom retrieved; the
    answer quotes it from the article whose title line is the work, and nothing else."""
    import json

    from qa.answer.answerer import Answerer

    body = ["春节前夕，各地副食品供应充足，市场价格平稳。",
            "十年来，菜篮子工程使城市居民的副食品消费由短缺走向平衡。",
            "各地政府把菜篮子工程列为市长负责的工作，一抓就是十年。"]  # fmt: skip
    record = {"id": "pd-byline", "date": "1998-01-16", "title_zh": "菜篮子",
              "paragraphs_zh": ["粮食连年丰收之后，市场粮价下跌。",
                                "从短缺走向平衡——菜篮子工程建设十年述评（上）",
                                "本报记者彭俊", *body]}  # fmt: skip
    path = tmp_path / "byline.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    index.index_paths([path], progress=False)
    result = Answerer(index, index.settings).ask(
        "《从短缺走向平衡——菜篮子工程建设十年述评》的作者是谁？"
    )
    assert not result.abstained
    assert [a.text for a in result.answers] == ["本报记者彭俊"]
    cited = result.answers[0].citation
    assert (cited.article_id, cited.lang) == ("pd-byline", "zh")
    assert _paragraph(index, "pd-byline", "zh", cited.paragraph) == "本报记者彭俊"
