"""API: the audit log for administrators (GET /api/v1/audit), each entry with the hashes that chain it
(deliberation/core/audit.py documents how to recompute them)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from deliberation.accounts import audit_queries, policies
from deliberation.api.common import ErrorSchema, PageQuerySchema, page_args, page_schema, require_user
from deliberation.core import audit
from deliberation.core.errors import require

bp = Blueprint("api_audit", __name__, url_prefix="/api/v1", description="audit log")


class AuditQuerySchema(PageQuerySchema):
    action = fields.String(load_default=None)
    actor_id = fields.Integer(load_default=None)


class AuditEntrySchema(Schema):
    position = fields.Integer()
    at = fields.String(metadata={"description": "UTC, as hashed: YYYY-MM-DDTHH:MM:SS.ffffffZ"})
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.Integer(allow_none=True)
    details = fields.Dict()
    previous_hash = fields.String()
    entry_hash = fields.String()


AuditPageSchema = page_schema(AuditEntrySchema, "AuditPage")


@bp.route("/audit", methods=["GET"])
@bp.arguments(AuditQuerySchema, location="query")
@bp.response(200, AuditPageSchema)
@bp.alt_response(401, schema=ErrorSchema, description="not signed in")
@bp.alt_response(403, schema=ErrorSchema, description="not an administrator")
def list_audit(args: dict):
    """The audit log, newest first, optionally one action's or one actor's entries (administrators only)."""
    require(policies.can_view_admin(require_user()))
    page, per_page = page_args(args)
    found = audit_queries.list_entries(action=args["action"], actor_id=args["actor_id"], page=page, per_page=per_page)
    return {"items": [audit.export_row(entry) for entry in found.items], "page": found.page,
            "per_page": found.per_page, "total": found.total}
