"""API: the elected officials' responses and the follow-up of commitments. Thin adapters over
synthesis.responses and synthesis.follow_ups."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from deliberation.api.common import ErrorSchema, PageQuerySchema, actor_or_none, page_schema, require_user
from deliberation.api.proposals import signed_in
from deliberation.core.errors import NotFound
from deliberation.core.transaction import unit_of_work
from deliberation.proposals import policies as proposal_policies
from deliberation.proposals.services.common import get_listed_consultation, get_proposal
from deliberation.synthesis import follow_ups, responses
from deliberation.synthesis.response_schemas import (
    AddFollowUpUpdateSchema,
    AnswerSchema,
    CreateFollowUpSchema,
    FollowUpSchema,
    FollowUpUpdateSchema,
    OfficialResponseSchema,
)

bp = Blueprint("api_synthesis_responses", __name__, url_prefix="/api/v1",
               description="officials' responses and follow-up")

FollowUpPageSchema = page_schema(FollowUpSchema, "FollowUpPage")


def _consultation(consultation_id: int):
    return get_listed_consultation(consultation_id, actor_or_none())


@bp.route("/proposals/<int:proposal_id>/response")
class ProposalResponse(MethodView):
    @signed_in
    @bp.arguments(AnswerSchema)
    @bp.response(200, OfficialResponseSchema)
    @bp.alt_response(401, schema=ErrorSchema, description="not signed in")
    @bp.alt_response(403, schema=ErrorSchema, description="not_official")
    @bp.alt_response(404, schema=ErrorSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="proposal_not_public")
    @bp.alt_response(422, schema=ErrorSchema, description="justification_required (not_accepted, "
                                                          "partially_accepted), partner_required (referred), "
                                                          "validation_error")
    def put(self, data, proposal_id: int):
        """Answer a proposal as an elected official of its consultation, or replace the answer. Public at
        `publish_at` (now by default): the proposal is then answered and its author and supporters told."""
        actor = require_user()
        proposal = get_proposal(proposal_id)
        if not proposal_policies.can_see_page(actor, proposal):
            raise NotFound()
        with unit_of_work():
            response = responses.answer_proposal(proposal, actor, **data)
        return response


@bp.route("/consultations/<int:consultation_id>/follow-ups")
class ConsultationFollowUps(MethodView):
    @bp.arguments(PageQuerySchema, location="query")
    @bp.response(200, FollowUpPageSchema)
    @bp.alt_response(404, schema=ErrorSchema)
    def get(self, args, consultation_id: int):
        """The commitments of a consultation, newest first, with their progress, linked proposals and updates."""
        consultation = _consultation(consultation_id)
        page = follow_ups.list_follow_ups(consultation, page=args["page"], per_page=args["per_page"])
        return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total}

    @signed_in
    @bp.arguments(CreateFollowUpSchema)
    @bp.response(201, FollowUpSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="not_official")
    @bp.alt_response(404, schema=ErrorSchema)
    @bp.alt_response(422, schema=ErrorSchema, description="validation_error")
    def post(self, data, consultation_id: int):
        """Create a commitment (officials and administrators of the consultation), linked to public proposals
        of the consultation; their authors and supporters are told."""
        actor = require_user()
        consultation = _consultation(consultation_id)
        with unit_of_work():
            follow_up = follow_ups.create_follow_up(consultation, actor, **data)
        return follow_up


@bp.route("/follow-ups/<int:follow_up_id>/updates")
class FollowUpUpdates(MethodView):
    @signed_in
    @bp.arguments(AddFollowUpUpdateSchema)
    @bp.response(201, FollowUpUpdateSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="not_official")
    @bp.alt_response(404, schema=ErrorSchema)
    @bp.alt_response(422, schema=ErrorSchema, description="validation_error (progress 0-100, date not in the "
                                                          "future)")
    def post(self, data, follow_up_id: int):
        """Add a dated update with the progress since: linked proposals move to in_progress (progress above 0)
        and to done at 100; their authors and supporters are told, once each."""
        actor = require_user()
        follow_up = follow_ups.get_follow_up(follow_up_id)
        _consultation(follow_up.consultation_id)
        with unit_of_work():
            update = follow_ups.add_follow_up_update(follow_up, actor, **data)
        return update
