"""The open data written out: JSON (tables and columns in their documented order), one CSV, or a ZIP of them."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

from flask import url_for

from deliberation.consultations.models import Consultation
from deliberation.core import clock
from deliberation.exports.open_data.columns import TABLES
from deliberation.exports.open_data.rows import build_tables

LICENCE = "Licence Ouverte / Etalab 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
FORMATS = ("json", "csv")


def consultation_summary(consultation: Consultation) -> dict:
    return {"id": consultation.id, "title": consultation.title, "description": consultation.description,
            "url": url_for("consultations.show", consultation_id=consultation.id)}


def export_json(consultation: Consultation, *, now: datetime | None = None) -> dict:
    now = now or clock.now()
    return {
        "consultation": consultation_summary(consultation),
        "generated_at": now.isoformat(),
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "documentation": url_for("exports.open_data"),
        "tables": build_tables(consultation, now=now),
    }


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def table_csv(name: str, rows: list[dict]) -> bytes:
    """One table as CSV: UTF-8 with a byte order mark (for spreadsheets), commas, quoted where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TABLES[name].column_names)
    for row in rows:
        writer.writerow([_csv_value(row[column]) for column in TABLES[name].column_names])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_csv_zip(consultation: Consultation, *, now: datetime | None = None) -> bytes:
    now = now or clock.now()
    tables = build_tables(consultation, now=now)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            archive.writestr(f"{name}.csv", table_csv(name, rows))
        archive.writestr("LICENCE.txt", f"{LICENCE}\n{LICENCE_URL}\n")
    return buffer.getvalue()


def export_filename(consultation: Consultation, extension: str, table: str | None = None) -> str:
    suffix = f"-{table}" if table else ""
    return f"consultation-{consultation.id}{suffix}.{extension}"
