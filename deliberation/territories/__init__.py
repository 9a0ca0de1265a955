"""Territories: see ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

from deliberation.territories import models, policies, views  # noqa: F401 - models register their tables


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(
        can_manage_territory=policies.can_manage_territory,
        organisation_kind_labels=models.ORGANISATION_KIND_LABELS,
        theme_labels=models.THEME_LABELS,
    )
