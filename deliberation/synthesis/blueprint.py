"""The one blueprint of the synthesis module; its routes live in the *_views.py files imported by init_app."""

from flask import Blueprint

bp = Blueprint("synthesis", __name__)
