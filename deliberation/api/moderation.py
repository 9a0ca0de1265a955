"""API: reports and moderation (shared/API.md). Thin adapters over moderation.services."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from deliberation.api.common import ErrorSchema, PageQuerySchema, page_args, require_user
from deliberation.api.proposals import signed_in
from deliberation.core.transaction import unit_of_work
from deliberation.moderation import services
from deliberation.moderation.schemas import (
    CreateReportSchema,
    DecideSchema,
    DecisionPageSchema,
    PublicDecisionSchema,
    QueueQuerySchema,
    QueueSchema,
    ReportSchema,
)

bp = Blueprint("api_moderation", __name__, url_prefix="/api/v1", description="reports and moderation")


class LogQuerySchema(PageQuerySchema):
    consultation_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


@bp.route("/reports")
class Reports(MethodView):
    @signed_in
    @bp.arguments(CreateReportSchema)
    @bp.response(201, ReportSchema)
    @bp.alt_response(401, schema=ErrorSchema, description="not signed in")
    @bp.alt_response(403, schema=ErrorSchema, description="own_content (one's own contribution or account), "
                                                          "account_blocked")
    @bp.alt_response(404, schema=ErrorSchema, description="unknown item, or one the caller may not see (someone "
                                                          "else's draft or proposal awaiting moderation)")
    @bp.alt_response(409, schema=ErrorSchema, description="already_reported (one report per person and item), "
                                                          "not_reportable (hidden or not public)")
    def post(self, data):
        """Report a proposal, a comment or a question from the room, once per person. Once the consultation's
        threshold of distinct reporters is reached, the item is hidden pending moderation. Extension:
        `target_type: "user"` reports a person's account (never one's own; never hidden automatically: global
        moderators dismiss the reports or block the account)."""
        actor = require_user()
        with unit_of_work():
            report = services.report_content(actor, data["target_type"], data["target_id"], reason=data["reason"],
                                             details=data["details"])
        return report


@bp.route("/moderation/queue")
class Queue(MethodView):
    @signed_in
    @bp.arguments(QueueQuerySchema, location="query")
    @bp.response(200, QueueSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="not_moderator")
    def get(self, args):
        """Items with pending reports, grouped by item (most distinct reporters first, then the oldest report),
        and proposals awaiting moderation. Never who reported."""
        actor = require_user()
        items = services.list_queue(actor, target_type=args["target_type"],
                                    consultation_id=args["consultation_id"])
        page, per_page = page_args(args)
        start = (page - 1) * per_page
        return {"items": items[start:start + per_page], "page": page, "per_page": per_page, "total": len(items)}


@bp.route("/moderation/decisions")
class Decisions(MethodView):
    @signed_in
    @bp.arguments(DecideSchema)
    @bp.response(201, PublicDecisionSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="not_moderator, own_content, own_report, "
                                                          "not_global_moderator, own_account")
    @bp.alt_response(404, schema=ErrorSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="already_hidden, not_hidden, no_open_reports, "
                                                          "not_mergeable, already_blocked, not_blocked, "
                                                          "not_blockable")
    @bp.alt_response(422, schema=ErrorSchema, description="validation_error, merge_into_itself, "
                                                          "merge_other_consultation, merge_target_not_found, "
                                                          "merge_target_not_public, merge_only_proposals, "
                                                          "block_action (hide, restore or merge on a user), "
                                                          "block_needs_account")
    def post(self, data):
        """Hide (with a public reason), restore (a proposal awaiting moderation is published) or dismiss the
        reports of an item; merge a duplicate proposal into `into_id` (same consultation; supports carried over
        once per person, comments moved). Extension: `target_type: "user"` with `block` (a `justification`,
        optionally `hide_content` with a `reason`), `unblock` or `dismiss` (the reports on the account), by global
        moderators and administrators. Questions from the room may also be decided on by the facilitators of
        their assembly."""
        actor = require_user()
        with unit_of_work():
            decision = services.decide(actor, data["target_type"], data["target_id"], action=data["action"],
                                       reason=data["reason"], note=data["note"], charter_rule=data["charter_rule"],
                                       into_id=data["into_id"], justification=data["justification"],
                                       hide_content=data["hide_content"])
        return decision


@bp.route("/moderation/log")
class Log(MethodView):
    @bp.arguments(LogQuerySchema, location="query")
    @bp.response(200, DecisionPageSchema)
    def get(self, args):
        """The public moderation log, newest first: what kind of item, when, what was done and why. Never the
        hidden text, never who reported, never the moderator's name, never whose account (« un compte »); only
        decisions of published consultations (or of none)."""
        page, per_page = page_args(args)
        return services.list_decisions(page=page, per_page=per_page, consultation_id=args["consultation_id"])
