"""The public documentation of the open data: /open-data lists every table and column of the exports."""

from __future__ import annotations

from flask import render_template

from deliberation.exports.blueprint import bp
from deliberation.exports.open_data import LICENCE, LICENCE_URL, TABLES


@bp.get("/open-data")
def open_data():
    return render_template("exports/open_data.html", tables=TABLES.values(), licence=LICENCE,
                           licence_url=LICENCE_URL)
