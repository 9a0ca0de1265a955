"""Template helpers: localised dates and numbers, enum labels, and the policies templates ask."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from deliberation.core import clock
from deliberation.core.text import render_markdown


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=lambda value, fmt="long": format_date(value, fmt) if value else "",
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        number=lambda value: format_decimal(value),
        markdown=render_markdown,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals() -> dict:
        return {
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "languages": app.config["LANGUAGES"],
            "site_name": app.config["SITE_NAME"],
            "now": clock.now(),
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
