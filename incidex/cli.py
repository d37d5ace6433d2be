"""The `incidex` command: thin wrappers that parse options, call the library and print."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from incidex import __version__
from incidex.alerts import alert_line, notify
from incidex.cli_alerts import alerts_app
from incidex.cli_common import DbOption, database, err, missing, out
from incidex.cli_distribute import distribute
from incidex.cli_progress import run_progress
from incidex.evaluate import EvalError, format_report, load_docs, report_to_dict, score
from incidex.export import event_panel, events_table, incidents_table, to_csv, to_geojson, to_json
from incidex.fetch import FetchPolicy
from incidex.ingest import InputError
from incidex.pipeline import Known, Processed, run, with_events
from incidex.store import AddResult, IncidentFilter, Store, StoreError
from incidex.store.backend import display
from incidex.store.backup import dump, export_file, import_file, load
from incidex.watch import describe, parse_duration, poll

app = typer.Typer(
    help="News reports of political violence in; a clean, geocoded incident database out.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
InputsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files (text, HTML, JSON lines, WARC, RSS, Atom), directories or URLs.",
        metavar="INPUT",
    ),
]
SamplesOption = Annotated[
    bool, typer.Option("--samples", help="Also read the sample articles bundled with incidex.")
]


CountryOption = Annotated[str | None, typer.Option(help="ISO country code, e.g. IQ.")]
Admin1Option = Annotated[str | None, typer.Option(help="Province, e.g. Diyala.")]
LocationOption = Annotated[str | None, typer.Option(help="Town, village or area.")]
SinceOption = Annotated[str | None, typer.Option(help="Earliest date, YYYY[-MM[-DD]].")]
UntilOption = Annotated[str | None, typer.Option(help="Latest date, YYYY[-MM[-DD]].")]
TypeOption = Annotated[str | None, typer.Option("--type", help="Attack type, e.g. bombing.")]
PerpetratorOption = Annotated[str | None, typer.Option(help="Part of the perpetrator's name.")]
MinKilledOption = Annotated[int | None, typer.Option(help="At least this many killed.")]
LimitOption = Annotated[int | None, typer.Option(help="At most this many rows.")]


class OutputFormat(str, Enum):
    """How `incidex incidents` and `incidex events` print their rows."""

    table = "table"
    csv = "csv"
    json = "json"
    geojson = "geojson"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
AllowPrivateOption = Annotated[
    bool,
    typer.Option(
        "--allow-private",
        help="Let URLs and feeds reach private, loopback and link-local addresses.",
    ),
]


def sample_articles() -> str:
    """Path of the bundled sample articles."""
    return str(resources.files("incidex.data").joinpath("samples", "articles"))


def _inputs(inputs: list[str] | None, samples: bool) -> list[str]:
    """The inputs to read; refuse a call with none."""
    chosen = list(inputs or []) + ([sample_articles()] if samples else [])
    if not chosen:
        raise typer.BadParameter("give at least one INPUT, or --samples", param_hint="INPUT")
    return chosen


def _policy(allow_private: bool) -> FetchPolicy:
    """How URLs and feeds may be fetched: public addresses only, unless allowed."""
    return FetchPolicy(allow_private=allow_private)


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
    allow_private: AllowPrivateOption = False,
) -> None:
    """Extract incidents from articles into JSON lines, one article a line (codebook section 6).

    Incidents that report one real-world act in different articles share an `event` id.

    Example: incidex extract articles/ feed.jsonl --out incidents.jsonl
    """
    extractions = []
    with run_progress("extracting") as progress:
        tally = progress.tally
        for item in run(_inputs(inputs, samples), policy=_policy(allow_private)):
            if isinstance(item, InputError):
                tally.errors += 1
                progress.print(f"error: {item}")
            else:
                tally.articles += 1
                tally.incidents += len(item.extraction.incidents)
                extractions.append(replace(item.extraction, text=""))  # text: not written
            progress.refresh()
    lines = (json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in with_events(extractions))
    if str(out_file) == "-":
        sys.stdout.writelines(lines)
    else:
        with out_file.open("w", encoding="utf-8") as handle:
            handle.writelines(lines)
        out.print(
            f"{tally.articles} articles {tally.timing()}: {tally.incidents} incidents, "
            f"{tally.errors} errors; written to {out_file}.",
            highlight=False,
            soft_wrap=True,
        )
    raise typer.Exit(1 if tally.errors else 0)


@app.command()
def ingest(
    inputs: InputsArgument = None,
    db: DbOption = None,
    samples: SamplesOption = False,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Extract incidents from articles, store them, and merge reports of one act into events.

    One transaction an article. Re-ingesting an article already stored (same text) changes
    nothing and is not extracted again, so an interrupted run resumes where it stopped; a
    near-verbatim copy of a stored article only adds a source to its events. Results files
    of `incidex distribute` (Parquet, or their folder) are stored without extracting again.

    Example: incidex ingest --samples
    """
    path = database(db)
    counts = Counter[str]()
    try:
        with Store.open(path) as store, run_progress("ingesting") as progress:
            known = _known_in(store)
            for item in run(_inputs(inputs, samples), _policy(allow_private), known):
                store_processed(store, item, counts, progress.print)
                progress.tally.articles = counts["read"]
                progress.tally.incidents = counts["incidents"]
                progress.tally.errors = counts["errors"]
                progress.refresh()
            stats = store.stats()
    except StoreError as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error
    out.print(
        f"{counts['read']} articles read {progress.tally.timing()}: {counts['new']} new, "
        f"{counts['duplicate']} copies of stored articles, {counts['known']} already stored, "
        f"{counts['errors']} errors; "
        f"{counts['incidents']} incidents added, {counts['new_events']} new events, "
        f"{counts['updated_events']} events updated.\n"
        f"Database {display(path)}: {stats['articles']} articles, {stats['incidents']} incidents, "
        f"{stats['events']} events, {stats['statistics']} statistics.",
        highlight=False,
    )
    raise typer.Exit(1 if counts["errors"] else 0)


