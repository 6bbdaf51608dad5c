"""Cost of adding one article to an index that already holds many: what a user adding
articles one by one (``POST /articles``) waits for, split into the embedding, the catalog
commit and the lexical (BM25) update.

    python eval/bench_write.py --data-dir DIR [--articles 20]

DIR is copied to a temporary folder first and left untouched. The articles are the
seeds under new ids (real text, 5 to 14 chunks each). Prints p50 / p95 and writes
``eval/reports/bench_write.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.evaluation.bench import index_dir  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=index_dir, required=True, help="An index (QA_DATA_DIR).")
    ap.add_argument("--articles", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "bench_write.json")
    args = ap.parse_args()

    from qa.config import get_settings
    from qa.evaluation.questions import percentile
    from qa.ingest.indexer import Index, discover, read_articles

    phases: dict[str, list[float]] = {"embed": [], "lexical": []}

    class Timed(Index):
        def _embed(self, *a, **k):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            super()._embed(*a, **k)
            phases["embed"].append(time.perf_counter() - t)

        def refresh_lexical(self):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            out = super().refresh_lexical()
            phases["lexical"].append(time.perf_counter() - t)
            return out

    settings = get_settings()
    files, _ = discover([ROOT / "seeds"])
    seeds = [a for a in read_articles(files, settings) if not isinstance(a, Exception)]
    with tempfile.TemporaryDirectory(prefix="qa-bench-write-") as tmp:
        work = Path(tmp) / "data"
        shutil.copytree(args.data_dir, work, ignore=shutil.ignore_patterns("models", "*.lock"))
        local = settings.model_copy(
            update={"data_dir": work, "model_cache_dir": args.data_dir / "models"}
        )
        total, embed, lexical = [], [], []
        with Timed(local) as index:
            for e in index.embedders:
                e.warm_up()
            _ = index.lexical  # loaded once, as a running server has it
            chunks = sum(index.catalog.counts()["chunks"].values())
            for i in range(args.articles):
                art = dataclasses.replace(seeds[i % len(seeds)], id=f"bench-write-{i}",
                                          source="api")  # fmt: skip
                phases["embed"].clear()
                phases["lexical"].clear()
                t = time.perf_counter()
                index.add_articles([art])
                total.append(time.perf_counter() - t)
                embed.append(sum(phases["embed"]))
                lexical.append(sum(phases["lexical"]))

    def pct(xs: list[float]) -> dict[str, float]:
        return {f"p{q}_ms": round(1000 * percentile(xs, q / 100), 1) for q in (50, 95)}

    other = [t - e - x for t, e, x in zip(total, embed, lexical, strict=True)]
    result = {"chunks": chunks, "articles": args.articles, "total": pct(total),
              "embed": pct(embed), "lexical": pct(lexical), "other": pct(other)}  # fmt: skip
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
