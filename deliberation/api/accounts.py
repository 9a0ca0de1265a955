"""API: accounts and tokens (shared/API.md). Thin adapters over deliberation.accounts.services."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint

from deliberation.accounts import services
from deliberation.accounts.schemas import (
    AccountSchema,
    CreateAccountSchema,
    CreateTokenSchema,
    MeSchema,
    TokenSchema,
)
from deliberation.api.common import ErrorSchema, require_user
from deliberation.core.errors import Unauthenticated
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import limiter

bp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="accounts")

BEARER = [{"bearer": []}]


def register_rate_limit() -> str:
    return current_app.config["ACCOUNTS_REGISTER_RATE_LIMIT"]


def token_rate_limit() -> str:
    return current_app.config["ACCOUNTS_TOKEN_RATE_LIMIT"]


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


@bp.route("/accounts", methods=["POST"])
@limiter.limit(register_rate_limit, methods=["POST"])  # counts every attempt, malformed ones too
@bp.arguments(CreateAccountSchema)
@bp.response(201, AccountSchema)
@bp.alt_response(409, schema=ErrorSchema, description="email_taken: an account already uses this e-mail.")
@bp.alt_response(422, schema=ErrorSchema, description="weak_password or validation_error, with `fields`.")
@bp.alt_response(429, schema=ErrorSchema, description="rate_limited")
def create_account(body: dict):
    """Create an account (a resident); it can act at once."""
    with unit_of_work():
        user = services.register_user(body["email"], body["password"], body["display_name"])
    return {"id": user.id, "display_name": user.display_name}


@bp.route("/tokens", methods=["POST"])
@limiter.limit(token_rate_limit, methods=["POST"])
@bp.arguments(CreateTokenSchema)
@bp.response(201, TokenSchema)
@bp.alt_response(401, schema=ErrorSchema, description="invalid_credentials")
@bp.alt_response(429, schema=ErrorSchema, description="rate_limited")
def create_token(body: dict):
    """Exchange an e-mail and a password for a bearer token (stored hashed, it expires)."""
    with unit_of_work():
        user = services.authenticate(body["email"], body["password"])
        if user is None:
            raise Unauthenticated("invalid_credentials")
        raw, token = services.create_api_token(user)
    return {"token": raw, "expires_at": token.expires_at}


@bp.route("/tokens/current", methods=["DELETE"])
@bp.response(204)
@bp.alt_response(401, schema=ErrorSchema, description="authentication_required: no valid bearer token.")
@bp.doc(security=BEARER)
def revoke_current_token():
    """Revoke the bearer token this request carries (sign out of the API)."""
    user = require_user()
    token = services.get_api_token(_bearer_token())
    if token is None or token.user_id != user.id:
        raise Unauthenticated()  # signed in with a session cookie: there is no token to revoke
    with unit_of_work():
        services.revoke_api_token(token, user)


@bp.route("/me", methods=["GET"])
@bp.response(200, MeSchema)
@bp.alt_response(401, schema=ErrorSchema, description="authentication_required")
@bp.doc(security=BEARER)
def me():
    """The signed-in caller: public name, own e-mail, language and roles."""
    user = require_user()
    return {
        "id": user.id,
        "display_name": user.display_name,
        "email": user.email,
        "locale": user.locale,
        "roles": [{"role": str(a.role), "consultation_id": a.consultation_id}
                  for a in sorted(user.roles, key=lambda a: (str(a.role), a.consultation_id or 0))],
    }
