"""BEIR-format data sets: ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl``
(``_id``, ``text``) and ``qrels/test.tsv`` (``query-id corpus-id score``, with a header).
A query may carry ``metadata.group`` (say its direction, "en-zh"); scores are then also
given per group.

The corpus goes into a throwaway index (never the user's main one); each document is an
article in the language its text is written in (documents may be English, Chinese or
mixed across the corpus), one paragraph per line of its text. Queries run through the
default hybrid retrieval; passages map back to their documents, first occurrence kept.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from qa.config import Settings
from qa.evaluation.questions import EvalQuestion, ir_scores, percentile
from qa.ingest.align import align
from qa.ingest.articles import ArticleError, parse_record
from qa.ingest.indexer import Index
from qa.search.retrieve import Passage, QueryError, Retriever
from qa.store.records import Article
from qa.text import detect_language

METRICS = {"ndcg@10": "nDCG@10", "mrr@10": "RR@10", "recall@10": "R@10", "recall@100": "R@100"}
DEPTH = 100  # documents ranked per query (for recall@100)
# BEIR documents carry no date; the index needs one, so every document gets this one.
UNDATED = dt.date(1900, 1, 1)


@dataclass
class BeirSet:
    documents: list[Article]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    failed: list[dict[str, str]] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)  # query id -> metadata.group


def _jsonl(path: Path) -> Iterator[tuple[str, object]]:
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                yield where, json.loads(line)
            except json.JSONDecodeError as exc:
                raise ArticleError(where, f"not JSON: {exc.msg}") from None


def _document(obj: object, where: str, source: str) -> Article:
    if not isinstance(obj, dict) or not isinstance(obj.get("_id"), str | int):
        raise ArticleError(where, "a corpus line needs an '_id'")
    title, text = str(obj.get("title") or ""), str(obj.get("text") or "")
    if not text.strip():
        raise ArticleError(where, "empty 'text'")
    suffix = "_zh" if detect_language(f"{title} {text}") == "zh" else ""
    record = {"id": str(obj["_id"]), "date": UNDATED.isoformat(),
              f"title{suffix}": title, f"paragraphs{suffix}": text.splitlines()}  # fmt: skip
    return parse_record(record, where, source)


def load(folder: Path, split: str = "test") -> BeirSet:
    """Read a BEIR folder; a bad corpus line is reported in ``failed``, not fatal. Raises
    ``ArticleError`` when a file is missing or its queries/qrels are malformed."""
    paths = {
        "corpus": folder / "corpus.jsonl",
        "queries": folder / "queries.jsonl",
        "qrels": folder / "qrels" / f"{split}.tsv",
    }
    for name, p in paths.items():
        if not p.is_file():
            raise ArticleError(str(p), f"missing: a BEIR folder needs {name} here")
    out = BeirSet([], {}, {})
    seen: set[str] = set()
    for where, obj in _jsonl(paths["corpus"]):
        try:
            doc = _document(obj, where, str(paths["corpus"]))
            if doc.id in seen:
                raise ArticleError(where, f"duplicate _id {doc.id!r}")
        except ArticleError as exc:
            out.failed.append({"where": exc.where, "reason": exc.reason})
            continue
        seen.add(doc.id)
        out.documents.append(doc)
    for where, obj in _jsonl(paths["queries"]):
        if not isinstance(obj, dict) or "_id" not in obj or not str(obj.get("text", "")).strip():
            raise ArticleError(where, "a query line needs '_id' and 'text'")
        out.queries[str(obj["_id"])] = str(obj["text"])
        meta = obj.get("metadata")
        if isinstance(meta, dict) and meta.get("group") is not None:
            out.groups[str(obj["_id"])] = str(meta["group"])
    lines = paths["qrels"].read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, start=1):
        cols = line.split("\t")
        if n == 1 and not cols[-1].strip().lstrip("-").isdigit():
            continue  # the header
        if len(cols) != 3 or not cols[2].strip().lstrip("-").isdigit():
            raise ArticleError(
                f"{paths['qrels']}:{n}", "expected 'query-id<TAB>corpus-id<TAB>score'"
            )
        qid, did, rel = cols[0].strip(), cols[1].strip(), int(cols[2])
        if rel > 0:
            out.qrels.setdefault(qid, {})[did] = rel
    return out


def _one_language(art: Article) -> tuple[Article, dict[tuple[str, int], list[str]]]:
    """``art`` with each aligned paragraph pair kept in one language only, English or
    Chinese by a stable hash of the article and the pair, and, for every body paragraph
    of either language, the kept documents that carry its text."""
    kept: dict[str, set[int]] = {"en": set(), "zh": set()}
    carried: dict[tuple[str, int], list[str]] = {}
    for k, bead in enumerate(align(art)):
        sides = {"en": bead.en, "zh": bead.zh}
        lang = "en" if zlib.crc32(f"{art.id}#{k}".encode()) % 2 == 0 else "zh"
        if not sides[lang]:
            lang = "zh" if lang == "en" else "en"  # a one-sided bead keeps its side
        kept[lang].update(sides[lang])
        docs = [f"{art.id}.{lang}.{i}" for i in sides[lang]]
        for side, paragraphs in sides.items():
            for i in paragraphs:
                carried[side, i] = docs
    parts = {lang: replace(part, paragraphs=tuple(p for p in part.paragraphs
                                                  if not p.is_body or p.index in kept[lang]))
             for lang, part in art.parts.items()}  # fmt: skip
    return replace(art, parts=parts), carried


def write_folder(folder: Path, articles: Iterable[Article], questions: Iterable[EvalQuestion],
                 one_language: bool = False) -> int:  # fmt: skip
    """Write ``articles`` and ``questions`` as a BEIR folder: one document per body
    paragraph per language (``<article>.<lang>.<paragraph>``); as queries, the answerable
    ``questions`` whose gold paragraphs are among the documents, judged by them and
    grouped by direction (``metadata.group``: question language - gold document language).
    Returns the number of queries.

    ``one_language``: each paragraph pair of a bilingual article becomes one document, in
    English or in Chinese (half each, by a stable hash), so a question is often judged by
    a paragraph written only in the other language, as in a cross-lingual retrieval set;
    a question whose gold paragraph went is judged by its translation."""
    (folder / "qrels").mkdir(parents=True, exist_ok=True)
    docs: dict[tuple[str, str, int], list[str]] = {}  # (article, lang, paragraph) -> gold docs
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for art in articles:
            carried: dict[tuple[str, int], list[str]] = {}
            if one_language and len(art.parts) == 2:
                art, carried = _one_language(art)
            for lang, part in art.parts.items():
                for p in part.body:
                    doc = f"{art.id}.{lang}.{p.index}"
                    docs[art.id, lang, p.index] = [doc]
                    row = {"_id": doc, "title": part.title, "text": p.text}
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
            for (lang, i), kept in carried.items():
                docs[art.id, lang, i] = kept
    judged = []  # (question, its gold documents)
    for q in questions:
        where = (q.article_id or "", q.gold_lang or "")
        gold = sorted({d for i in q.paragraphs for d in docs.get((*where, i), [])})
        if q.answerable and gold:
            judged.append((q, gold))
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as f:
        for q, gold in judged:
            langs = {d.split(".")[-2] for d in gold}  # "both": gold pairs kept in each language
            group = f"{q.lang}-{langs.pop() if len(langs) == 1 else 'both'}"
            meta = {"group": group, "set": q.set, "split": q.split}
            f.write(json.dumps({"_id": q.id, "text": q.question, "metadata": meta},
                               ensure_ascii=False) + "\n")  # fmt: skip
    rows = ["query-id\tcorpus-id\tscore"]
    rows += [f"{q.id}\t{d}\t1" for q, gold in judged for d in gold]
    (folder / "qrels" / "test.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(judged)


def index_settings(settings: Settings, data_dir: Path) -> Settings:
    """``settings`` for a BEIR folder's own index in ``data_dir``: retrieval ``DEPTH`` deep
    (for recall@100), and the models read from the user's cache."""
    deep = {"max_k": max(settings.max_k, DEPTH), "candidates": max(settings.candidates, DEPTH)}
    return settings.model_copy(
        update={"data_dir": data_dir, "model_cache_dir": settings.models_dir, **deep}
    )


