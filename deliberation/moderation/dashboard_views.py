"""The moderators' dashboard page."""

from __future__ import annotations

from flask import render_template

from deliberation.moderation import dashboard
from deliberation.moderation.views import bp, moderators_only
from deliberation.web.access import current_actor


@bp.get("/moderation/dashboard")
@moderators_only
def dashboard_page():
    board = dashboard.build(current_actor())
    return render_template("moderation/dashboard.html", board=board,
                           oldest=dashboard.duration_parts(board.oldest_age),
                           median=dashboard.duration_parts(board.median_time_to_decision))
