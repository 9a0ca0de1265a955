"""Marshmallow schemas of reports and decisions. Never a reporter, never a moderator's name, and the public log
never the hidden text."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from deliberation.accounts.models import BLOCK_REASON_MAX_LENGTH
from deliberation.moderation.models import (
    BLOCKED_ACCOUNT_LABEL,
    CHARTER_RULE_MAX_LENGTH,
    DETAILS_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TARGET_TYPE_LABELS,
    DecisionTargetType,
    ModerationAction,
    ReportReason,
    ReportStatus,
    ReportTargetType,
    reason_label,
)

ID = validate.Range(min=1, max=2**31 - 1)
TARGET_TYPES = [kind.value for kind in ReportTargetType]
REASONS = [reason.value for reason in ReportReason]
ACTIONS = [action.value for action in ModerationAction]
DECISION_TARGET_TYPES = [kind.value for kind in DecisionTargetType]


class CreateReportSchema(Schema):
    target_type = fields.String(required=True, validate=validate.OneOf(TARGET_TYPES))
    target_id = fields.Integer(required=True, strict=True, validate=ID)
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    details = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=DETAILS_MAX_LENGTH))


class ReportSchema(Schema):
    """What the reporter gets back about their own report."""

    id = fields.Integer()
    target_type = fields.Enum(ReportTargetType, by_value=True)
    target_id = fields.Integer()
    reason = fields.Enum(ReportReason, by_value=True)
    details = fields.String(allow_none=True)
    status = fields.Enum(ReportStatus, by_value=True)
    created_at = fields.DateTime()


class DecideSchema(Schema):
    target_type = fields.String(required=True, validate=validate.OneOf(DECISION_TARGET_TYPES))
    target_id = fields.Integer(required=True, strict=True, validate=ID)
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REASONS),
                           metadata={"description": "required to hide"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX_LENGTH),
                         metadata={"description": "public note shown with the decision"})
    charter_rule = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=CHARTER_RULE_MAX_LENGTH))
    into_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                             metadata={"description": "merge: the proposal of the same consultation to keep"})
    # Extension: target_type "user" with action block / unblock (global moderators and administrators).
    justification = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(max=BLOCK_REASON_MAX_LENGTH),
                                  metadata={"description": "block: required, shown to the person"})
    hide_content = fields.Boolean(load_default=False,
                                  metadata={"description": "block: also hide their visible contributions "
                                                           "(then `reason` is required)"})


def _target_type_label(decision) -> str:
    if decision.target_type == DecisionTargetType.USER:
        return str(BLOCKED_ACCOUNT_LABEL)
    return str(TARGET_TYPE_LABELS[ReportTargetType(decision.target_type)])


class PublicDecisionSchema(Schema):
    """One entry of the public moderation log."""

    id = fields.Integer()
    target_type = fields.Enum(DecisionTargetType, by_value=True)
    target_type_label = fields.Function(_target_type_label)
    target_id = fields.Function(lambda d: None if d.target_type == DecisionTargetType.USER else d.target_id,
                                metadata={"description": "null for an account: the log never says whose"})
    into_id = fields.Integer(allow_none=True, metadata={"description": "merge: the proposal kept"})
    consultation_id = fields.Integer(allow_none=True)
    action = fields.Enum(ModerationAction, by_value=True)
    reason = fields.String(allow_none=True)
    reason_label = fields.Function(lambda d: str(reason_label(d.reason)) or None)
    note = fields.String(attribute="public_note", allow_none=True)
    charter_rule = fields.String(allow_none=True)
    automatic = fields.Boolean()
    decided_at = fields.DateTime()


class DecisionPageSchema(Schema):
    items = fields.List(fields.Nested(PublicDecisionSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class QueueItemSchema(Schema):
    """A group of the moderators' queue: the item, its excerpt and link, the counts by reason (never who)."""

    target_type = fields.Function(lambda item: item.target.type.value)
    target_id = fields.Function(lambda item: item.target.id)
    consultation_id = fields.Function(lambda item: item.target.consultation_id)
    state = fields.Function(lambda item: item.target.state)
    excerpt = fields.Function(lambda item: item.target.excerpt)
    link = fields.Function(lambda item: item.target.link)
    reporters_count = fields.Integer(attribute="reporters")
    reasons = fields.Dict(keys=fields.String(), values=fields.Integer())
    details = fields.List(fields.String(), metadata={"description": "what reporters wrote (never who)"})
    oldest_report_at = fields.DateTime(attribute="oldest", allow_none=True)
    pending_moderation = fields.Function(lambda item: item.target.is_pending)


class QueueSchema(Schema):
    items = fields.List(fields.Nested(QueueItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class QueueQuerySchema(Schema):
    # API.md's list convention: ?page=&per_page= (the same bounds as every list of the API)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100))
    target_type = fields.String(load_default=None, validate=validate.OneOf(TARGET_TYPES))
    consultation_id = fields.Integer(load_default=None, validate=ID)
