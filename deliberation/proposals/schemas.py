"""Marshmallow schemas of proposals and comments: <Thing>Schema out, <Verb><Thing>Schema in.

Never an e-mail: people appear as {"display_name"} (their public name) only.
"""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user
from marshmallow import Schema, fields, post_dump, validate

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
    official_response = fields.Constant(None, metadata={"description": "the officials' response (later)"})
    moderation_reason = fields.Method("_moderation_reason", allow_none=True, metadata={
        "description": "when hidden: the public reason (a ReportReason, or automatic: hidden pending moderation "
                       "after several reports); the decision itself is in GET /api/v1/moderation/log"})

    merged_into_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)

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
    items = fields.List(fields.Nested(ProposalSchema))
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
    author = fields.Nested(PersonSchema)
    created_at = fields.DateTime()

    @post_dump(pass_original=True)
    def _redact(self, data, comment, **kwargs):
        if comment.status != CommentStatus.PUBLISHED:
            data["body_html"] = None
        return data


class PostCommentSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=COMMENT_MAX_LENGTH))
    stance = fields.String(required=True, validate=validate.OneOf(STANCES))
    parent_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)
