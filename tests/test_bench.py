"""qa bench: corpora of a requested size, and one size measured end to end."""

from __future__ import annotations

import re

import pytest

from qa.config import Settings
from qa.evaluation.bench import _interleave, bench_index, bench_size, sized_corpus
from qa.ingest.chunking import chunk_article


def test_interleave_keeps_the_ratio_in_every_prefix():
    a, b = list(range(100)), [f"b{i}" for i in range(10)]
    mixed = _interleave(a, b)  # type: ignore[arg-type]
    assert sorted(map(str, mixed)) == sorted(map(str, a + b))
    for n in (10, 33, 55, 110):
        bs = sum(isinstance(x, str) for x in mixed[:n])
        assert abs(bs - n / 11) <= 1


def test_sized_corpus_reaches_the_size_in_both_languages(tmp_path, model_cache):
    s = Settings(data_dir=tmp_path / "d", model_cache_dir=model_cache, cache_dir=tmp_path / "c")
    arts = list(sized_corpus(800, s))
    chunks = [c for a in arts for c in chunk_article(a, s)]
    assert 800 <= len(chunks) < 800 + 200  # stops at the first article past the target
    assert {c.lang for c in chunks} == {"en", "zh"}
    assert len({a.id for a in arts}) == len(arts)


def test_bench_size_measures_index_and_asks(tmp_path, model_cache):
    s = Settings(data_dir=tmp_path / "d", model_cache_dir=model_cache, cache_dir=tmp_path / "c")
    r = bench_size(300, s, tmp_path / "work", n_queries=120, http={})
    assert r["chunks"] >= 300 and r["chunks_en"] > 0 and r["chunks_zh"] > 0
    assert r["chunks_per_s"] > 0 and r["peak_rss_mb"] > 100
    for kind in ("ask_cold", "ask_warm", "ask_filtered"):
        t = r[kind]
        assert t["queries"] == 120 and 0 < t["p50_ms"] <= t["p95_ms"] <= t["p99_ms"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["ask_filtered"]["since"])
    assert "http" not in r


def test_bench_on_a_folder_without_an_index_says_so(tmp_path, model_cache):
    s = Settings(data_dir=tmp_path / "d", model_cache_dir=model_cache, cache_dir=tmp_path / "c")
    with pytest.raises(RuntimeError, match="holds no index"):
        bench_index(tmp_path / "empty", s, n_queries=10, http={})
    assert not (tmp_path / "empty").exists()  # nothing was created there
    # the scripts in eval/ refuse it the same way, as an argparse error
    import argparse

    from qa.evaluation.bench import index_dir

    with pytest.raises(argparse.ArgumentTypeError, match="holds no index"):
        index_dir(str(tmp_path / "empty"))
    assert not (tmp_path / "empty").exists()
