"""Notifications: see ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

from deliberation.notifications import models, views  # noqa: F401 - models register their tables


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
