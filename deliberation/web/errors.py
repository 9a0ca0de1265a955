"""Every error answered the same way on each door: an HTML page, or the API's JSON error body.

API (paths under /api/): {"error": {"code", "message", "fields"?}} with the right status, never a 500 for bad
input. HTML: a translated error page with the same status.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from deliberation.core.errors import MESSAGES, DomainError
from deliberation.core.transaction import is_database_locked
from deliberation.extensions import db

HTTP_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "bad_request",
    422: "validation_error",
    429: "rate_limited",
}

PAGE_TITLES = {
    400: _l("Request not valid"),
    401: _l("Sign-in needed"),
    403: _l("Access refused"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Request too large"),
    422: _l("Request not valid"),
    429: _l("Too many attempts"),
    500: _l("Server error"),
    503: _l("Try again in a moment"),
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    if is_api_request():
        body = {"code": code, "message": str(message)}
        if fields:
            body["fields"] = fields
        response = jsonify(error=body)
        response.status_code = status
        return response
    title = PAGE_TITLES.get(status, PAGE_TITLES[400])
    return render_template("web/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        response = app.make_response(
            error_response(error.status, error.code, error.message, error.to_dict().get("fields")))
        if getattr(error, "retry_after", None):  # a 503 that passes: when to ask again
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return error_response(400, "csrf_failed", str(MESSAGES["csrf_failed"]))

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded):
        response = error_response(429, "rate_limited", str(MESSAGES["rate_limited"]))
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        if status == 422 and is_api_request():
            from deliberation.api.validation import validation_fields

            fields = validation_fields(getattr(error, "data", None) or {})
            return error_response(422, "validation_error", str(MESSAGES["validation_error"]), fields)
        code = HTTP_CODES.get(status, "bad_request")
        message = MESSAGES.get(code, MESSAGES["bad_request"])
        response = error_response(status, code, str(message))
        if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response = app.make_response(response)
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    def _database_error(error: OperationalError):
        db.session.rollback()
        if not is_database_locked(error):
            return _unexpected(error)
        # SQLite, one writer at a time: the transaction was rolled back whole, so asking again is safe.
        app.logger.warning("database locked on %s %s", request.method, request.path)
        response = app.make_response(error_response(503, "database_busy", str(MESSAGES["database_busy"])))
        response.headers["Retry-After"] = "2"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", str(MESSAGES["internal_error"]))
