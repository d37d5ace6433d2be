"""Reading gold and prediction files: JSON lines of articles keyed by `doc`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class EvalError(ValueError):
    """A gold or prediction file that cannot be scored; the message names file and line."""


def load_docs(path: Path) -> dict[str, dict[str, Any]]:
    """Read a JSON-lines file of articles (codebook section 6) keyed by `doc`."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise EvalError(f"{path}: cannot read: {err}") from err
    docs: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        doc = _parse_line(path, number, line)
        if doc["doc"] in docs:
            raise EvalError(f"{path}:{number}: duplicate doc id {doc['doc']!r}")
        docs[doc["doc"]] = doc
    return docs


def _parse_line(path: Path, number: int, line: str) -> dict[str, Any]:
    """One article from one line; errors name the line so the file can be fixed."""
    try:
        doc = json.loads(line)
    except json.JSONDecodeError as err:
        raise EvalError(f"{path}:{number}: malformed JSON: {err.msg}") from err
    if not isinstance(doc, dict) or not isinstance(doc.get("doc"), str):
        raise EvalError(f"{path}:{number}: expected an object with a string 'doc' id")
    if not isinstance(doc.get("incidents", []), list):
        raise EvalError(f"{path}:{number}: 'incidents' must be a list")
    return doc
