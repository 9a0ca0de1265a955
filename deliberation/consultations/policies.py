"""Who may manage consultations, who may see one, and whether the running phase opens an action.

Pure predicates: the same answer hides a button in a template and refuses the call in a service.
"""

from __future__ import annotations

from deliberation.consultations.models import PHASE_ACTIONS, Consultation, PhaseAction


def can_manage_consultations(user) -> bool:
    """Global administrators only; an admin role scoped to one consultation does not count."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_admin", False))


def can_view_consultation(user, consultation: Consultation) -> bool:
    """Published consultations are public; unpublished ones are seen only by administrators preparing them."""
    return bool(consultation.is_published or can_manage_consultations(user))


def phase_opens(consultation: Consultation, action: PhaseAction) -> bool:
    """Published, a phase running now, and that phase's kind opens `action` (PHASE_ACTIONS)."""
    if not consultation.is_published:
        return False
    phase = consultation.current_phase
    return phase is not None and PhaseAction(action) in PHASE_ACTIONS[phase.kind]


def open_actions(consultation: Consultation) -> list[PhaseAction]:
    """The actions residents may take right now, in PhaseAction order."""
    return [action for action in PhaseAction if phase_opens(consultation, action)]
