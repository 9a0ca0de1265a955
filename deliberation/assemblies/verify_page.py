"""The public verify page of a poll: the published log checked and recounted on the server, a participant's
receipt looked up in it, and how anyone can do the same with the JSON log."""

from __future__ import annotations

from flask import make_response, render_template, request, url_for

from deliberation.assemblies import policies, services
from deliberation.assemblies.forms import POLL_METHOD_LABELS
from deliberation.assemblies.views import bp
from deliberation.core.errors import NotFound
from deliberation.web.access import current_actor

RECEIPT_MAX_LENGTH = 200


@bp.get("/assemblies/polls/<int:poll_id>/verify")
def verify(poll_id: int):
    poll = services.get_poll(poll_id)
    if not policies.can_view_poll(current_actor(), poll):
        raise NotFound()
    check = services.verify_poll(poll)
    asked = request.args.get("receipt", "")[:RECEIPT_MAX_LENGTH]
    status = services.receipt_check(check["entries"], asked) if check["status"] == "checked" else None
    response = make_response(render_template(
        "assemblies/verify.html", poll=poll, check=check, asked=asked, receipt_status=status,
        log_url=url_for("api_assemblies.PollBallots", poll_id=poll.id),
        results_url=url_for("api_assemblies.PollResults", poll_id=poll.id), poll_method_labels=POLL_METHOD_LABELS))
    response.headers["Cache-Control"] = "no-store"
    return response
