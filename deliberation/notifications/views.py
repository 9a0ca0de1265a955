"""HTML pages of notifications (stub until implemented)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
def index():
    return "notifications"
