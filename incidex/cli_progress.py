"""Progress of long runs: articles per second, incidents found and errors, live and at the end."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from incidex.cli_common import err


@dataclass
class Tally:
    """What a run has done so far, and since when."""

    articles: int = 0
    incidents: int = 0
    errors: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        """Time since the run started."""
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        """Articles per second so far."""
        return self.articles / max(self.seconds, 1e-9)

    def live(self) -> str:
        """The counts for the progress line."""
        return (
            f"{self.articles} articles ({self.rate:.1f}/s), {self.incidents} incidents, "
            f"{self.errors} errors"
        )

    def timing(self) -> str:
        """'in 12.3 s (4.5 articles/s)', for summary lines."""
        return f"in {self.seconds:.1f} s ({self.rate:.1f} articles/s)"


class RunProgress:
    """A live progress line on stderr (shown only on a terminal) fed from a Tally."""

    def __init__(self, progress: Progress, tally: Tally, total: int | None) -> None:
        self._progress = progress
        self.tally = tally
        self._task = progress.add_task("run", total=total, stats=tally.live())

    def refresh(self, advance: int = 0) -> None:
        """Show the tally's current counts; `advance` moves the bar (items of `total`)."""
        self._progress.update(self._task, advance=advance, stats=self.tally.live())

    def print(self, line: str) -> None:
        """A line on stderr above the progress line."""
        self._progress.console.print(line, highlight=False, markup=False, soft_wrap=True)


@contextmanager
def run_progress(label: str, total: int | None = None) -> Iterator[RunProgress]:
    """Progress of a run over articles (or shards, given their `total`), cleared at the end."""
    columns = [TextColumn(label), BarColumn()]
    columns += [MofNCompleteColumn()] if total is not None else []
    columns += [TextColumn("{task.fields[stats]}"), TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        yield RunProgress(progress, Tally(), total)
