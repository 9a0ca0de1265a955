"""HTML pages of territories."""

from flask import Blueprint

bp = Blueprint("territories", __name__, url_prefix="/territories")
