"""Synthesis: syntheses drafted from the contributions and their review workflow, the elected officials'
responses, and the follow-up of commitments. See ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

# models register their tables; each *_views module adds its routes to bp when imported
from deliberation.synthesis import (  # noqa: F401
    follow_up_views,
    models,
    response_views,
    synthesis_views,
    trace_views,
)
from deliberation.synthesis.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
