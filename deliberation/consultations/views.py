"""HTML pages of consultations (stubs until implemented)."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, url_prefix="/consultations")


@bp.get("/<int:consultation_id>")
def show(consultation_id: int):
    return "consultation"


@bp.get("/admin")
def admin_index():
    return "admin"
