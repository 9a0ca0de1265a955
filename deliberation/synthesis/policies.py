"""Who may draft, edit, review, see and move a synthesis along its workflow. Pure: no writes, no request state.

Roles are those of the synthesis's consultation (a global role counts everywhere, a scoped one only in its
consultation, administrators hold every role; a blocked account uses none of them):
- moderators draft, edit while the text is editable (draft, in review), comment in review, and move it
  draft → in_review → (draft | validated) → sent_to_officials; moderators (and so administrators) publish once
  the answer is received;
- facilitators read every synthesis of their consultation and comment while it is in review;
- elected officials read it from the moment it is sent to them and mark it answered;
- everyone reads it once published (when they may see the consultation).

`transition_refusal` answers the code refusing a transition, or None: "authentication_required",
"account_blocked", "forbidden" (no role here at all), "transition_not_allowed" (the graph does not hold that
edge, 409) or "not_allowed_to_transition" (the edge exists, another role takes it, 403).
"""

from __future__ import annotations

from deliberation.accounts.models import UserRole
from deliberation.consultations.policies import can_view_consultation
from deliberation.synthesis.models import EDITABLE_STATUSES, SynthesisStatus

S = SynthesisStatus

# The workflow (DOMAIN.md), with in_review → draft to send a text back for rework.
TRANSITIONS: dict[SynthesisStatus, tuple[SynthesisStatus, ...]] = {
    S.DRAFT: (S.IN_REVIEW,),
    S.IN_REVIEW: (S.VALIDATED, S.DRAFT),
    S.VALIDATED: (S.SENT_TO_OFFICIALS,),
    S.SENT_TO_OFFICIALS: (S.ANSWERED,),
    S.ANSWERED: (S.PUBLISHED,),
    S.PUBLISHED: (),
}

# Which role takes each edge.
TRANSITION_ROLES: dict[tuple[SynthesisStatus, SynthesisStatus], UserRole] = {
    (S.DRAFT, S.IN_REVIEW): UserRole.MODERATOR,
    (S.IN_REVIEW, S.DRAFT): UserRole.MODERATOR,
    (S.IN_REVIEW, S.VALIDATED): UserRole.MODERATOR,
    (S.VALIDATED, S.SENT_TO_OFFICIALS): UserRole.MODERATOR,
    (S.SENT_TO_OFFICIALS, S.ANSWERED): UserRole.OFFICIAL,
    (S.ANSWERED, S.PUBLISHED): UserRole.MODERATOR,
}

# Officials read a synthesis once it is sent to them.
OFFICIAL_STATUSES = frozenset({S.SENT_TO_OFFICIALS, S.ANSWERED, S.PUBLISHED})


def signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def has_role_in(user, role: UserRole, consultation_id: int | None) -> bool:
    """The role for that consultation (global or scoped; admins hold every role); a blocked account keeps its
    roles on paper but uses none of them."""
    return signed_in(user) and not getattr(user, "is_blocked", False) and user.has_role(role, consultation_id)


def is_moderator_of(user, consultation_id: int | None) -> bool:
    return has_role_in(user, UserRole.MODERATOR, consultation_id)


def is_facilitator_of(user, consultation_id: int | None) -> bool:
    return has_role_in(user, UserRole.FACILITATOR, consultation_id)


def is_official_of(user, consultation_id: int | None) -> bool:
    return has_role_in(user, UserRole.OFFICIAL, consultation_id)


def is_staff_of(user, consultation_id: int | None) -> bool:
    """Moderators and facilitators (and administrators): they see every synthesis of the consultation."""
    return is_moderator_of(user, consultation_id) or is_facilitator_of(user, consultation_id)


def can_draft(user, consultation) -> bool:
    return is_moderator_of(user, consultation.id)


def can_edit(user, synthesis) -> bool:
    return synthesis.status in EDITABLE_STATUSES and is_moderator_of(user, synthesis.consultation_id)


def can_comment(user, synthesis) -> bool:
    """Review comments: moderators and facilitators, while the synthesis is in review."""
    return synthesis.status == S.IN_REVIEW and is_staff_of(user, synthesis.consultation_id)


def can_view(user, synthesis) -> bool:
    if is_staff_of(user, synthesis.consultation_id):
        return True
    if synthesis.status in OFFICIAL_STATUSES and is_official_of(user, synthesis.consultation_id):
        return True
    return synthesis.status == S.PUBLISHED and can_view_consultation(user, synthesis.consultation)


def can_view_review(user, synthesis) -> bool:
    """The review comments and the versions are the staff's working material."""
    return is_staff_of(user, synthesis.consultation_id)


def can_list_all(user, consultation) -> bool:
    """Staff list every synthesis of the consultation; others list what they may see."""
    return is_staff_of(user, consultation.id)


def is_transition(from_status, to_status) -> bool:
    return SynthesisStatus(to_status) in TRANSITIONS[SynthesisStatus(from_status)]


def transition_refusal(user, synthesis, to_status) -> str | None:
    consultation_id = synthesis.consultation_id
    if not signed_in(user):
        return "authentication_required"
    if getattr(user, "is_blocked", False):
        return "account_blocked"
    if not (is_staff_of(user, consultation_id) or is_official_of(user, consultation_id)):
        return "forbidden"
    if not is_transition(synthesis.status, to_status):
        return "transition_not_allowed"
    role = TRANSITION_ROLES[(SynthesisStatus(synthesis.status), SynthesisStatus(to_status))]
    if not has_role_in(user, role, consultation_id):
        return "not_allowed_to_transition"
    return None


def can_transition(user, synthesis, to_status) -> bool:
    return transition_refusal(user, synthesis, to_status) is None


def available_transitions(user, synthesis) -> list[SynthesisStatus]:
    """The transitions `user` may take now, for the buttons of the synthesis page."""
    return [to for to in TRANSITIONS[SynthesisStatus(synthesis.status)] if can_transition(user, synthesis, to)]
