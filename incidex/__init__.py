"""incidex: news reports of political violence in, a clean geocoded incident database out."""

from __future__ import annotations

__version__ = "0.2.0"

__all__ = ["__version__"]
