"""API: proposals, supports and comments (shared/API.md). Thin adapters over proposals.services."""

from __future__ import annotations

from functools import wraps

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from deliberation.api.common import (
    ErrorSchema,
    PageQuerySchema,
    actor_or_none,
    page_args,
    page_schema,
    require_user,
)
from deliberation.core.errors import NotFound
from deliberation.core.transaction import unit_of_work
from deliberation.proposals import policies, services
from deliberation.proposals.schemas import (
    ID,
    KINDS,
    PUBLIC_STATUS_VALUES,
    CommentSchema,
    PostCommentSchema,
    ProposalPageSchema,
    ProposalSchema,
    SubmitProposalSchema,
    SupportStateSchema,
)
from deliberation.proposals.services.search import QUERY_MAX_LENGTH

bp = Blueprint("api_proposals", __name__, url_prefix="/api/v1", description="proposals")

CommentPageSchema = page_schema(CommentSchema, "CommentPage")


class ProposalListQuerySchema(PageQuerySchema):
    q = fields.String(load_default=None, validate=validate.Length(max=QUERY_MAX_LENGTH))
    area_id = fields.Integer(load_default=None, validate=ID)
    priority_id = fields.Integer(load_default=None, validate=ID)
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(PUBLIC_STATUS_VALUES))
    sort = fields.String(load_default="recent", validate=validate.OneOf(services.SORTS))
    seed = fields.Integer(load_default=None, validate=validate.Range(min=0, max=services.RANDOM_SEED_MAX),
                          metadata={"description": "order of sort=random: answered back; send it again for "
                                                   "the next pages"})


def signed_in(view):
    """401 before anything else (even before the body is validated) for anonymous callers."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)

    return wrapper


def _visible_consultation(consultation_id: int):
    return services.get_listed_consultation(consultation_id, actor_or_none())


def _proposal_page(proposal_id: int):
    """The proposal, when its page exists for the caller (possibly as a placeholder); else 404."""
    proposal = services.get_proposal(proposal_id)
    if not policies.can_see_page(actor_or_none(), proposal):
        raise NotFound()
    return proposal


@bp.route("/consultations/<int:consultation_id>/proposals")
class ConsultationProposals(MethodView):
    @bp.arguments(ProposalListQuerySchema, location="query")
    @bp.response(200, ProposalPageSchema)
    @bp.alt_response(404, schema=ErrorSchema, description="unknown consultation")
    def get(self, args, consultation_id: int):
        """Public proposals of a consultation: filters, full-text search, sorts, pages."""
        consultation = _visible_consultation(consultation_id)
        page, per_page = page_args(args)
        seed = args["seed"]
        if args["sort"] == "random" and seed is None:
            seed = services.new_random_seed()
        result = services.list_proposals(
            consultation, viewer=actor_or_none(), q=args["q"], area_id=args["area_id"],
            priority_id=args["priority_id"], kind=args["kind"], status=args["status"], sort=args["sort"],
            seed=seed, page=page, per_page=per_page,
        )
        body = {"items": result.items, "page": result.page, "per_page": result.per_page,
                "total": result.total}
        if args["sort"] == "random":
            body["seed"] = seed
        return body

    @signed_in
    @bp.arguments(SubmitProposalSchema)
    @bp.response(201, ProposalSchema)
    @bp.alt_response(401, schema=ErrorSchema, description="not signed in")
    @bp.alt_response(403, schema=ErrorSchema, description="phase_closed, not_mediator")
    @bp.alt_response(404, schema=ErrorSchema, description="unknown consultation")
    def post(self, data, consultation_id: int):
        """Submit a proposal, observation, question or testimony (the current phase must open that kind)."""
        actor = require_user()
        consultation = _visible_consultation(consultation_id)
        with unit_of_work():
            proposal = services.submit_proposal(consultation, actor, **data)
        return proposal


@bp.route("/proposals/<int:proposal_id>")
class ProposalResource(MethodView):
    @bp.response(200, ProposalSchema)
    @bp.alt_response(404, schema=ErrorSchema)
    def get(self, proposal_id: int):
        """One proposal. Hidden, withdrawn or merged: its status and numbers, without title and body."""
        return _proposal_page(proposal_id)


@bp.route("/proposals/<int:proposal_id>/supports")
class ProposalSupports(MethodView):
    @signed_in
    @bp.response(201, SupportStateSchema)
    @bp.alt_response(200, schema=SupportStateSchema, description="already supported: nothing changed")
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="phase_closed, own_proposal")
    @bp.alt_response(409, schema=ErrorSchema, description="proposal_not_public")
    def post(self, proposal_id: int):
        """Support a proposal (one support per person)."""
        actor = require_user()
        proposal = _proposal_page(proposal_id)
        with unit_of_work():
            _support, created = services.support_proposal(proposal, actor)
        state = {"proposal_id": proposal.id, "supports_count": proposal.supports_count, "supported": True}
        return state, 201 if created else 200

    @signed_in
    @bp.response(204)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="phase_closed")
    def delete(self, proposal_id: int):
        """Withdraw one's support. Idempotent: 204 whether or not there was a support."""
        actor = require_user()
        proposal = _proposal_page(proposal_id)
        with unit_of_work():
            services.withdraw_support(proposal, actor)


@bp.route("/proposals/<int:proposal_id>/comments")
class ProposalComments(MethodView):
    @bp.arguments(PageQuerySchema, location="query")
    @bp.response(200, CommentPageSchema)
    @bp.alt_response(404, schema=ErrorSchema)
    def get(self, args, proposal_id: int):
        """Comments, oldest first; parent_id and depth rebuild the threads."""
        proposal = services.get_proposal(proposal_id)
        if not policies.can_view(actor_or_none(), proposal):
            raise NotFound()
        page, per_page = page_args(args)
        return services.list_comments(proposal, page=page, per_page=per_page)

    @signed_in
    @bp.arguments(PostCommentSchema)
    @bp.response(201, CommentSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="phase_closed")
    @bp.alt_response(409, schema=ErrorSchema, description="proposal_not_public")
    def post(self, data, proposal_id: int):
        """Comment with a stance (for, against, neutral), or reply (parent_id) up to three levels."""
        actor = require_user()
        proposal = _proposal_page(proposal_id)
        with unit_of_work():
            comment = services.post_comment(proposal, actor, **data)
        return comment
