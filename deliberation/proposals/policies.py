"""Who may do what with proposals, supports and comments. Pure: no writes, no request state.

Each rule is written once, as `<verb>_refusal(...)`: the error code that refuses the action, or None when it
is allowed. `can_<verb>` is the boolean the templates ask; services turn the refusal code into an error
(see services.common.enforce), so a hidden button and a refused call always agree.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from deliberation.accounts.models import UserRole
from deliberation.consultations.models import Consultation, PhaseAction
from deliberation.core import clock
from deliberation.proposals.models import (
    COMMENT_MAX_DEPTH,
    PUBLIC_STATUSES,
    Comment,
    CommentStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
)

# Which phase action lets residents submit each kind of contribution.
KIND_ACTIONS = {
    ProposalKind.PROPOSAL: PhaseAction.SUBMIT_PROPOSAL,
    ProposalKind.OBSERVATION: PhaseAction.SUBMIT_OBSERVATION,
    ProposalKind.QUESTION: PhaseAction.SUBMIT_OBSERVATION,
    ProposalKind.TESTIMONY: PhaseAction.SUBMIT_OBSERVATION,
}

# Statuses in which the author may still change the text (pending: not yet seen by the public).
EDITABLE_STATUSES = PUBLIC_STATUSES | {ProposalStatus.PENDING_MODERATION}
# Statuses an author can no longer leave by withdrawing.
FINAL_STATUSES = frozenset({ProposalStatus.WITHDRAWN, ProposalStatus.MERGED, ProposalStatus.HIDDEN})
# Statuses whose page shows a placeholder to the public instead of the text.
PLACEHOLDER_STATUSES = FINAL_STATUSES


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def _is_blocked(user) -> bool:
    """A blocked account (moderation.blocks) reads but does not post: refusal "account_blocked"."""
    return bool(getattr(user, "is_blocked", False))


def _is_author(user, proposal: Proposal) -> bool:
    return _signed_in(user) and proposal.author_id == user.id


def _is_moderator(user, consultation_id: int) -> bool:
    return _signed_in(user) and user.has_role(UserRole.MODERATOR, consultation_id)


def open_kinds(consultation: Consultation) -> list[ProposalKind]:
    """The kinds of contribution the current phase of `consultation` accepts, in display order."""
    return [kind for kind in ProposalKind if consultation.opens(KIND_ACTIONS[kind])]


def edit_window_ends_at(proposal: Proposal):
    return proposal.created_at + timedelta(minutes=current_app.config["PROPOSALS_EDIT_WINDOW_MINUTES"])


# Refusals: an error code, or None when allowed.

def submit_refusal(user, consultation: Consultation, kind: ProposalKind | str | None = None) -> str | None:
    """kind=None asks whether any kind can be submitted now."""
    kinds = open_kinds(consultation)
    if not (kinds if kind is None else kind in kinds):
        return "phase_closed"
    if not _signed_in(user):
        return "authentication_required"
    if _is_blocked(user):
        return "account_blocked"
    return None


def submit_for_resident_refusal(user, consultation: Consultation) -> str | None:
    refusal = submit_refusal(user, consultation)
    if refusal:
        return refusal
    return None if user.has_role(UserRole.MEDIATOR, consultation.id) else "not_mediator"


def edit_refusal(user, proposal: Proposal) -> str | None:
    if not _signed_in(user):
        return "authentication_required"
    if proposal.author_id != user.id:
        return "not_author"
    if _is_blocked(user):
        return "account_blocked"
    if proposal.status not in EDITABLE_STATUSES:
        return "not_editable"
    if proposal.consultation.premoderation and proposal.status != ProposalStatus.PENDING_MODERATION:
        # Moderation read this text before publishing it: a change would go public unread.
        return "not_editable"
    if clock.now() > edit_window_ends_at(proposal):
        return "edit_window_over"
    if not proposal.consultation.opens(KIND_ACTIONS[proposal.kind]):
        return "phase_closed"
    return None


def withdraw_refusal(user, proposal: Proposal) -> str | None:
    if not _signed_in(user):
        return "authentication_required"
    if proposal.author_id != user.id:
        return "not_author"
    if proposal.status in FINAL_STATUSES:
        return "not_withdrawable"
    return None


# Support and comment check the proposal and the phase before the person, so that for an anonymous visitor
# "authentication_required" means "sign in and you can" (the page then offers a sign-in link).

def support_refusal(user, proposal: Proposal) -> str | None:
    if not proposal.is_public:
        return "proposal_not_public"
    if not proposal.consultation.opens(PhaseAction.SUPPORT):
        return "phase_closed"
    if not _signed_in(user):
        return "authentication_required"
    if _is_blocked(user):
        return "account_blocked"
    if proposal.author_id == user.id:
        return "own_proposal"
    return None


def unsupport_refusal(user, proposal: Proposal) -> str | None:
    """Withdrawing a support is possible while supports are open (a vote phase freezes them)."""
    if not proposal.consultation.opens(PhaseAction.SUPPORT):
        return "phase_closed"
    if not _signed_in(user):
        return "authentication_required"
    return None


def comment_refusal(user, proposal: Proposal) -> str | None:
    if not proposal.is_public:
        return "proposal_not_public"
    if not proposal.consultation.opens(PhaseAction.COMMENT):
        return "phase_closed"
    if not _signed_in(user):
        return "authentication_required"
    if _is_blocked(user):
        return "account_blocked"
    return None


# The booleans templates and adapters ask.

def can_submit(user, consultation: Consultation, kind: ProposalKind | str | None = None) -> bool:
    return submit_refusal(user, consultation, kind) is None


def can_submit_for_resident(user, consultation: Consultation) -> bool:
    return submit_for_resident_refusal(user, consultation) is None


def can_edit(user, proposal: Proposal) -> bool:
    return edit_refusal(user, proposal) is None


def can_withdraw(user, proposal: Proposal) -> bool:
    return withdraw_refusal(user, proposal) is None


def can_support(user, proposal: Proposal) -> bool:
    """Authors may not support their own proposal: a support says "someone else wants this too"."""
    return support_refusal(user, proposal) is None


def can_unsupport(user, proposal: Proposal) -> bool:
    return unsupport_refusal(user, proposal) is None


def can_comment(user, proposal: Proposal) -> bool:
    return comment_refusal(user, proposal) is None


def can_reply(user, comment: Comment) -> bool:
    """Replies go three levels deep (depth 0, 1, 2) and only under a visible comment."""
    return (comment.depth < COMMENT_MAX_DEPTH and comment.status == CommentStatus.PUBLISHED
            and can_comment(user, comment.proposal))


def can_list(user, consultation: Consultation) -> bool:
    """An unpublished consultation (being prepared) is seen only by admins."""
    return consultation.is_published or (_signed_in(user) and user.is_admin)


def can_view(user, proposal: Proposal) -> bool:
    """Whether `user` may read the proposal's title and text.

    Public statuses: everyone. The author: their own proposal in any status. Moderators of the consultation:
    everything (they decide on hidden content). Others get a placeholder for hidden, withdrawn and merged
    proposals (see is_placeholder_for) and nothing at all for drafts and proposals awaiting moderation.
    """
    if not can_list(user, proposal.consultation):
        return False
    if proposal.is_public or _is_author(user, proposal):
        return True
    return _is_moderator(user, proposal.consultation_id)


def can_see_page(user, proposal: Proposal) -> bool:
    """The page exists for `user`: with its text (can_view), or a placeholder (hidden, withdrawn, merged)."""
    if can_view(user, proposal):
        return True
    return can_list(user, proposal.consultation) and proposal.status in PLACEHOLDER_STATUSES
