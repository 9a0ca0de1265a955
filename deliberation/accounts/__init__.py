"""Accounts: see ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

# models register their tables; admin adds the administration pages to the blueprint of views.
from deliberation.accounts import admin, admin_audit, models, sessions, views  # noqa: F401
from deliberation.accounts.models import ROLE_LABELS
from deliberation.accounts.policies import TEMPLATE_POLICIES


def init_app(app: Flask) -> None:
    sessions.init_app(app)
    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(TEMPLATE_POLICIES)
    app.jinja_env.globals["role_labels"] = ROLE_LABELS
