"""Listing totals and tallies kept between requests until the events change.

A listing's total and a tally read every matching event: with a million events that is up
to a second of CPU (four for a tally of all of them) for every analyst who opens the page,
and the same answer each time (bench/RESULTS.md). Answers are kept with the version of the
data they were computed from (highest event and incident ids, latest event update, each
read from an index), so any stored report makes them stale at once; none is used after
MAX_AGE_S either, which covers two updates of one event within the same second. While one
request computes an answer, others asking for it wait for that answer instead of
computing it again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from incidex.store import Store

T = TypeVar("T")
MAX_AGE_S = 5.0  # seconds an answer is used at most, even when the data look unchanged
SIZE = 512  # answers kept; the least recently used goes first

_VERSION = (
    "SELECT (SELECT max(id) FROM events), (SELECT max(id) FROM incidents),"
    " (SELECT max(updated_at) FROM events)"
)


class Memo:
    """Computed answers by key, each with the data version and time it was computed at."""

    def __init__(self) -> None:
        self._answers: OrderedDict[Hashable, tuple[tuple[Any, ...], float, Any]] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, store: Store, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer for `key` over `store`'s current data, computed only when needed."""
        version = tuple(store.conn.execute(_VERSION).fetchone())
        with self._lock:
            found = self._fresh(key, version)
            if found is not None:
                return found[0]  # type: ignore[no-any-return]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                found = self._fresh(key, version)
            if found is not None:
                return found[0]  # type: ignore[no-any-return]
            answer = compute()
            with self._lock:
                self._answers[key] = (version, time.monotonic(), answer)
                self._answers.move_to_end(key)
                while len(self._answers) > SIZE:
                    evicted, _ = self._answers.popitem(last=False)
                    self._computing.pop(evicted, None)
            return answer

    def _fresh(self, key: Hashable, version: tuple[Any, ...]) -> tuple[Any] | None:
        """The kept answer (in a 1-tuple) if it was computed from `version` recently enough."""
        kept = self._answers.get(key)
        if kept is None or kept[0] != version or time.monotonic() - kept[1] > MAX_AGE_S:
            return None
        self._answers.move_to_end(key)
        return (kept[2],)
