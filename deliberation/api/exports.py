"""API: a consultation's open data (shared/API.md): `GET /api/v1/consultations/{id}/export?format=csv|json`."""

from __future__ import annotations

import json

from flask import Response, current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from deliberation.api.common import ErrorSchema, actor_or_none
from deliberation.consultations.models import Consultation
from deliberation.core.errors import Invalid
from deliberation.exports import open_data
from deliberation.extensions import limiter
from deliberation.proposals.services.common import get_listed_consultation

bp = Blueprint("api_exports", __name__, url_prefix="/api/v1", description="open data")

MAX_ID = 2**31 - 1


class ExportQuerySchema(Schema):
    format = fields.String(load_default="json", metadata={"description": "json (default) or csv"})
    table = fields.String(load_default=None, metadata={
        "description": "with format=csv: that one table as text/csv instead of a ZIP of every table; one of "
                       + ", ".join(open_data.TABLES)})


class ExportSchema(Schema):
    consultation = fields.Dict(metadata={"description": "{id, title, description, url}"})
    generated_at = fields.String(metadata={"description": "when the export was made (ISO 8601, UTC)"})
    licence = fields.String(metadata={"description": open_data.LICENCE})
    licence_url = fields.String()
    documentation = fields.String(metadata={"description": "the page documenting every table and column"})
    tables = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()), metadata={
        "description": "one list of rows per table: " + ", ".join(open_data.TABLES)})


def visible_consultation(consultation_id: int) -> Consultation:
    return get_listed_consultation(consultation_id, actor_or_none())


@bp.route("/consultations/<int:consultation_id>/export")
class ConsultationExport(MethodView):
    @limiter.limit(lambda: current_app.config["EXPORTS_RATE_LIMIT"])
    @bp.arguments(ExportQuerySchema, location="query")
    @bp.response(200, ExportSchema, description="format=json")
    @bp.alt_response(200, description="format=csv: a ZIP of one CSV per table (UTF-8 with BOM), or with "
                                      "table=<name> that one CSV", content_type="application/zip")
    @bp.alt_response(404, schema=ErrorSchema, description="unknown consultation")
    @bp.alt_response(422, schema=ErrorSchema, description="unknown_export_format, unknown_export_table")
    @bp.alt_response(429, schema=ErrorSchema, description="rate_limited (EXPORTS_RATE_LIMIT, per address)")
    @bp.alt_response(503, schema=ErrorSchema, description="export_busy: too many downloads under way; Retry-After")
    def get(self, args, consultation_id: int):
        """Open data of the consultation, under the Licence Ouverte / Etalab 2.0: contributions, comments, votes
        and their results and ballot logs, syntheses, responses, follow-ups and the moderation log. No personal
        data; every column is documented at /open-data."""
        consultation = visible_consultation(consultation_id)
        export_format, table = args["format"], args["table"]
        if export_format not in open_data.FORMATS:
            raise Invalid("unknown_export_format", _("Unknown export format: choose json or csv."),
                          fields={"format": [_("Choose json or csv.")]})
        if table is not None and table not in open_data.TABLES:
            raise Invalid("unknown_export_table", _("Unknown table."),
                          fields={"table": [_("Choose one of: %(tables)s.", tables=", ".join(open_data.TABLES))]})
        with open_data.build_slot():
            if export_format == "json":  # written here so that tables and columns keep their documented order
                body = json.dumps(open_data.export_json(consultation), ensure_ascii=False).encode("utf-8")
                return Response(body, content_type="application/json")
            if table is not None:
                body = open_data.table_csv(table, open_data.build_tables(consultation, only=table)[table])
                return _download(body, "text/csv; charset=utf-8",
                                 open_data.export_filename(consultation, "csv", table))
            return _download(open_data.export_csv_zip(consultation), "application/zip",
                             open_data.export_filename(consultation, "zip"))


def _download(body: bytes, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
