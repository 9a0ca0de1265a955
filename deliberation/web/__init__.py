"""Shared web pieces: home, health check, language switch, error pages, template helpers, pagination."""

from flask import Flask

from deliberation.core import audit  # noqa: F401 - registers the audit table
from deliberation.web import errors, templating, views

__all__ = ["errors", "init_app"]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    templating.init_app(app)
