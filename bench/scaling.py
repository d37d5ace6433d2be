"""How the pipeline's time and memory grow with the number of articles.

Each size runs in a fresh Python process, so that its peak resident memory (the kernel's
high-water mark) is its own: the articles are derived one by one (bench/corpus.py) and put
through `process` (clean, extract, geocode), the results dropped as ingest drops them once
stored. Only the `process` calls are timed, in wall and in CPU seconds; CPU time per
article shows whether growth is linear even while other programs load the machine.

    python bench/scaling.py [--sizes 1000,3000,10000,30000,100000] [--tracemalloc]

100,000 articles take about half an hour on one core; run it in the background:
    nohup python bench/scaling.py > scaling.txt &
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import derived_articles

from incidex.geocode import load_gazetteer
from incidex.pipeline import Processed, process

DEFAULT_SIZES = "1000,3000,10000,30000,100000"
SEGMENTS = 10  # a size's articles are timed in this many equal parts, first to last


def _rss_mib() -> float:
    """This process's resident memory high-water mark so far, in MiB (Linux: KiB units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(n: int, seed: int, trace: bool) -> dict[str, object]:
    """Process n derived articles here and report times and memory."""
    load_gazetteer()
    process(next(derived_articles(1, seed + 1)))  # lexicons compiled, as in a running ingest
    rss_ready = _rss_mib()
    if trace:
        tracemalloc.start()
    wall = cpu = 0.0
    incidents = 0
    segment_walls = [0.0] * SEGMENTS
    for number, article in enumerate(derived_articles(n, seed)):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        result = process(article)
        took = time.perf_counter() - start_wall
        cpu += time.process_time() - start_cpu
        wall += took
        segment_walls[number * SEGMENTS // n] += took
        if isinstance(result, Processed):
            incidents += len(result.extraction.incidents)
    heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    return {
        "n": n,
        "wall": wall,
        "cpu": cpu,
        "incidents": incidents,
        "rss_ready": rss_ready,
        "rss_peak": _rss_mib(),
        "heap_peak": heap_peak,
        "segments_ms": [1000 * w / (n / SEGMENTS) for w in segment_walls],
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Run each size in its own process and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated article counts")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also the peak Python heap (slows ~2x)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.seed, args.tracemalloc)))
        return

    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"sizes {sizes}, seed {args.seed}, one process each; "
        f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}",
        flush=True,
    )
    print(
        f"{'articles':>9}{'wall s':>9}{'CPU s':>9}{'ms/art':>8}{'CPU ms/art':>11}{'art/s':>7}"
        f"{'incidents':>10}{'RSS ready':>11}{'RSS peak':>10}{'heap peak':>11}",
        flush=True,
    )
    for size in sizes:
        command = [sys.executable, __file__, "--child", str(size), "--seed", str(args.seed)]
        if args.tracemalloc:
            command.append("--tracemalloc")
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        heap = f"{r['heap_peak']:.0f} MiB" if r["heap_peak"] is not None else "-"
        print(
            f"{r['n']:>9,}{r['wall']:>9.1f}{r['cpu']:>9.1f}{1000 * r['wall'] / r['n']:>8.2f}"
            f"{1000 * r['cpu'] / r['n']:>11.2f}{r['n'] / r['wall']:>7.1f}{r['incidents']:>10,}"
            f"{r['rss_ready']:>7.0f} MiB{r['rss_peak']:>6.0f} MiB{heap:>11}",
            flush=True,
        )
        segments = " ".join(f"{ms:.1f}" for ms in r["segments_ms"])
        print(f"{'':>9}  ms/article by tenth of the run: {segments}", flush=True)
    print(f"load average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
