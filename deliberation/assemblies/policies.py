"""Who may run assemblies and see their polls. Pure predicates: no writes, no request state.

Participants vote with a device token, not an account: voting rights are checked by the services (poll open,
participant of the assembly), not here.
"""

from __future__ import annotations

from deliberation.accounts.models import UserRole
from deliberation.assemblies.models import Assembly, Poll, PollState


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def can_create_assembly(user, consultation=None) -> bool:
    """Administrators and facilitators: global ones anywhere, scoped ones only for their consultation."""
    if not _signed_in(user):
        return False
    return user.has_role(UserRole.FACILITATOR, consultation.id if consultation is not None else None)


def can_manage_assembly(user, assembly: Assembly) -> bool:
    """Run it (start, end, agenda, polls, console): administrators, global facilitators, and facilitators
    scoped to the assembly's consultation."""
    return _signed_in(user) and user.has_role(UserRole.FACILITATOR, assembly.consultation_id)


def can_view_poll(user, poll: Poll) -> bool:
    """Draft polls are being prepared: only those who run the assembly see them."""
    return poll.state != PollState.DRAFT or can_manage_assembly(user, poll.assembly)


# Questions from the room, the speaker queue and the timer: run from the console by those who run the assembly.

def can_moderate_questions(user, assembly: Assembly) -> bool:
    """Accept, hide, restore, mark answered, put on screen, choose pre- or post-moderation."""
    return can_manage_assembly(user, assembly)


def can_manage_speakers(user, assembly: Assembly) -> bool:
    """Call the next speaker (or a given one), mark the current one done."""
    return can_manage_assembly(user, assembly)


def can_manage_timer(user, assembly: Assembly) -> bool:
    return can_manage_assembly(user, assembly)


def question_is_public(question) -> bool:
    """Other participants and the screen see a question once accepted (a hidden one only as a count)."""
    from deliberation.assemblies.models import QuestionState

    return question.state in (QuestionState.VISIBLE, QuestionState.ANSWERED, QuestionState.ON_SCREEN)
