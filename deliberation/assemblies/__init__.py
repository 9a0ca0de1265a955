"""Live assemblies (assemblées / séances): polls, ballots and their receipts, questions from the room.

`voting` (validating choices, tallying every poll method, ranking the options) and `receipts` (the
hash-chained ballot log and the public recount) are pure; `models`, `services` and `policies` build the live
assemblies on them; `live` is the `/live` Socket.IO namespace.
"""

from flask import Flask

from deliberation.assemblies import (  # noqa: F401 - models register their tables, verify_page its route
    live,
    models,
    policies,
    verify_page,
    views,
)
from deliberation.assemblies.forms import ASSEMBLY_MODE_LABELS
from deliberation.assemblies.models import ASSEMBLY_STATE_LABELS
from deliberation.assemblies.services import calendar


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    live.init_app(app)
    app.jinja_env.globals.update(
        assembly_policies=policies, assembly_state_labels=ASSEMBLY_STATE_LABELS,
        assembly_mode_labels=ASSEMBLY_MODE_LABELS,
        # The consultation's and the proposal's pages (templates/assemblies/_consultation_assemblies.html, …).
        consultation_assemblies=calendar.assemblies_of, coming_agenda_of=calendar.coming_agenda_of,
        closed_polls=calendar.closed_polls,
    )
