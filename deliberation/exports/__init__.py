"""Exports: the consultation's open data (CSV and JSON, documented columns, no personal data) and the printable
restitution (HTML and PDF). See ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

from deliberation.exports import open_data_views, restitution_views  # noqa: F401 - routes are added to bp
from deliberation.exports.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
