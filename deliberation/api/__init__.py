"""The REST API under /api/v1 (flask-smorest); every route appears in /api/v1/openapi.json.

Each resource has its own file; all are registered here, explicitly.
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from deliberation.api import accounts, assemblies, audit, consultations, moderation, moderation_appeals, proposals
from deliberation.api import exports as api_exports
from deliberation.api import synthesis as api_synthesis
from deliberation.api import synthesis_responses as api_synthesis_responses
from deliberation.api import synthesis_trace as api_synthesis_trace
from deliberation.extensions import api, csrf

BLUEPRINTS = (accounts.bp, consultations.bp, proposals.bp, assemblies.bp, moderation.bp, moderation_appeals.bp,
              audit.bp, api_synthesis_trace.bp, api_exports.bp, api_synthesis.bp, api_synthesis_responses.bp)
API_BLUEPRINT_NAMES = {blueprint.name for blueprint in BLUEPRINTS}

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def init_app(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Deliberation API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "The public contract of Deliberation (shared/API.md)."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    })
    api.init_app(app)
    for blueprint in BLUEPRINTS:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.before_request(_protect_cookie_sessions)


def _protect_cookie_sessions() -> None:
    """A bearer token carries no ambient authority; a session cookie does, so it needs a CSRF token."""
    if request.blueprint not in API_BLUEPRINT_NAMES:
        return
    if request.method in SAFE_METHODS or request.headers.get("Authorization"):
        return
    if current_user.is_authenticated:
        csrf.protect()
