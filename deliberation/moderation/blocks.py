"""Blocking an account (issue #4, item 3): a global moderator or an administrator stops a person from posting.

A blocked person can still sign in, read, download their data and delete their account; every posting action
refuses with `account_blocked` and their account page shows the moderator's justification. Optionally, all
their visible proposals and comments are hidden, each by its own decision in the public log. The log shows a
block as « un compte bloqué », never whose.

Only global moderators and administrators block: an account spans every consultation, so a moderator scoped
to one consultation cannot (403 `not_global_moderator`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from deliberation.accounts.models import BLOCK_REASON_MAX_LENGTH, User, UserRole
from deliberation.core import audit, clock
from deliberation.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, enforce
from deliberation.extensions import db
from deliberation.moderation.models import (
    DecisionTargetType,
    ModerationAction,
    ModerationDecision,
    ReportReason,
    ReportTargetType,
)
from deliberation.moderation.targets import MAX_ID
from deliberation.proposals.models import PUBLIC_STATUSES, Comment, CommentStatus, Proposal, ProposalStatus

BLOCK_MESSAGES = {
    "not_global_moderator": _l("Only a moderator of every consultation or an administrator can block an account."),
    "own_account": _l("You cannot block your own account."),
    "not_blockable": _l("This account cannot be blocked: it is an administrator's or it was deleted."),
    "already_blocked": _l("This account is already blocked."),
    "not_blocked": _l("This account is not blocked."),
    "block_action": _l("On an account, choose dismiss (its reports), block or unblock: it cannot be hidden, "
                       "restored or merged."),
}
JUSTIFICATION_REQUIRED = _l("Write why the account is blocked: the person will read it.")
REASON_TO_HIDE = _l("Choose the public reason to hide their contributions.")


def block_error(kind, code: str) -> DomainError:
    return kind(code, BLOCK_MESSAGES[code])


# Policy (pure) ------------------------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def block_refusal(actor, user: User | None) -> str | None:
    if not _signed_in(actor):
        return "authentication_required"
    if actor.is_blocked:
        return "account_blocked"
    if not actor.has_role(UserRole.MODERATOR, None):
        return "not_global_moderator"
    if user is not None and user.id == actor.id:
        return "own_account"
    if user is not None and (user.is_deleted or user.is_admin):
        return "not_blockable"
    return None


def can_block(actor, user: User | None = None) -> bool:
    return block_refusal(actor, user) is None


def _enforce(refusal: str | None) -> None:
    enforce(refusal, messages=BLOCK_MESSAGES, conflicts=("not_blockable",))

# Commands -----------------------------------------------------------------------------------------------


def decide_on_account(actor, user_id, *, action, reason=None, justification=None, hide_content=False
                      ) -> ModerationDecision:
    """services.decide for target_type "user": block (justification required; hide_content hides every visible
    contribution of theirs, with `reason`) or unblock."""
    _enforce(block_refusal(actor, None))
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id <= MAX_ID:
        raise NotFound()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    try:
        action = ModerationAction(action)
    except (ValueError, TypeError):
        action = None
    if action not in (ModerationAction.BLOCK, ModerationAction.UNBLOCK):
        raise block_error(Invalid, "block_action")
    _enforce(block_refusal(actor, user))
    _refuse_own_report(actor, user)
    if action == ModerationAction.BLOCK:
        return block_account(actor, user, justification=justification, reason=reason, hide_content=hide_content)
    return unblock_account(actor, user, justification=justification)


def _refuse_own_report(actor, user: User) -> None:
    """Nobody decides on a report they filed: a moderator who reported this account leaves it to another."""
    from deliberation.moderation import services
    from deliberation.moderation.targets import Target

    if services._has_reported(actor, Target(ReportTargetType.USER, user)):
        raise services.moderation_error(Forbidden, "own_report")


def _justification(value, *, required: bool, errors: dict) -> str | None:
    from deliberation.proposals.services.common import clean_text

    text = clean_text(value)
    if required and not text:
        errors["justification"] = [JUSTIFICATION_REQUIRED]
    elif len(text) > BLOCK_REASON_MAX_LENGTH:
        errors["justification"] = [_l("At most %(max)s characters.", max=BLOCK_REASON_MAX_LENGTH)]
    return text or None


def block_account(actor, user: User, *, justification, reason=None, hide_content=False) -> ModerationDecision:
    errors: dict[str, list] = {}
    justification = _justification(justification, required=True, errors=errors)
    parsed_reason = None
    if reason not in (None, ""):
        try:
            parsed_reason = ReportReason(reason)
        except (ValueError, TypeError):
            errors["reason"] = [REASON_TO_HIDE]
    if hide_content and parsed_reason is None and "reason" not in errors:
        errors["reason"] = [REASON_TO_HIDE]
    if errors:
        raise Invalid("validation_error", fields=errors)
    if user.is_blocked:
        raise block_error(Conflict, "already_blocked")

    now = clock.now()
    user.blocked_at = now
    user.block_reason = justification
    user.blocked_by_id = actor.id
    decision = _account_decision(actor, user, ModerationAction.BLOCK, parsed_reason)
    hidden, skipped = _hide_contributions(actor, user, parsed_reason, justification) if hide_content else (0, 0)
    closed = _close_reports_on(user)
    audit.record(actor, "moderation_block", target_type="user", target_id=user.id, decision_id=decision.id,
                 justification=justification, hidden=hidden, not_hidden=skipped, reports_closed=closed)
    return decision


def unblock_account(actor, user: User, *, justification=None) -> ModerationDecision:
    errors: dict[str, list] = {}
    justification = _justification(justification, required=False, errors=errors)
    if errors:
        raise Invalid("validation_error", fields=errors)
    if not user.is_blocked:
        raise block_error(Conflict, "not_blocked")
    user.blocked_at = None
    user.block_reason = None
    user.blocked_by_id = None
    decision = _account_decision(actor, user, ModerationAction.UNBLOCK, None)
    audit.record(actor, "moderation_unblock", target_type="user", target_id=user.id, decision_id=decision.id,
                 justification=justification)
    return decision


def _close_reports_on(user: User) -> int:
    """The open reports on the account are acted on by the block."""
    from deliberation.moderation import services
    from deliberation.moderation.models import ReportStatus
    from deliberation.moderation.targets import Target

    return services._close_open_reports(Target(ReportTargetType.USER, user), ReportStatus.ACTED)


def _account_decision(actor, user: User, action: ModerationAction, reason) -> ModerationDecision:
    """In the public log as « un compte » (PublicDecisionSchema and log.html never show whose)."""
    decision = ModerationDecision(
        target_type=DecisionTargetType.USER, target_id=user.id, consultation_id=None, action=action,
        reason=reason.value if reason else None, moderator_id=actor.id, automatic=False, decided_at=clock.now(),
    )
    db.session.add(decision)
    db.session.flush()
    return decision


def _hide_contributions(actor, user: User, reason: ReportReason, justification: str) -> tuple[int, int]:
    """Each visible proposal and comment of theirs hidden by its own decision, with the reason and no public note:
    the justification is written for the blocked person, and next to « un compte bloqué » it would say who was
    blocked. An item the moderator may not decide on (one they reported) is left for another one."""
    from deliberation.moderation import services

    note = None
    items = [("proposal", ident) for ident in db.session.scalars(
        select(Proposal.id).where(Proposal.author_id == user.id,
                                  Proposal.status.in_(sorted({*PUBLIC_STATUSES,
                                                              ProposalStatus.PENDING_MODERATION}))))]
    items += [("comment", ident) for ident in db.session.scalars(
        select(Comment.id).where(Comment.author_id == user.id, Comment.status == CommentStatus.PUBLISHED))]
    hidden = skipped = 0
    for kind, ident in items:
        try:
            with db.session.begin_nested():
                services.decide(actor, kind, ident, action="hide", reason=reason.value, note=note)
        except DomainError:
            skipped += 1
        else:
            hidden += 1
    return hidden, skipped


# Queries ------------------------------------------------------------------------------------------------


def blocked_users() -> list[User]:
    return list(db.session.scalars(select(User).where(User.blocked_at.is_not(None))
                                   .order_by(User.blocked_at.desc(), User.id)))
