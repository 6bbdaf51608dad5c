"""BEIR-format evaluation, on a BEIR folder made from the seed articles and the seed
question set (mixed English and Chinese documents)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS

from qa.evaluation.beir import load, write_folder
from qa.evaluation.questions import load_questions
from qa.ingest.articles import ArticleError, parse_file


def write_beir(folder, bad_lines: bool = False):
    """One document per body paragraph per language of the seeds; the eval set's answerable
    same-language questions as queries, judged by their gold paragraphs, grouped by
    direction (``qa.evaluation.beir.write_folder``, as ``eval/make_beir.py`` writes)."""
    articles = [parse_file(path, 10_000_000) for path in sorted(SEEDS.glob("*.txt"))]
    questions = [q for q in load_questions(ROOT / "eval" / "questions.jsonl")
                 if q.answerable and q.kind != "cross"]  # fmt: skip
    n = write_folder(folder, articles, questions)
    if bad_lines:
        with (folder / "corpus.jsonl").open("a", encoding="utf-8") as f:
            f.write('{"_id": "no-text"}\n')
    return folder, n


def test_load_reads_all_three_files_and_reports_bad_corpus_lines(tmp_path):
    folder, n = write_beir(tmp_path / "b", bad_lines=True)
    data = load(folder)
    assert len(data.queries) == n and set(data.qrels) <= set(data.queries)
    assert (
        set(data.groups.values()) == {"en-en", "zh-zh"}
        and data.groups.keys() == data.queries.keys()
    )
    assert {d.parts.keys().__iter__().__next__() for d in data.documents} == {"en", "zh"}
    assert data.failed == [{"where": f"{folder / 'corpus.jsonl'}:{len(data.documents) + 1}",
                            "reason": "empty 'text'"}]  # fmt: skip


def test_load_refuses_missing_files_and_bad_qrels(tmp_path):
    folder, _ = write_beir(tmp_path / "b")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1 d1\n")
    with pytest.raises(ArticleError, match="query-id<TAB>corpus-id<TAB>score"):
        load(folder)
    (folder / "queries.jsonl").unlink()
    with pytest.raises(ArticleError, match="missing"):
        load(folder)


def test_cli_scores_a_beir_folder_in_a_throwaway_index(tmp_path, model_cache):
    folder, n = write_beir(tmp_path / "b", bad_lines=True)
    main = tmp_path / "main-data"
    env = {**os.environ, "QA_DATA_DIR": str(main), "QA_MODEL_CACHE_DIR": str(model_cache),
           "QA_EMBEDDERS": '["e5", "minilm@en"]'}  # fmt: skip
    run = subprocess.run([sys.executable, "-m", "qa.cli", "eval", "--beir", str(folder), "--json",
                          "--modes", "lexical,dense:minilm,hybrid"],
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    by_mode = {r["mode"]: r for r in json.loads(run.stdout)}  # one object per mode
    assert by_mode.keys() == {"lexical", "dense:minilm", "hybrid"}
    # English-only MiniLM finds none of the Chinese queries' paragraphs: it scores lowest
    assert by_mode["dense:minilm"]["recall@100"] < by_mode["hybrid"]["recall@100"]
    assert by_mode["lexical"]["chunks"] == by_mode["hybrid"]["chunks"]  # indexed once
    r = by_mode["hybrid"]
    assert {"ndcg@10", "mrr@10", "recall@10", "recall@100"} <= r.keys()
    assert (r["queries"], r["failed"], r["mode"]) == (n, 1, "hybrid")
    # paragraph-level, with each paragraph's translation as a competing non-relevant
    # document: hybrid retrieval still ranks a gold paragraph first for most questions
    assert r["mrr@10"] > 0.6 and r["ndcg@10"] > 0.6
    assert r["recall@10"] <= r["recall@100"] and r["recall@100"] > 0.95
    # per direction (the queries' metadata.group): they add up to the whole
    groups = r["groups"]
    assert groups.keys() == {"en-en", "zh-zh"} and sum(g["queries"] for g in groups.values()) == n
    mean = sum(g["mrr@10"] * g["queries"] for g in groups.values()) / n
    assert mean == pytest.approx(r["mrr@10"], abs=1e-3)
    assert not main.exists()  # the user's main index was never touched


def test_cli_refuses_an_unknown_mode_before_indexing(tmp_path, model_cache):
    folder, _ = write_beir(tmp_path / "b")
    env = {
        **os.environ,
        "QA_DATA_DIR": str(tmp_path / "main"),
        "QA_MODEL_CACHE_DIR": str(model_cache),
    }
    run = subprocess.run([sys.executable, "-m", "qa.cli", "eval", "--beir", str(folder),
                          "--modes", "hybrid,sparse"],
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 2
    assert "unknown mode 'sparse'" in run.stderr and "Traceback" not in run.stderr
    assert "querying" not in run.stderr  # refused before any work


def test_one_language_folder_keeps_each_paragraph_pair_once_and_judges_by_its_translation(
    tmp_path,
):
    """``write_folder(one_language=True)``: every aligned paragraph pair of a seed article
    is one document in one language (both languages used), and a question whose gold
    paragraph went is judged by the kept translation (a cross-lingual query)."""
    from qa.ingest.align import align

    articles = [parse_file(path, 10_000_000) for path in sorted(SEEDS.glob("*.txt"))]
    questions = [q for q in load_questions(ROOT / "eval" / "questions.jsonl") if q.answerable]
    folder = tmp_path / "b"
    n = write_folder(folder, articles, questions, one_language=True)
    data = load(folder)
    docs = {d.id: d for d in data.documents}
    by_article = {a.id: a for a in articles}
    pairs = {a.id: align(a) for a in articles}
    for art_id, beads in pairs.items():
        for bead in beads:
            kept = [f"{art_id}.en.{i}" for i in bead.en if f"{art_id}.en.{i}" in docs]
            kept_zh = [f"{art_id}.zh.{i}" for i in bead.zh if f"{art_id}.zh.{i}" in docs]
            assert bool(kept) != bool(kept_zh)  # one language, never both, never neither
    assert {d.split(".")[1] for d in docs} == {"en", "zh"}
    groups = set(data.groups.values())
    assert {"en-zh", "zh-en", "en-en", "zh-zh"} <= groups and n == len(questions)
    for q in questions:
        gold = set(data.qrels[q.id])
        assert data.groups[q.id] == f"{q.lang}-{next(iter(gold)).split('.')[1]}"
        beads = [b for b in pairs[q.article_id]
                 if set(q.paragraphs) & set(b.en if q.gold_lang == "en" else b.zh)]  # fmt: skip
        kept = {f"{q.article_id}.{lang}.{i}" for b in beads
                for lang, side in (("en", b.en), ("zh", b.zh)) for i in side} & docs.keys()  # fmt: skip
        assert gold == kept  # the gold paragraphs where kept, else their translations
        for doc in gold:
            _, lang, para = doc.split(".")
            text = docs[doc].parts[lang].paragraphs[0].text
            assert text == by_article[q.article_id].parts[lang].paragraphs[int(para)].text
