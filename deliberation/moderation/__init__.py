"""Moderation: reports, automatic hiding after a threshold, the moderators' queue and decisions, the public log.
See ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

from deliberation.moderation import (  # noqa: F401 - models register their tables  # noqa: F401 - routes on views.bp; appeals and charter tables
    appeals,
    appeals_views,
    charter,
    charter_views,
    dashboard_views,
    models,
    policies,
    views,
)
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
        moderation_appeal_of=appeals.appeal_of,
        moderation_can_appeal=appeals.can_appeal,
        moderation_open_appeals=appeals.open_appeals,
        moderation_appeals_by_decision=appeals.appeals_by_decision,
        moderation_with_appeal_outcomes=appeals.with_appeal_outcomes,
        moderation_can_decide_appeal=appeals.can_decide_appeal,
        charter_rule_anchor=charter.rule_anchor,
    )
