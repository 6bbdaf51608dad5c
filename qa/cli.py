"""The ``qa`` command: a thin layer over the library; it prints, the library decides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qa.config import get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
out = Console()

DEFAULT_SEEDS = Path("seeds")


def _print_json(data: object) -> None:
    """Plain JSON on stdout (rich would wrap long strings), for scripts and pipes."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _open_index():
    from qa.indexer import Index

    return Index(get_settings())


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
    ix = _open_index()
    try:
        report = ix.index_paths(paths or [DEFAULT_SEEDS], prune=prune, progress=not quiet)
    finally:
        ix.close()
    if as_json:
        _print_json(report.to_dict())
    else:
        table = Table(title="qa index", show_header=False)
        for key in ("added", "updated", "unchanged", "removed"):
            table.add_row(f"articles {key}", str(getattr(report, f"articles_{key}")))
        table.add_row("chunks added", str(report.chunks_added))
        table.add_row("chunks removed", str(report.chunks_removed))
        if report.orphans_removed:
            table.add_row("orphans cleaned", str(report.orphans_removed))
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
        data = ix.stats()
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


if __name__ == "__main__":
    app()
