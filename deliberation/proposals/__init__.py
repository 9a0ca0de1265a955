"""Proposals: see ../shared/ARCHITECTURE.md for the shape of a domain module."""

from flask import Flask

from deliberation.proposals import models, policies, views  # noqa: F401 - models register their tables
from deliberation.proposals.models import COMMENT_STANCE_LABELS, PROPOSAL_KIND_LABELS, PROPOSAL_STATUS_LABELS


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    # Templates ask the policies the services enforce: {{ proposal_policies.can_support(current_user, p) }}
    app.jinja_env.globals.update(
        proposal_policies=policies,
        proposal_kind_labels=PROPOSAL_KIND_LABELS,
        proposal_status_labels=PROPOSAL_STATUS_LABELS,
        comment_stance_labels=COMMENT_STANCE_LABELS,
    )
