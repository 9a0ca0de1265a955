"""API: consultations."""

from flask_smorest import Blueprint

bp = Blueprint("api_consultations", __name__, url_prefix="/api/v1", description="consultations")
