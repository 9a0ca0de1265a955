"""The page of a proposal's trace (« Le fil de la proposition »): /proposals/<id>/trace."""

from __future__ import annotations

from flask import render_template

from deliberation.core.errors import NotFound
from deliberation.proposals import policies as proposal_policies
from deliberation.proposals import services as proposal_services
from deliberation.synthesis.blueprint import bp
from deliberation.synthesis.trace import TRACE_KIND_LABELS, proposal_trace
from deliberation.web.access import current_actor


def visible_proposal(proposal_id: int):
    """The proposal when its page exists for the viewer (possibly as a placeholder), as on its own page."""
    proposal = proposal_services.get_proposal(proposal_id)
    if not proposal_policies.can_see_page(current_actor(), proposal):
        raise NotFound()
    return proposal


@bp.get("/proposals/<int:proposal_id>/trace")
def proposal_trace_page(proposal_id: int):
    proposal = visible_proposal(proposal_id)
    readable = proposal_policies.can_view(current_actor(), proposal)
    return render_template("synthesis/trace.html", proposal=proposal, readable=readable,
                           steps=proposal_trace(proposal), trace_kind_labels=TRACE_KIND_LABELS)
