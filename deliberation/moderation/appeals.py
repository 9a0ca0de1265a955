"""Appeals (recours): the author of an item hidden by a decision contests it once; another moderator upholds the
decision or overturns it (the item is restored through the ordinary restore decision). The appeal's text is
seen by the moderators only; the public log shows the outcome, never the text."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberation.core import audit, clock
from deliberation.core.db import Base, enum_column
from deliberation.core.errors import Conflict, DomainError, Invalid, NotFound, enforce
from deliberation.extensions import db
from deliberation.moderation import policies
from deliberation.moderation.models import (
    NOTE_MAX_LENGTH,
    ModerationAction,
    ModerationDecision,
)
from deliberation.moderation.targets import Target, get_target
from deliberation.proposals.services.common import clean_line, clean_text

APPEAL_MAX_LENGTH = 1000
MAX_ID = 2**31 - 1


class AppealStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class AppealOutcome(StrEnum):
    UPHOLD = "uphold"
    OVERTURN = "overturn"


APPEAL_STATUS_LABELS = {
    AppealStatus.OPEN: _l("appeal pending"),
    AppealStatus.UPHELD: _l("appeal: decision upheld"),
    AppealStatus.OVERTURNED: _l("appeal: decision overturned"),
}

APPEAL_MESSAGES = {
    "already_appealed": _l("This decision has already been contested: an appeal can be made only once."),
    "not_author": _l("Only the author of the item can contest this decision."),
    "own_decision": _l("You took this decision: another moderator decides on the appeal."),
    "not_appealable": _l("Only the decision that hides the item now can be contested."),
    "appeal_closed": _l("This appeal has already been decided."),
    "not_moderator": _l("Only the moderators of this consultation can do this."),
    "own_content": _l("You cannot decide on an appeal about your own contribution."),
    "own_report": _l("You reported this item yourself: another moderator decides on the appeal."),
    "decision_superseded": _l(
        "A later decision hides this item now: overturning this one would not make it visible again. Uphold "
        "this appeal; its author can contest the later decision."),
}
TEXT_REQUIRED = _l("Say why you contest this decision.")
UNKNOWN_OUTCOME = _l("Choose uphold or overturn.")


def appeal_error(kind, code: str) -> DomainError:
    return kind(code, APPEAL_MESSAGES[code])


class ModerationAppeal(Base):
    """One appeal per decision (the database refuses a second one)."""

    __tablename__ = "moderation_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("moderation_decisions.id", ondelete="CASCADE"),
                                             unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(enum_column(AppealStatus), default=AppealStatus.OPEN,
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome_reason: Mapped[str | None] = mapped_column(String(NOTE_MAX_LENGTH))
    # The restore decision an overturn made.
    restore_decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_decisions.id", ondelete="SET NULL"))

    decision: Mapped[ModerationDecision] = relationship(foreign_keys=[decision_id], lazy="joined")

    @property
    def status_label(self):
        return APPEAL_STATUS_LABELS[AppealStatus(self.status)]


# Policies (pure) ---------------------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def appeal_refusal(user, decision: ModerationDecision, target: Target | None) -> str | None:
    """Only the hiding that holds now can be contested (not an older one, automatic or confirmed since)."""
    from deliberation.moderation.services import latest_hide

    if not _signed_in(user):
        return "authentication_required"
    if getattr(user, "is_blocked", False):
        return "account_blocked"
    if target is None or target.author_id is None or target.author_id != user.id:
        return "not_author"
    if decision.action != ModerationAction.HIDE or not target.is_hidden:
        return "not_appealable"
    current = latest_hide(decision.target_type, decision.target_id)
    if current is None or current.id != decision.id:
        return "not_appealable"
    return None


def _hid_it(user, decision: ModerationDecision) -> bool:
    """Whether `user` took a hiding decision on this item (the one contested or an earlier one)."""
    return bool(db.session.scalar(select(ModerationDecision.id).where(
        ModerationDecision.target_type == decision.target_type, ModerationDecision.target_id == decision.target_id,
        ModerationDecision.action == ModerationAction.HIDE, ModerationDecision.moderator_id == user.id).limit(1)))


def decide_appeal_refusal(user, appeal: ModerationAppeal, target: Target | None) -> str | None:
    if not _signed_in(user):
        return "authentication_required"
    from deliberation.moderation.services import _has_reported

    if getattr(user, "is_blocked", False):
        return "account_blocked"
    if not policies.is_moderator_of(user, appeal.decision.consultation_id):
        return "not_moderator"
    if _hid_it(user, appeal.decision):
        return "own_decision"
    if (appeal.author_id is not None and appeal.author_id == user.id) or (
            target is not None and target.author_id == user.id):
        return "own_content"
    if target is not None and _has_reported(user, target):
        return "own_report"
    return None


def _enforce(refusal: str | None, *, conflict: tuple[str, ...] = ()) -> None:
    enforce(refusal, messages=APPEAL_MESSAGES, conflicts=conflict)

# Queries ------------------------------------------------------------------------------------------------


def _target_of(decision: ModerationDecision) -> Target | None:
    try:
        return get_target(decision.target_type, decision.target_id)
    except DomainError:
        return None


def get_decision(decision_id) -> ModerationDecision:
    if not isinstance(decision_id, int) or isinstance(decision_id, bool) or not 0 < decision_id <= MAX_ID:
        raise NotFound()
    decision = db.session.get(ModerationDecision, decision_id)
    if decision is None:
        raise NotFound()
    return decision


def get_appeal(appeal_id) -> ModerationAppeal:
    if not isinstance(appeal_id, int) or isinstance(appeal_id, bool) or not 0 < appeal_id <= MAX_ID:
        raise NotFound()
    appeal = db.session.get(ModerationAppeal, appeal_id)
    if appeal is None:
        raise NotFound()
    return appeal


def appeal_of(decision: ModerationDecision | None) -> ModerationAppeal | None:
    if decision is None:
        return None
    return db.session.scalar(select(ModerationAppeal).where(ModerationAppeal.decision_id == decision.id))


def appeals_by_decision(decision_ids) -> dict[int, ModerationAppeal]:
    ids = list(decision_ids)
    if not ids:
        return {}
    return {appeal.decision_id: appeal for appeal in db.session.scalars(
        select(ModerationAppeal).where(ModerationAppeal.decision_id.in_(ids)))}


def can_appeal(user, decision: ModerationDecision | None) -> bool:
    """For templates: the « Contester » form shows on the author's hidden item, while no appeal exists."""
    if decision is None or not _signed_in(user):
        return False
    return appeal_refusal(user, decision, _target_of(decision)) is None and appeal_of(decision) is None


