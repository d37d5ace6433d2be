"""Helpers shared by the benchmarks: the machine they ran on, percentiles, tables, databases."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

#: Where big benchmark databases are built and cached: outside the repository.
WORK_DIR = Path(os.environ.get("INCIDEX_BENCH_DIR", "/tmp/incidex-bench"))


def is_url(db: str) -> bool:
    """True for a database URL (postgresql://...), False for an SQLite file path."""
    return "://" in db


def _cpu_model() -> str:
    """The CPU model as lscpu names it (falls back to platform.processor())."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _memory_gib() -> float:
    """Physical memory in GiB, from /proc/meminfo."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def machine() -> str:
    """One line naming the machine and its load, printed with every result.

    Results depend on what else runs: the load averages say how busy the cores were.
    """
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_memory_gib():.0f} GiB RAM,"
        f" Python {platform.python_version()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC,"
        f" load averages {load}"
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, columns padded so it also reads well in a terminal."""
    cells = [[str(h) for h in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])
