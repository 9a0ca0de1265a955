"""A consultation's open data: documented tables, written as JSON or CSV, with no personal data.

Each table's columns are declared once, below, with a one-line description: the same declaration writes the
files and the public documentation page (/open-data). What is left out, on purpose:
- people: no user ids, e-mails, names (authors, mediators, residents' pseudonyms, reporters, moderators),
  addresses or device tokens;
- drafts and contributions awaiting moderation (not at all); hidden, withdrawn and merged contributions and
  hidden comments appear as rows with their status and public moderation reason, their title and text empty;
- poll results only where the public results would show them (after_close holds until the close), and the
  ballot log only once a poll is closed and never in totals-only mode;
- syntheses only once published, responses only once public.
"""

from deliberation.exports.open_data.columns import TABLES, Column, Table
from deliberation.exports.open_data.rows import (
    UnknownTable,
    build_tables,
    consultation_follow_ups,
    public_responses,
    published_syntheses,
)
from deliberation.exports.open_data.slots import ExportBusy, build_slot
from deliberation.exports.open_data.writers import (
    FORMATS,
    LICENCE,
    LICENCE_URL,
    consultation_summary,
    export_csv_zip,
    export_filename,
    export_json,
    table_csv,
)

__all__ = [
    "FORMATS", "LICENCE", "LICENCE_URL", "TABLES", "Column", "ExportBusy", "Table", "UnknownTable", "build_slot",
    "build_tables",
    "consultation_follow_ups", "consultation_summary", "export_csv_zip", "export_filename", "export_json",
    "public_responses", "published_syntheses", "table_csv",
]
