"""Synthesis: syntheses drafted from the contributions and their review workflow, the elected officials'
responses, and the follow-up of commitments. See ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

from deliberation.synthesis import models  # noqa: F401 - models register their tables
from deliberation.synthesis.blueprint import bp

# Each *_views module adds its routes to bp when imported: one line per module below, e.g.
# from deliberation.synthesis import xyz_views  # noqa: F401, E402


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
