"""Marshmallow schemas of officials' responses and follow-ups: <Thing>Schema out, <Verb><Thing>Schema in."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from deliberation.proposals.services.common import MAX_ID
from deliberation.synthesis.follow_ups import DESCRIPTION_MAX_LENGTH
from deliberation.synthesis.models import (
    JUSTIFICATION_MAX_LENGTH,
    OWNER_MAX_LENGTH,
    PARTNER_MAX_LENGTH,
    RESPONSE_TYPE_LABELS,
    TITLE_MAX_LENGTH,
    UPDATE_MAX_LENGTH,
    ResponseType,
)
from deliberation.synthesis.responses import COUNCIL_BODY_MAX_LENGTH, COUNCIL_NUMBER_MAX_LENGTH

ID = validate.Range(min=1, max=MAX_ID)
RESPONSE_TYPES = [t.value for t in ResponseType]


class CouncilDecisionSchema(Schema):
    number = fields.String(required=True, validate=validate.Length(max=COUNCIL_NUMBER_MAX_LENGTH))
    decided_on = fields.Date(required=True)
    body = fields.String(required=True, validate=validate.Length(max=COUNCIL_BODY_MAX_LENGTH),
                         metadata={"description": "the council: « Conseil municipal de … », « Conseil "
                                                  "communautaire »"})


class OfficialResponseSchema(Schema):
    proposal_id = fields.Integer(allow_none=True)
    section_id = fields.Integer(allow_none=True)
    type = fields.Enum(ResponseType, by_value=True)
    type_label = fields.Function(lambda r: str(RESPONSE_TYPE_LABELS[r.type]))
    justification = fields.String(allow_none=True, metadata={"description": "the Markdown source"})
    justification_html = fields.String(metadata={"description": "rendered and sanitised"})
    referred_to = fields.String(allow_none=True, metadata={"description": "the partner, for type referred"})
    council_decision = fields.Nested(CouncilDecisionSchema, allow_none=True)
    publish_at = fields.DateTime()
    public = fields.Function(lambda r: r.is_public())
    updated_at = fields.DateTime()


class AnswerSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(RESPONSE_TYPES))
    justification = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(max=JUSTIFICATION_MAX_LENGTH),
                                  metadata={"description": "Markdown; required for not_accepted and "
                                                           "partially_accepted (422 justification_required)"})
    referred_to = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=PARTNER_MAX_LENGTH),
                                metadata={"description": "required for referred (422 partner_required)"})
    council_decision = fields.Nested(CouncilDecisionSchema, load_default=None, allow_none=True)
    publish_at = fields.AwareDateTime(load_default=None, allow_none=True, metadata={
        "description": "publish at this date (ISO 8601 with a zone); now when absent or past"})


class FollowUpUpdateSchema(Schema):
    id = fields.Integer()
    follow_up_id = fields.Integer()
    happened_on = fields.Date()
    progress = fields.Integer()
    body = fields.String()
    body_html = fields.String()
    created_at = fields.DateTime()


class LinkedProposalSchema(Schema):
    id = fields.Integer()
    # A proposal hidden, withdrawn or merged since it was linked keeps its number and status, not its title.
    title = fields.Function(lambda p: p.title if p.is_public else None, allow_none=True)
    status = fields.String()


class FollowUpSchema(Schema):
    id = fields.Integer()
    consultation_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    owner = fields.String()
    priority_id = fields.Integer(allow_none=True)
    progress = fields.Integer(metadata={"description": "0 to 100"})
    proposals = fields.List(fields.Nested(LinkedProposalSchema))
    updates = fields.List(fields.Nested(FollowUpUpdateSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CreateFollowUpSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX_LENGTH))
    owner = fields.String(required=True, validate=validate.Length(min=1, max=OWNER_MAX_LENGTH),
                          metadata={"description": "who carries it: a service, a partner, a delegation"})
    description = fields.String(load_default="", validate=validate.Length(max=DESCRIPTION_MAX_LENGTH))
    priority_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)
    proposal_ids = fields.List(fields.Integer(strict=True, validate=ID), load_default=list,
                               validate=validate.Length(max=200))


class AddFollowUpUpdateSchema(Schema):
    happened_on = fields.Date(required=True, metadata={"description": "not in the future"})
    progress = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    body = fields.String(required=True, validate=validate.Length(min=1, max=UPDATE_MAX_LENGTH))
