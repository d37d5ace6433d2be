"""The `incidex` command: thin wrappers that parse options, call the library and print."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from incidex import __version__
from incidex.evaluate import EvalError, format_report, load_docs, report_to_dict, score
from incidex.export import to_csv, to_geojson, to_json, to_table
from incidex.ingest import InputError
from incidex.pipeline import Processed, run
from incidex.store import IncidentFilter, Store, StoreError, default_db_path

app = typer.Typer(
    help="News reports of political violence in; a clean, geocoded incident database out.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
PIPE_WIDTH = 140  # columns of a table written to a file or pipe (a terminal uses its own width)
out = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)
err = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite database file [default: $INCIDEX_DB or the user data dir]."),
]
InputsArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Text, HTML or JSON-lines files, or directories (read recursively)."),
]
SamplesOption = Annotated[
    bool, typer.Option("--samples", help="Also read the sample articles bundled with incidex.")
]


class OutputFormat(str, Enum):
    """How `incidex incidents` prints its rows."""

    table = "table"
    csv = "csv"
    json = "json"
    geojson = "geojson"


def sample_articles() -> str:
    """Path of the bundled sample articles."""
    return str(resources.files("incidex.data").joinpath("samples", "articles"))


def _inputs(inputs: list[str] | None, samples: bool) -> list[str]:
    """The inputs to read; refuse a call with none."""
    chosen = list(inputs or []) + ([sample_articles()] if samples else [])
    if not chosen:
        raise typer.BadParameter("give at least one INPUT, or --samples", param_hint="INPUT")
    return chosen


@contextmanager
def _progress(label: str) -> Iterator[Progress]:
    """A progress line on stderr for long runs; silent when stderr is not a terminal."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        yield progress


def _version(value: bool) -> None:
    if value:
        out.print(f"incidex {__version__}")
        raise typer.Exit


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """News reports of political violence in; a clean, geocoded incident database out."""


@app.command()
def extract(
    inputs: InputsArgument = None,
    out_file: Annotated[
        Path, typer.Option("--out", "-o", help="JSON-lines file to write; '-' for standard output.")
    ] = Path("-"),
    samples: SamplesOption = False,
) -> None:
    """Extract incidents from articles into JSON lines, one article a line (codebook section 6).

    Example: incidex extract articles/ feed.jsonl --out incidents.jsonl
    """
    errors = 0
    handle = sys.stdout if str(out_file) == "-" else out_file.open("w", encoding="utf-8")
    try:
        with _progress("extracting") as progress:
            task = progress.add_task("extract", total=None)
            for item in run(_inputs(inputs, samples)):
                progress.advance(task)
                if isinstance(item, InputError):
                    errors += 1
                    err.print(f"[red]error[/red] {item}", markup=True, highlight=False)
                    continue
                handle.write(json.dumps(item.extraction.to_dict(), ensure_ascii=False) + "\n")
    finally:
        if handle is not sys.stdout:
            handle.close()
    raise typer.Exit(1 if errors else 0)


@app.command()
def ingest(
    inputs: InputsArgument = None, db: DbOption = None, samples: SamplesOption = False
) -> None:
    """Extract incidents from articles and store them in the database, one transaction an article.

    Re-ingesting an article already stored (same text) changes nothing.
    Example: incidex ingest --samples
    """
    path = db or default_db_path()
    counts = {"read": 0, "new": 0, "known": 0, "incidents": 0, "errors": 0}
    try:
        with Store.open(path) as store, _progress("ingesting") as progress:
            task = progress.add_task("ingest", total=None)
            for item in run(_inputs(inputs, samples)):
                progress.advance(task)
                _store_one(store, item, counts)
            stats = store.stats()
    except StoreError as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error
    out.print(
        f"{counts['read']} articles read: {counts['new']} new, {counts['known']} already stored, "
        f"{counts['errors']} errors; {counts['incidents']} incidents added.\n"
        f"Database {path}: {stats['articles']} articles, {stats['incidents']} incidents, "
        f"{stats['statistics']} statistics.",
        highlight=False,
    )
    raise typer.Exit(1 if counts["errors"] else 0)


def _store_one(store: Store, item: Processed | InputError, counts: dict[str, int]) -> None:
    """Store one processed article and count what happened."""
    if isinstance(item, InputError):
        counts["errors"] += 1
        err.print(f"error: {item}", highlight=False)
        return
    counts["read"] += 1
    try:
        added = store.add(item.article, item.extraction, item.content_hash)
    except StoreError as error:
        counts["errors"] += 1
        err.print(f"error: {item.article.origin}: {error}", highlight=False)
        return
    counts["new" if added else "known"] += 1
    counts["incidents"] += len(item.extraction.incidents) if added else 0


@app.command()
def incidents(
    db: DbOption = None,
    country: Annotated[str | None, typer.Option(help="ISO country code, e.g. IQ.")] = None,
    admin1: Annotated[str | None, typer.Option(help="Province, e.g. Diyala.")] = None,
    location: Annotated[str | None, typer.Option(help="Town, village or area.")] = None,
    since: Annotated[str | None, typer.Option(help="Earliest date, YYYY[-MM[-DD]].")] = None,
    until: Annotated[str | None, typer.Option(help="Latest date, YYYY[-MM[-DD]].")] = None,
    attack_type: Annotated[
        str | None, typer.Option("--type", help="Attack type, e.g. bombing.")
    ] = None,
    perpetrator: Annotated[str | None, typer.Option(help="Part of the perpetrator's name.")] = None,
    min_killed: Annotated[int | None, typer.Option(help="At least this many killed.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many rows.")] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
) -> None:
    """List stored incidents, filtered, as a table or as CSV, JSON or GeoJSON.

    Example: incidex incidents --admin1 Diyala --since 2021-01 --format csv
    """
    path = db or default_db_path()
    if not path.exists():
        err.print(f"error: no database at {path}; run `incidex ingest` first", highlight=False)
        raise typer.Exit(2)
    try:
        filters = IncidentFilter(
            country=country, admin1=admin1, location=location, since=since, until=until,
            attack_type=attack_type, perpetrator=perpetrator, min_killed=min_killed, limit=limit,
        )  # fmt: skip
        with Store.open(path) as store:
            rows = store.query_incidents(filters)
    except (ValueError, StoreError) as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error
    if output is OutputFormat.table:
        out.print(to_table(rows, title=f"{len(rows)} incidents"))
        return
    writers = {
        OutputFormat.csv: to_csv,
        OutputFormat.json: to_json,
        OutputFormat.geojson: to_geojson,
    }
    sys.stdout.write(writers[output](rows))


@app.command(name="eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSON-lines file (codebook section 6).")],
    pred: Annotated[
        Path, typer.Argument(help="Predicted JSON-lines file, from `incidex extract`.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    brief: Annotated[
        bool, typer.Option("--brief", help="Only the summary, no per-article listing.")
    ] = False,
) -> None:
    """Score an extraction against gold files: incident P/R/F1, field agreement, merging.

    Example: incidex eval gold/dev.jsonl predictions.jsonl
    """
    try:
        report = score(load_docs(gold), load_docs(pred))
    except EvalError as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error
    if as_json:
        sys.stdout.write(json.dumps(report_to_dict(report), indent=2) + "\n")
    else:
        sys.stdout.write(format_report(report, details=not brief) + "\n")


def main() -> None:
    """Entry point of the console script."""
    app()