app.command(name="distribute")(distribute)


def _known_in(store: Store) -> Callable[[str], bool]:
    """Whether an article with this content hash is stored: then it is not extracted again."""
    return lambda content_hash: store.get_article_by_hash(content_hash) is not None


def store_processed(
    store: Store,
    item: Processed | Known | InputError,
    counts: Counter[str],
    report: Callable[[str], None],
) -> AddResult | None:
    """Store one processed article, count what happened, and `report` errors."""
    if isinstance(item, InputError):
        counts["errors"] += 1
        report(f"error: {item}")
        return None
    counts["read"] += 1
    if isinstance(item, Known):
        counts["known"] += 1
        return AddResult("known")
    try:
        result = store.add(item.article, item.extraction, item.content_hash, item.signature)
    except StoreError as error:
        counts["errors"] += 1
        report(f"error: {item.article.origin}: {error}")
        return None
    counts[result.status] += 1
    counts["incidents"] += len(item.extraction.incidents) if result.status == "new" else 0
    counts["new_events"] += len(result.new_events)
    counts["updated_events"] += len(result.updated_events)
    try:
        for alert in notify(store, result):
            out.print(alert_line(alert), highlight=False, soft_wrap=True)
    except StoreError as error:
        report(f"error: {item.article.origin}: {error}")
    return result


def _listing(
    noun: str, query: Callable[[Store, IncidentFilter], list[dict]], table: Callable[..., Table]
) -> Callable[..., None]:
    """A command that lists stored incidents or events, filtered, in one of the formats."""

    def command(
        db: DbOption = None,
        country: CountryOption = None,
        admin1: Admin1Option = None,
        location: LocationOption = None,
        since: SinceOption = None,
        until: UntilOption = None,
        attack_type: TypeOption = None,
        perpetrator: PerpetratorOption = None,
        min_killed: MinKilledOption = None,
        limit: LimitOption = None,
        output: FormatOption = OutputFormat.table,
    ) -> None:
        filters = _filters(
            country, admin1, location, since, until, attack_type, perpetrator, min_killed, limit
        )
        with _open_existing(db) as store:
            rows = query(store, filters)
        _print_rows(rows, output, table, noun)

    return command


app.command(
    "incidents",
    help="""List stored incidents (one per report), filtered, as a table or CSV, JSON or GeoJSON.

    Example: incidex incidents --admin1 Diyala --since 2021-01 --format csv""",
)(_listing("incidents", Store.query_incidents, incidents_table))
app.command(
    "events",
    help="""List events (reports of one act merged), with their source count and figure spread.

    Filters apply to the event's own fields; --min-killed to its best estimate.

    Example: incidex events --country IQ --since 2022-01 --min-killed 5""",
)(_listing("events", Store.query_events, events_table))


