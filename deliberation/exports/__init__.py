"""Exports: the consultation's open data (CSV and JSON, documented columns, no personal data) and the printable
restitution (HTML and PDF). See ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

from deliberation.exports.blueprint import bp

# Each *_views module adds its routes to bp when imported: one line per module below, e.g.
# from deliberation.exports import xyz_views  # noqa: F401, E402


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
