"""API: appeals against moderation decisions (shared/API.md, issue #4). Thin adapters over moderation.appeals."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from deliberation.api.common import ErrorSchema, require_user
from deliberation.api.proposals import signed_in
from deliberation.core.transaction import unit_of_work
from deliberation.moderation import appeals
from deliberation.moderation.appeals import AppealOutcome, AppealStatus
from deliberation.moderation.models import NOTE_MAX_LENGTH

bp = Blueprint("api_moderation_appeals", __name__, url_prefix="/api/v1", description="appeals of moderation")


class CreateAppealSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(max=appeals.APPEAL_MAX_LENGTH))


class DecideAppealSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf([outcome.value for outcome in AppealOutcome]))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX_LENGTH),
                           metadata={"description": "public note shown to the author"})


class AppealSchema(Schema):
    """The appeal as its author and the moderators see it (the text is never in the public log)."""

    id = fields.Integer()
    decision_id = fields.Integer()
    text = fields.String()
    status = fields.Enum(AppealStatus, by_value=True)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    outcome_reason = fields.String(allow_none=True)
    restore_decision_id = fields.Integer(allow_none=True)


@bp.route("/moderation/decisions/<int:decision_id>/appeal")
class Appeal(MethodView):
    @signed_in
    @bp.arguments(CreateAppealSchema)
    @bp.response(201, AppealSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="not_author")
    @bp.alt_response(404, schema=ErrorSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="already_appealed, not_appealable (not a hide)")
    @bp.alt_response(422, schema=ErrorSchema, description="validation_error")
    def post(self, data, decision_id):
        """The author of the item contests a hide decision, once (≤ 1,000 characters)."""
        actor = require_user()
        with unit_of_work():
            appeal = appeals.contest(actor, decision_id, text=data["text"])
        return appeal


@bp.route("/moderation/appeals/<int:appeal_id>/decision")
class AppealDecision(MethodView):
    @signed_in
    @bp.arguments(DecideAppealSchema)
    @bp.response(200, AppealSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="not_moderator, own_decision, own_content")
    @bp.alt_response(404, schema=ErrorSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="appeal_closed, decision_superseded")
    @bp.alt_response(422, schema=ErrorSchema, description="validation_error")
    def post(self, data, appeal_id):
        """Another moderator than the one who decided upholds the decision or overturns it (the item is
        restored); the author is told."""
        actor = require_user()
        with unit_of_work():
            appeal = appeals.decide_appeal(actor, appeal_id, outcome=data["outcome"], reason=data["reason"])
        return appeal
