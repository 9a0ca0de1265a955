"""Accounts: see ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

from deliberation.accounts import models, sessions, views  # noqa: F401 - models register their tables


def init_app(app: Flask) -> None:
    sessions.init_app(app)
    app.register_blueprint(views.bp)