def open_appeals(actor) -> list[tuple[ModerationAppeal, Target | None]]:
    """Open appeals `actor` may see in the queue (their consultations), oldest first."""
    from deliberation.moderation.services import moderated_consultations

    if not policies.can_open_queue(actor):
        return []
    scope = moderated_consultations(actor)
    query = (select(ModerationAppeal).join(ModerationAppeal.decision)
             .where(ModerationAppeal.status == AppealStatus.OPEN)
             .order_by(ModerationAppeal.created_at, ModerationAppeal.id))
    if scope is not None:
        query = query.where(ModerationDecision.consultation_id.in_(scope))
    return [(appeal, _target_of(appeal.decision)) for appeal in db.session.scalars(query)]


def can_decide_appeal(user, appeal: ModerationAppeal, target: Target | None) -> bool:
    return appeal.status == AppealStatus.OPEN and decide_appeal_refusal(user, appeal, target) is None


# Commands -----------------------------------------------------------------------------------------------


def contest(actor, decision_id, *, text) -> ModerationAppeal:
    """The author contests a hide decision once (409 already_appealed the second time)."""
    decision = get_decision(decision_id)
    target = _target_of(decision)
    _enforce(appeal_refusal(actor, decision, target), conflict=("not_appealable",))
    text = clean_text(text)
    if not text:
        raise Invalid("validation_error", fields={"text": [TEXT_REQUIRED]})
    if len(text) > APPEAL_MAX_LENGTH:
        raise Invalid("validation_error", fields={"text": [_l("At most %(max)s characters.",
                                                               max=APPEAL_MAX_LENGTH)]})
    if appeal_of(decision) is not None:
        raise appeal_error(Conflict, "already_appealed")
    appeal = ModerationAppeal(decision_id=decision.id, author_id=actor.id, text=text, status=AppealStatus.OPEN,
                              created_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(appeal)
    except IntegrityError:  # twice at once
        raise appeal_error(Conflict, "already_appealed") from None
    audit.record(actor, "moderation_appeal_opened", target_type="moderation_decision", target_id=decision.id,
                 appeal_id=appeal.id)
    return appeal


def decide_appeal(actor, appeal_id, *, outcome, reason=None) -> ModerationAppeal:
    """Another moderator than the one who decided upholds the decision or overturns it (the item is restored).
    The author is told; the outcome shows in the public log."""
    from deliberation.moderation import services

    appeal = get_appeal(appeal_id)
    target = _target_of(appeal.decision)
    try:
        outcome = AppealOutcome(outcome)
    except (ValueError, TypeError):
        raise Invalid("validation_error", fields={"outcome": [UNKNOWN_OUTCOME]}) from None
    _enforce(decide_appeal_refusal(actor, appeal, target))
    if appeal.status != AppealStatus.OPEN:
        raise appeal_error(Conflict, "appeal_closed")
    reason = clean_line(reason) or None
    if reason is not None and len(reason) > NOTE_MAX_LENGTH:
        raise Invalid("validation_error", fields={"reason": [_l("At most %(max)s characters.",
                                                                 max=NOTE_MAX_LENGTH)]})
    if outcome == AppealOutcome.OVERTURN:
        if target is None:
            raise NotFound()
        current = services.latest_hide(target.type, target.id) if target.is_hidden else None
        # Hidden now by a later decision (an automatic hiding confirmed by a moderator): overturning this one would
        # not make the item visible again, and telling its author so would be false. The later decision can be
        # contested on its own.
        if current is not None and current.id != appeal.decision_id:
            raise appeal_error(Conflict, "decision_superseded")
        # Restored meanwhile: nothing of this one to undo.
        if current is not None:
            restore = services.decide(actor, target.type, target.id, action=ModerationAction.RESTORE.value,
                                      note=reason, tell_author=False)
            appeal.restore_decision_id = restore.id
        appeal.status = AppealStatus.OVERTURNED
    else:
        appeal.status = AppealStatus.UPHELD
    appeal.decided_at = clock.now()
    appeal.decided_by_id = actor.id
    appeal.outcome_reason = reason
    db.session.flush()
    audit.record(actor, f"moderation_appeal_{appeal.status.value}", target_type="moderation_decision",
                 target_id=appeal.decision_id, appeal_id=appeal.id)
    _notify_author(appeal, target)
    return appeal


def _notify_author(appeal: ModerationAppeal, target: Target | None) -> None:
    from deliberation.accounts.models import User
    from deliberation.moderation import services
    from deliberation.notifications import services as notifications

    author = db.session.get(User, appeal.author_id) if appeal.author_id else None
    if author is None or author.is_deleted or target is None:
        return
    proposal = target.proposal
    kind = f"moderation_appeal_{appeal.status.value}"
    params = {"proposal_id": proposal.id if proposal else None,
              "proposal": services.title_for(proposal, author) if proposal else "", "note": appeal.outcome_reason or ""}
    notifications.notify(author, kind, params=params, link=target.link)


def with_appeal_outcomes(months: list) -> list:
    """The public log's monthly counts (moderation.services.monthly_counts) with the appeals decided each month
    added as "appeal_upheld" and "appeal_overturned", over the same months and any month that has only those
    (none about an unpublished consultation, as in the log)."""
    table = {month: dict(counts) for month, counts in months}
    since = min(table) if table else None
    from deliberation.moderation.services import publicly_visible

    query = (select(ModerationAppeal.decided_at, ModerationAppeal.status)
             .join(ModerationDecision, ModerationDecision.id == ModerationAppeal.decision_id)
             .where(ModerationAppeal.status != AppealStatus.OPEN, ModerationAppeal.decided_at.is_not(None),
                    publicly_visible()))
    for decided_at, status in db.session.execute(query):
        month = decided_at.date().replace(day=1)
        if since is not None and month < since:
            continue
        counts = table.setdefault(month, {})
        key = f"appeal_{AppealStatus(status).value}"
        counts[key] = counts.get(key, 0) + 1
    return sorted(table.items(), reverse=True)