@app.command()
def show(
    event: Annotated[
        str,
        typer.Argument(help="Event id, as `incidex events` lists it (e.g. 12).", metavar="EVENT"),
    ],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the event as JSON.")] = False,
) -> None:
    """Show one event: where and when, every source with its figures and evidence, disagreements.

    Example: incidex show 12
    """
    event_id = _event_id(event)
    with _open_existing(db) as store:
        found = store.get_event(event_id)
    if found is None:
        err.print(
            f"error: no event {event} in the database; `incidex events` lists them", highlight=False
        )
        raise typer.Exit(2)
    if as_json:
        sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
    else:
        out.print(event_panel(found))


def _event_id(text: str) -> int:
    """An event id as typed: '12' or 'E12'."""
    digits = text.removeprefix("E").removeprefix("e")
    if not digits.isdigit():
        raise typer.BadParameter(f"{text!r} is not an event id like 12", param_hint="EVENT")
    return int(digits)


def _filters(*values: object) -> IncidentFilter:
    """The query filters of the options, or a clean error for a malformed one."""
    try:
        return IncidentFilter(*values)  # type: ignore[arg-type]
    except ValueError as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error


@contextmanager
def _open_existing(db: str | None) -> Iterator[Store]:
    """The database to read, or a clean error that says how to make one."""
    path = database(db)
    if missing(path):
        err.print(
            f"error: no database at {display(path)}; run `incidex ingest` first", highlight=False
        )
        raise typer.Exit(2)
    try:
        with Store.open(path) as store:
            yield store
    except StoreError as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error


def _print_rows(
    rows: list[dict], output: OutputFormat, table: Callable[..., Table], noun: str
) -> None:
    """Rows as a table on the terminal, or CSV, JSON or GeoJSON on standard output."""
    if output is OutputFormat.table:
        out.print(table(rows, title=f"{len(rows)} {noun}"))
        return
    writers = {
        OutputFormat.csv: to_csv,
        OutputFormat.json: to_json,
        OutputFormat.geojson: to_geojson,
    }
    sys.stdout.write(writers[output](rows))


@app.command()
def watch(
    feeds: Annotated[
        list[str], typer.Argument(help="RSS or Atom feeds: URLs or files.", metavar="FEED")
    ],
    every: Annotated[str, typer.Option(help="Time between polls: 30s, 15m, 2h.")] = "15m",
    db: DbOption = None,
    allow_private: AllowPrivateOption = False,
    polls: Annotated[
        int | None, typer.Option(help="Stop after this many polls (default: run until Ctrl-C).")
    ] = None,
) -> None:
    """Poll feeds, ingest what is new, merge it, and print a line per new or updated event.

    Items already read are remembered in the database across restarts. A feed that is down
    or returns garbage is reported and polled again next time.

    Example: incidex watch https://example.org/iraq.rss --every 15m
    """
    try:
        interval = parse_duration(every)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--every") from error
    path = database(db)
    try:
        with Store.open(path) as store:
            _watch_loop(store, feeds, interval, _policy(allow_private), polls)
    except StoreError as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error
    except KeyboardInterrupt:
        err.print("stopped", highlight=False)


def _watch_loop(
    store: Store, feeds: list[str], interval: float, policy: FetchPolicy, polls: int | None
) -> None:
    """Poll every feed, print what changed, sleep, and again."""
    count = 0
    while polls is None or count < polls:
        if count:
            time.sleep(interval)
        count += 1
        for feed in feeds:
            result = poll(store, feed, policy)
            stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            for error in result.errors:
                err.print(f"{stamp} error: {error}", highlight=False)
            for event_id, status in result.changes.items():
                event = store.get_event(event_id)
                if event is not None:
                    out.print(f"{stamp} {describe(event, status)}", highlight=False)
            for alert in result.alerts:
                out.print(f"{stamp} {alert_line(alert)}", highlight=False, soft_wrap=True)
            err.print(f"{stamp} {feed}: {result.items} new items", highlight=False)


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


app.add_typer(alerts_app, name="alerts", help="Alert rules: add, list, remove; recent alerts.")


