"""Consultations: see ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask
from flask_babel import format_time

from deliberation.consultations import models, policies, views  # noqa: F401 - models register their tables


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(
        can_manage_consultations=policies.can_manage_consultations,
        can_view_consultation=policies.can_view_consultation,
        phase_opens=policies.phase_opens,
        PhaseAction=models.PhaseAction,
        phase_kind_labels=models.PHASE_KIND_LABELS,
        phase_action_labels=models.PHASE_ACTION_LABELS,
    )
    # A localised clock time ("14:30"), shown next to the date filter's day (web/templating.py).
    app.jinja_env.filters.setdefault(
        "time", lambda value, fmt="short": format_time(value, fmt) if value else ""
    )
