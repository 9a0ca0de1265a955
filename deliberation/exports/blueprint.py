"""The one blueprint of the exports module; its routes live in the *_views.py files imported by init_app."""

from flask import Blueprint

bp = Blueprint("exports", __name__)