@app.command(name="export")
def export_all(
    out_file: Annotated[
        Path, typer.Option("--out", "-o", help="JSON-lines file to write; '-' for standard output.")
    ],
    everything: Annotated[
        bool, typer.Option("--all", help="Every row of every table (required).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Dump the whole database as JSON lines: a backup, or a move to another machine.

    The first line holds the schema and incidex versions and the row count of each table;
    every other line is one row. `incidex import` restores it exactly. For a selection of
    events, use `incidex events --format json|csv|geojson` instead.

    Example: incidex export --all --db team.db --out team-backup.jsonl
    """
    if not everything:
        raise typer.BadParameter(
            "give --all to dump the whole database (`incidex events --format json` exports"
            " a selection)",
            param_hint="--all",
        )
    to_stdout = str(out_file) == "-"
    with _open_existing(db) as store:
        counts = dump(store.conn, sys.stdout) if to_stdout else export_file(store, out_file)
    where = "standard output" if to_stdout else out_file
    (err if to_stdout else out).print(
        f"Exported {_rows_summary(counts)} from {store.location} to {where}.",
        highlight=False,
        soft_wrap=True,
    )


@app.command(name="import")
def import_dump(
    dump_file: Annotated[
        Path,
        typer.Argument(
            help="Dump written by `incidex export --all`; '-' for standard input.", metavar="FILE"
        ),
    ],
    db: DbOption = None,
) -> None:
    """Restore a dump written by `incidex export --all` into a new, empty database, exactly.

    Every row comes back with its id. A database that already holds data is refused, and a
    truncated or corrupt dump is named with its line; either way nothing is imported.

    Example: incidex import team-backup.jsonl --db restored.db
    """
    from_stdin = str(dump_file) == "-"
    if not from_stdin and not dump_file.is_file():
        err.print(f"error: no file {dump_file}", highlight=False)
        raise typer.Exit(2)
    path = database(db)
    try:
        with Store.open(path) as store:
            if from_stdin:
                counts = load(store.conn, sys.stdin.buffer, "standard input", display(path))
            else:
                counts = import_file(store, dump_file)
    except StoreError as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error
    source = "standard input" if from_stdin else dump_file
    out.print(
        f"Imported {_rows_summary(counts)} from {source} into {display(path)}.",
        highlight=False,
        soft_wrap=True,
    )


def _rows_summary(counts: dict[str, int]) -> str:
    """'1203 rows (14 articles, 24 incidents, ...)': the tables that have rows, in order."""
    tables = ", ".join(f"{n} {table}" for table, n in counts.items() if n)
    return f"{sum(counts.values())} rows" + (f" ({tables})" if tables else "")


def main() -> None:
    """Entry point of the console script."""
    app()


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8000,
    token: Annotated[
        str | None,
        typer.Option(envvar="INCIDEX_TOKEN", help="Bearer token for writing; none: read-only."),
    ] = None,
    read_token: Annotated[
        str | None,
        typer.Option(envvar="INCIDEX_READ_TOKEN", help="Bearer token for reading; none: open."),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="Origin whose pages may call the API (repeatable)."),
    ] = None,
    tiles: Annotated[
        str | None,
        typer.Option(
            help="Map tile URL template, e.g. https://{s}.tile.example.org/{z}/{x}/{y}.png."
        ),
    ] = None,
) -> None:
    """Serve the database over HTTP: the JSON API (docs/api.md), GeoJSON, CSV and the web page.

    Writing (ingesting articles, alert rules) needs a token; without one the API is
    read-only. Prefer INCIDEX_TOKEN to --token: other users can see command lines.

    Example: incidex serve --db team.db --port 8000
    """
    import uvicorn  # here, so the other commands do not pay for loading the web stack

    from incidex.serve import create_app

    path = database(db)
    if missing(path) and not token:
        err.print(
            f"error: no database at {display(path)}; run `incidex ingest` first, or give"
            " --token to start an empty database that articles are POSTed to",
            highlight=False,
        )
        raise typer.Exit(2)
    try:
        web = create_app(
            path,
            token=token,
            read_token=read_token,
            cors_origins=cors_origin or (),
            tiles=tiles,
        )
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--tiles") from error
    except StoreError as error:
        err.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from error
    if host not in {"127.0.0.1", "localhost", "::1"} and not token and not read_token:
        err.print(f"note: serving {host} to the network with reading open to all", highlight=False)
    uvicorn.run(web, host=host, port=port, log_level="info")
