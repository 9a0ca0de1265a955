"""Consultation services: commands (admin only, audited) and queries.

One package, so `from deliberation.consultations import services` gives every command and query.
"""

from deliberation.consultations.services.commands import create_consultation, update_consultation
from deliberation.consultations.services.phases import add_phase, remove_phase, update_phase
from deliberation.consultations.services.queries import (
    TimelineStep,
    current_phase,
    get_public_consultation,
    list_all_consultations,
    list_public_consultations,
    list_public_consultations_page,
    next_phase,
    phase_timeline,
)

__all__ = [
    "TimelineStep",
    "add_phase",
    "create_consultation",
    "current_phase",
    "get_public_consultation",
    "list_all_consultations",
    "list_public_consultations",
    "list_public_consultations_page",
    "next_phase",
    "phase_timeline",
    "remove_phase",
    "update_consultation",
    "update_phase",
]
