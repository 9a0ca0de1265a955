"""Home page, health check and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from sqlalchemy import text

from deliberation.extensions import db
from deliberation.web.urls import safe_next_url

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    from deliberation.consultations import services as consultation_services

    consultations = consultation_services.list_public_consultations()
    return render_template("web/home.html", consultations=consultations)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        current_app.logger.exception("health check: database does not answer")
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    response = redirect(safe_next_url(request.form.get("next")))
    if language in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", language, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response
