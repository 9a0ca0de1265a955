"""API: proposals."""

from flask_smorest import Blueprint

bp = Blueprint("api_proposals", __name__, url_prefix="/api/v1", description="proposals")
