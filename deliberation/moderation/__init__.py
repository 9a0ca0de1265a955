"""Moderation: reports, automatic hiding after a threshold, the moderators' queue and decisions, the public log.
See ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

from deliberation.moderation import models, policies, views  # noqa: F401 - models register their tables
from deliberation.moderation.models import (
    MODERATION_ACTION_LABELS,
    REPORT_REASON_LABELS,
    TARGET_TYPE_LABELS,
    reason_label,
)


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(
        moderation_policies=policies,
        report_reason_labels=REPORT_REASON_LABELS,
        moderation_action_labels=MODERATION_ACTION_LABELS,
        moderation_target_labels=TARGET_TYPE_LABELS,
        moderation_reason_label=reason_label,
    )
