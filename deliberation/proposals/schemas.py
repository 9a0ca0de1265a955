"""Marshmallow schemas of proposals and comments: <Thing>Schema out, <Verb><Thing>Schema in.

Never an e-mail: people appear as {"display_name"} (their public name) only.
"""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user
from marshmallow import Schema, fields, post_dump, pre_dump, validate

from deliberation.proposals import policies
from deliberation.proposals.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    ON_BEHALF_OF_MAX_LENGTH,
    PUBLIC_STATUSES,
    TITLE_MAX_LENGTH,
    CommentStance,
    CommentStatus,
    ProposalKind,
    ProposalStatus,
)
from deliberation.proposals.services.common import MAX_ID

ID = validate.Range(min=1, max=MAX_ID)
KINDS = [kind.value for kind in ProposalKind]
STANCES = [stance.value for stance in CommentStance]
PUBLIC_STATUS_VALUES = sorted(status.value for status in PUBLIC_STATUSES)


def _viewer():
    return current_user if has_request_context() else None


class PersonSchema(Schema):
    display_name = fields.Function(lambda user: user.public_name)


class AreaSchema(Schema):
    id = fields.Integer()
    code = fields.String(allow_none=True)
    name = fields.String()


class PrioritySchema(Schema):
    id = fields.Integer()
    title = fields.String()


_PREFETCHED_RESPONSE = "_prefetched_official_response"
_MISSING = object()


class ProposalSchema(Schema):
    id = fields.Integer()
    consultation_id = fields.Integer()
    kind = fields.Enum(ProposalKind, by_value=True)
    status = fields.Enum(ProposalStatus, by_value=True)
    title = fields.String(allow_none=True)
    body = fields.String(allow_none=True, metadata={"description": "the Markdown source"})
    body_html = fields.String(allow_none=True, metadata={"description": "rendered and sanitised"})
    supports_count = fields.Integer()
    comments_count = fields.Integer()
    author = fields.Nested(PersonSchema)
    mediator = fields.Nested(PersonSchema, allow_none=True,
                             metadata={"description": "a mediator who submitted with and for a resident"})
    on_behalf_of = fields.String(allow_none=True, metadata={"description": "the resident's chosen name"})
    area = fields.Nested(AreaSchema, allow_none=True)
    priority = fields.Nested(PrioritySchema, allow_none=True)
    official_response = fields.Method("_official_response", allow_none=True, metadata={
        "description": "the elected officials' public response ({proposal_id, type, type_label, justification, "
                       "justification_html, referred_to, council_decision, publish_at, public}), or null"})
    moderation_reason = fields.Method("_moderation_reason", allow_none=True, metadata={
        "description": "when hidden: the public reason (a ReportReason, or automatic: hidden pending moderation "
                       "after several reports); the decision itself is in GET /api/v1/moderation/log"})

    merged_into_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)

    @pre_dump(pass_collection=True)
    def _prefetch_official_responses(self, data, many, **kwargs):
        """A list loads the public responses of its proposals in one query, not one per proposal."""
        if not many:
            return data
        proposals = list(data)
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        from deliberation.core import clock
        from deliberation.extensions import db
        from deliberation.synthesis.models import OfficialResponse

        ids = [proposal.id for proposal in proposals if proposal.is_public]
        found = {}
        if ids:
            found = {response.proposal_id: response for response in db.session.scalars(
                select(OfficialResponse).where(OfficialResponse.proposal_id.in_(ids),
                                               OfficialResponse.publish_at <= clock.now())
                .options(selectinload(OfficialResponse.council_decision)))}
        for proposal in proposals:
            vars(proposal)[_PREFETCHED_RESPONSE] = found.get(proposal.id)
        return proposals

    def _official_response(self, proposal):
        prefetched = vars(proposal).pop(_PREFETCHED_RESPONSE, _MISSING)
        if not proposal.is_public:
            return None
        from deliberation.synthesis.response_schemas import OfficialResponseSchema
        from deliberation.synthesis.responses import get_public_response

        response = get_public_response(proposal) if prefetched is _MISSING else prefetched
        return OfficialResponseSchema().dump(response) if response is not None else None

    def _hide_decision(self, proposal):
        if proposal.status != ProposalStatus.HIDDEN:
            return None
        from deliberation.moderation.services import latest_hide

        return latest_hide("proposal", proposal.id)

    def _moderation_reason(self, proposal):
        decision = self._hide_decision(proposal)
        return decision.reason if decision is not None else None

    @post_dump(pass_original=True)
    def _redact(self, data, proposal, **kwargs):
        """Hidden, withdrawn and merged proposals keep their number, status and counts; not their text."""
        if not policies.can_view(_viewer(), proposal):
            data.update(title=None, body=None, body_html=None, on_behalf_of=None)
        return data


class ProposalPageSchema(Schema):
    items = fields.Nested(ProposalSchema, many=True)
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    seed = fields.Integer(metadata={"description": "only with sort=random"})


class SubmitProposalSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX_LENGTH))
    body = fields.String(required=True, validate=validate.Length(min=1, max=BODY_MAX_LENGTH))
    kind = fields.String(load_default=ProposalKind.PROPOSAL.value, validate=validate.OneOf(KINDS))
    area_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)
    priority_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)
    for_resident_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=ON_BEHALF_OF_MAX_LENGTH),
        metadata={"description": "mediators: the resident's chosen name, when submitting with and for them"},
    )
    resident_consent = fields.Boolean(load_default=False, metadata={"description": "required with the above"})


class SupportStateSchema(Schema):
    proposal_id = fields.Integer()
    supports_count = fields.Integer()
    supported = fields.Boolean()


class CommentSchema(Schema):
    id = fields.Integer()
    proposal_id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    depth = fields.Integer()
    stance = fields.Enum(CommentStance, by_value=True)
    status = fields.Enum(CommentStatus, by_value=True)
    body_html = fields.String(allow_none=True)
    author = fields.Nested(PersonSchema, allow_none=True, metadata={"description": "null unless published"})
    created_at = fields.DateTime()

    @post_dump(pass_original=True)
    def _redact(self, data, comment, **kwargs):
        # A hidden comment keeps its place in the thread, as on the page: neither its words nor who wrote them.
        if comment.status != CommentStatus.PUBLISHED:
            data["body_html"] = None
            data["author"] = None
        return data


class PostCommentSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=COMMENT_MAX_LENGTH))
    stance = fields.String(required=True, validate=validate.OneOf(STANCES))
    parent_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)