def documents(passages: Iterable[Passage]) -> list[str]:
    """The BEIR documents ``passages`` come from, best first (an article is a document)."""
    return list(dict.fromkeys(p.unit[0] for p in passages))


def group_scores(data: BeirSet, ranked: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """The metrics per ``metadata.group`` of the judged queries ``ranked`` holds, each
    with its number of queries."""
    out = {}
    for g in sorted(set(data.groups.values())):
        ids = [q for q in ranked if data.groups.get(q) == g and q in data.qrels]
        s = ir_scores({q: data.qrels[q] for q in ids}, {q: ranked[q] for q in ids},
                      METRICS.values())  # fmt: skip
        out[g] = {"queries": len(ids), **{key: round(s[m], 4) for key, m in METRICS.items()}}
    return out


def evaluate(
    settings: Settings,
    folder: Path,
    data_dir: Path,
    progress: bool = True,
    modes: Sequence[str] = ("hybrid",),
) -> list[dict[str, Any]]:
    """Index ``folder``'s corpus into ``data_dir`` once and score its judged queries in
    each retrieval mode. Returns one object per mode: the four metrics plus counts and
    timings, and ``groups`` (the metrics per ``metadata.group``) when queries carry one.
    An unknown mode raises ``QueryError`` before anything is indexed."""
    from tqdm import tqdm

    data = load(folder)
    throwaway = index_settings(settings, data_dir)
    with Index(throwaway) as index:
        retriever = Retriever(index, throwaway)
        for mode in modes:
            retriever.legs_for(mode)  # a bad mode fails here, not after the indexing
        started = time.perf_counter()
        report = index.add_articles(data.documents, progress=progress)
        index_seconds = time.perf_counter() - started
        judged = [q for q in data.queries if q in data.qrels]
        chunks = index.catalog.counts()["chunks"]
        out = []
        for mode in modes:
            ranked: dict[str, list[str]] = {}
            latencies = []
            for qid in tqdm(judged, unit="query", desc=f"querying ({mode})",
                            disable=not progress):  # fmt: skip
                t = time.perf_counter()
                try:
                    r = retriever.retrieve(data.queries[qid], k=DEPTH, mode=mode)
                except QueryError:  # e.g. English-only MiniLM asked a Chinese query
                    ranked[qid] = []
                    continue
                latencies.append(1000 * (time.perf_counter() - t))
                ranked[qid] = documents(r.passages)
            scores = ir_scores(data.qrels, ranked, METRICS.values())
            per_group = group_scores(data, ranked)
            out.append({
                **{key: round(scores[m], 4) for key, m in METRICS.items()},
                "mode": mode,
                **({"groups": per_group} if per_group else {}),
                "queries": len(judged),
                "documents": len(data.documents),
                "chunks": chunks,
                "failed": len(data.failed) + len(report.failed),
                "index_seconds": round(index_seconds, 2),
                "query_p50_ms": round(percentile(latencies, 0.5), 2) if latencies else 0.0,
            })  # fmt: skip
    return out
