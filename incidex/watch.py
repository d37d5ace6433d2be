"""Watching feeds: poll, ingest what is new, merge, and say which events are new or changed.

What a feed has already delivered is remembered in the database (`feed_items`), so a
restarted watcher neither fetches nor counts an item twice. A feed that is down or returns
garbage is reported and polled again next time; the other feeds go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from incidex.alerts import notify
from incidex.export import sources_text
from incidex.fetch import FetchPolicy
from incidex.ingest import InputError, read_feed_source
from incidex.pipeline import safe_process
from incidex.store import Store, StoreError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass
class Poll:
    """What one poll of one feed did."""

    feed: str
    items: int = 0
    errors: list[InputError] = field(default_factory=list)
    changes: dict[int, str] = field(default_factory=dict)  # event id -> "new" | "updated"
    alerts: list[dict[str, Any]] = field(default_factory=list)  # as `notify` returns them


def poll(store: Store, feed: str, policy: FetchPolicy) -> Poll:
    """Read a feed's unseen items, store them, and collect the events they create or change."""
    seen = store.seen_items(feed)
    result = Poll(feed)
    read: list[str] = []
    for item in read_feed_source(feed, policy, skip=lambda article: article.id in seen):
        if isinstance(item, InputError):
            result.errors.append(item)
            continue
        read.append(item.id)
        processed = safe_process(item)
        if isinstance(processed, InputError):
            result.errors.append(processed)
            continue
        try:
            added = store.add(
                processed.article, processed.extraction, processed.content_hash, processed.signature
            )
        except StoreError as error:
            result.errors.append(InputError(item.origin, str(error)))
            continue
        try:
            result.alerts += notify(store, added)
        except StoreError as error:
            result.errors.append(InputError(item.origin, str(error)))
        for event_id in added.new_events:
            result.changes[event_id] = "new"
        for event_id in added.updated_events:
            result.changes.setdefault(event_id, "updated")
    store.mark_seen(feed, read)
    result.items = len(read)
    return result


def describe(event: dict[str, Any], status: str) -> str:
    """One line for a new or updated event, as `incidex watch` prints it."""
    place = ", ".join(dict.fromkeys(p for p in (event.get("location"), event.get("admin1")) if p))
    killed = event.get("killed")
    toll = "" if killed is None else f", {killed} killed"
    return (
        f"{status} event {event['id']}: {event.get('attack_type')}"
        f" on {event.get('date') or 'unknown date'}"
        f" in {place or event.get('country') or 'unknown place'}{toll}"
        f" ({sources_text(event.get('sources') or 0)})"
    )


def parse_duration(text: str) -> float:
    """Seconds in "90", "30s", "15m", "2h" or "1d"; ValueError for anything else."""
    match = _DURATION.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a duration like 30s, 15m or 2h")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
