"""API: accounts."""

from flask_smorest import Blueprint

bp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="accounts")
