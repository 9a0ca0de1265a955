"""API: a proposal's trace (shared/API.md): `GET /api/v1/proposals/{id}/trace`, a bare JSON array."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from deliberation.api.common import ErrorSchema, actor_or_none
from deliberation.core.errors import NotFound
from deliberation.proposals import policies as proposal_policies
from deliberation.proposals import services as proposal_services
from deliberation.synthesis.trace import KINDS, proposal_trace

bp = Blueprint("api_synthesis_trace", __name__, url_prefix="/api/v1", description="proposals' trace")


class TraceStepSchema(Schema):
    at = fields.DateTime(metadata={"description": "when the step happened (ISO 8601, UTC)"})
    kind = fields.String(validate=validate.OneOf(KINDS), metadata={"description": "one of: " + ", ".join(KINDS)})
    summary = fields.String(metadata={"description": "what happened, in the caller's language; never a hidden "
                                                     "text"})
    link = fields.String(metadata={"description": "where to read more: a path on this site"})


@bp.route("/proposals/<int:proposal_id>/trace")
class ProposalTrace(MethodView):
    @bp.response(200, TraceStepSchema(many=True))
    @bp.alt_response(404, schema=ErrorSchema, description="unknown proposal, or one the caller may not see "
                                                          "(a draft or a pending contribution of someone else)")
    def get(self, proposal_id: int):
        """The proposal's path, oldest first: submitted, published, hidden, restored, merged, supports (counts
        over time), debated (an assembly's agenda item), poll_result, cited (a synthesis section),
        official_response, follow_up. A hidden proposal still answers, without ever quoting its text."""
        proposal = proposal_services.get_proposal(proposal_id)
        if not proposal_policies.can_see_page(actor_or_none(), proposal):
            raise NotFound()
        return proposal_trace(proposal)
