"""Pieces every API resource shares: list pages, the error body, the signed-in caller."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user
from marshmallow import Schema, fields, validate

from deliberation.core.errors import Unauthenticated
from deliberation.web.pagination import clamp_page


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1, max=100))


class ApiErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ApiErrorSchema(Schema):
    error = fields.Nested(ApiErrorBodySchema, required=True)


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """{"items": [...], "page", "per_page", "total"} around `item_schema`."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
        name=name,
    )


def page_args(args: dict) -> tuple[int, int]:
    return clamp_page(
        args.get("page"), args.get("per_page"),
        default_per_page=current_app.config["PROPOSALS_PER_PAGE"],
        max_per_page=current_app.config["PROPOSALS_MAX_PER_PAGE"],
    )


def require_user():
    """The caller (bearer token or session cookie), or 401."""
    if not current_user.is_authenticated:
        raise Unauthenticated()
    return current_user._get_current_object()


def actor_or_none():
    return current_user._get_current_object() if current_user.is_authenticated else None


# The name the resources import; the class is named ApiError so it does not clash with flask-smorest's "Error".
ErrorSchema = ApiErrorSchema
