"""The HTTP API and web page (`incidex serve`): FastAPI over the incident database."""

from incidex.serve.app import create_app

__all__ = ["create_app"]
