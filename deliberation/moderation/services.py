"""Moderation commands and queries: reporting, the automatic hiding after a consultation's threshold, the
moderators' decisions (hide, restore, dismiss), the queue and the public log.

Reporters are never shown: queries of the queue and the log return counts and reasons, never who reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from deliberation.accounts.models import UserRole
from deliberation.consultations.models import Consultation
from deliberation.core import audit, clock
from deliberation.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, enforce
from deliberation.extensions import db
from deliberation.moderation import policies
from deliberation.moderation.models import (
    AUTOMATIC_REASON,
    CHARTER_RULE_MAX_LENGTH,
    CONSOLE_DEFAULT_REASON,
    DETAILS_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    DecisionTargetType,
    ModerationAction,
    ModerationDecision,
    Report,
    ReportReason,
    ReportStatus,
    ReportTargetType,
)
from deliberation.moderation.targets import Target, get_target
from deliberation.proposals.models import PUBLIC_STATUSES, Proposal, ProposalStatus
from deliberation.proposals.services.common import clean_line, clean_text
from deliberation.web.pagination import Page

DEFAULT_THRESHOLD = 3

MODERATION_MESSAGES = {
    "already_reported": _l("You have already reported this item. The moderators will look at it."),
    "own_content": _l("You cannot report or moderate your own contribution."),
    "own_report": _l("You reported this item yourself: another moderator decides on it."),
    "not_reportable": _l("This item cannot be reported: it is not visible to the public."),
    "not_moderator": _l("Only the moderators of this consultation can do this."),
    "block_needs_account": _l("Block and unblock apply to an account (target_type user)."),
    "already_hidden": _l("This item is already hidden."),
    "not_hidden": _l("This item is not hidden."),
    "no_open_reports": _l("This item has no report waiting for a decision."),
    "reason_required": _l("Choose the reason of the decision."),
}
UNKNOWN_REASON = _l("Choose one of the reasons offered.")
UNKNOWN_ACTION = _l("Choose hide, restore, dismiss or merge.")
TOO_LONG = _l("At most %(max)s characters.")


def moderation_error(kind, code: str, **kwargs) -> DomainError:
    return kind(code, MODERATION_MESSAGES[code], **kwargs)


def _enforce(refusal: str | None) -> None:
    enforce(refusal, messages=MODERATION_MESSAGES, conflicts=("not_reportable",))

def _reason(value, *, required: bool, errors: dict) -> ReportReason | None:
    if value in (None, "") and not required:
        return None
    try:
        return ReportReason(value)
    except (ValueError, TypeError):
        errors["reason"] = [UNKNOWN_REASON]
        return None


def _optional_text(errors: dict, name: str, value, max_length: int, *, multiline: bool = False) -> str | None:
    value = (clean_text if multiline else clean_line)(value)
    if len(value) > max_length:
        errors[name] = [_l("At most %(max)s characters.", max=max_length)]
    return value or None


# Reports ------------------------------------------------------------------------------------------------


def report_content(actor, target_type, target_id, *, reason, details=None) -> Report:
    """`actor` reports an item others can see, once (a second report: 409 already_reported). Once the
    consultation's threshold of distinct reporters is reached, the item is hidden pending moderation (never an
    account: reports on a person wait for a moderator). An item the actor may not even see (someone else's
    draft, a proposal awaiting moderation) is 404, as its page is."""
    target = get_target(target_type, target_id)
    _require_visible_to(actor, target)
    _enforce(policies.report_refusal(actor, target, own=target.is_own(actor)))
    errors: dict[str, list] = {}
    reason = _reason(reason, required=True, errors=errors)
    details = _optional_text(errors, "details", details, DETAILS_MAX_LENGTH, multiline=True)
    if errors:
        raise Invalid("validation_error", fields=errors)
    # The item's row is locked until the commit: two reports arriving together count one after the other, so
    # the threshold hides it once (the second one sees it hidden).
    target = get_target(target.type, target.id, lock=True)
    if _has_reported(actor, target):
        raise moderation_error(Conflict, "already_reported")
    report = Report(target_type=target.type, target_id=target.id, consultation_id=target.consultation_id,
                    reporter_id=actor.id, reason=reason, details=details, status=ReportStatus.OPEN,
                    created_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:  # the same person, twice at once
        raise moderation_error(Conflict, "already_reported") from None
    _hide_when_threshold_reached(target)
    return report


def _require_visible_to(actor, target: Target) -> None:
    from deliberation.proposals import policies as proposal_policies

    proposal = target.proposal
    if proposal is not None and not proposal_policies.can_see_page(actor, proposal):
        raise NotFound()


def _has_reported(user, target: Target) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Report.target_type == target.type, Report.target_id == target.id, Report.reporter_id == user.id))))


def threshold_of(target: Target) -> int:
    consultation = db.session.get(Consultation, target.consultation_id) if target.consultation_id else None
    return consultation.report_threshold if consultation is not None else DEFAULT_THRESHOLD


def count_open_reporters(target: Target) -> int:
    return db.session.scalar(select(func.count(func.distinct(Report.reporter_id))).where(
        Report.target_type == target.type, Report.target_id == target.id, Report.status == ReportStatus.OPEN)) or 0


def _hide_when_threshold_reached(target: Target) -> None:
    if target.type == ReportTargetType.USER:
        return
    if target.is_hidden or count_open_reporters(target) < threshold_of(target):
        return
    decision = ModerationDecision(
        target_type=target.type, target_id=target.id, consultation_id=target.consultation_id,
        action=ModerationAction.HIDE, reason=AUTOMATIC_REASON, automatic=True, moderator_id=None,
        previous_state=target.state, decided_at=clock.now(),
    )
    db.session.add(decision)
    db.session.flush()
    target.hide(None, decision)
    audit.record(None, "moderation_hidden_automatically", target_type=target.type.value, target_id=target.id,
                 decision_id=decision.id, threshold=threshold_of(target))
    _notify_author(target, decision)


# Decisions ----------------------------------------------------------------------------------------------


def decide(actor, target_type, target_id, *, action, reason=None, note=None, charter_rule=None, into_id=None,
           justification=None, hide_content=False, tell_author: bool = True) -> ModerationDecision:
    """A moderator's decision on an item: hide (with a public reason), restore (back to the state it had;
    a proposal awaiting moderation is published), dismiss (the open reports are closed, the item unchanged),
    merge a duplicate proposal into `into_id` (moderation.merge).
    The open reports are closed with it; the author is told (in the app and by e-mail, after the commit), unless
    `tell_author` is False (an overturned appeal tells them its own outcome instead).
    `target_type` "user": block or unblock an account (moderation.blocks), with `justification`, or dismiss the
    reports on it; hide, restore and merge do not apply to an account (422 block_action)."""
    if target_type == DecisionTargetType.USER.value and action != ModerationAction.DISMISS.value:
        return blocks.decide_on_account(actor, target_id, action=action, reason=reason, justification=justification,
                                        hide_content=hide_content)
    target = get_target(target_type, target_id)
    try:
        action = ModerationAction(action)
    except (ValueError, TypeError):
        raise Invalid("validation_error", fields={"action": [UNKNOWN_ACTION]}) from None
    if action in (ModerationAction.BLOCK, ModerationAction.UNBLOCK):
        raise moderation_error(Invalid, "block_needs_account")
    _enforce_decide(actor, target)
    errors: dict[str, list] = {}
    reason = _reason(reason, required=action == ModerationAction.HIDE, errors=errors)
    note = _optional_text(errors, "note", note, NOTE_MAX_LENGTH)
    charter_rule = _optional_text(errors, "charter_rule", charter_rule, CHARTER_RULE_MAX_LENGTH)
    if target.type == ReportTargetType.USER:
        # The log speaks of « un compte » and nothing more: a public note could name the person.
        note = charter_rule = None
    if errors:
        raise Invalid("validation_error", fields=errors)
    if action == ModerationAction.MERGE:
        return merge.merge(actor, target, into_id=into_id, reason=reason or ReportReason.DUPLICATE, note=note,
                           charter_rule=charter_rule)

    last_hide = latest_hide(target.type, target.id) if target.is_hidden else None
    if action == ModerationAction.HIDE:
        if target.is_hidden and last_hide is not None and not last_hide.automatic:
            raise moderation_error(Conflict, "already_hidden")
        previous = last_hide.previous_state if target.is_hidden and last_hide is not None else target.state
    elif action == ModerationAction.RESTORE:
        if not (target.is_hidden or target.is_pending):
            raise moderation_error(Conflict, "not_hidden")
        previous = last_hide.previous_state if last_hide is not None else None
    else:
        if target.is_hidden:  # hidden (automatically, say): restore it or confirm the hiding, never just dismiss
            raise moderation_error(Conflict, "already_hidden")
        if not _open_reports(target):
            raise moderation_error(Conflict, "no_open_reports")
        previous = target.state

    decision = ModerationDecision(
        target_type=target.type, target_id=target.id, consultation_id=target.consultation_id, action=action,
        reason=reason.value if reason else None, public_note=note, charter_rule=charter_rule,
        moderator_id=actor.id, automatic=False, previous_state=previous, decided_at=clock.now(),
    )
    db.session.add(decision)
    db.session.flush()
    if action == ModerationAction.HIDE:
        target.hide(actor, decision)
    elif action == ModerationAction.RESTORE:
        target.restore(actor, decision, previous)
    closed = _close_open_reports(target, ReportStatus.ACTED if action == ModerationAction.HIDE
                                 else ReportStatus.DISMISSED)
    audit.record(actor, f"moderation_{action.value}", target_type=target.type.value, target_id=target.id,
                 decision_id=decision.id, reason=decision.reason, reports_closed=closed)
    if action != ModerationAction.DISMISS and tell_author:
        _notify_author(target, decision, published=action == ModerationAction.RESTORE and previous is None
                       and target.type == ReportTargetType.PROPOSAL)
    return decision


def _enforce_decide(actor, target: Target) -> None:
    reported = bool(getattr(actor, "is_authenticated", False)) and _has_reported(actor, target)
    _enforce(policies.decide_refusal(actor, target, reported_by_user=reported, own=target.is_own(actor)))


def decide_on_question(actor, question, action: str, *, reason=None, note=None) -> ModerationDecision:
    """The facilitator console's hide and restore of a question from the room: a decision of the public log like
    any other (same rules: a facilitator of the assembly or a moderator, never on a question they asked or
    reported), `reason` defaulting to off_topic when hiding (the console's events and forms may send none)."""
    if action == ModerationAction.HIDE.value and reason in (None, ""):
        reason = CONSOLE_DEFAULT_REASON
    return decide(actor, ReportTargetType.QUESTION.value, question.id, action=action, reason=reason, note=note)


def _open_reports(target: Target) -> list[Report]:
    return list(db.session.scalars(select(Report).where(
        Report.target_type == target.type, Report.target_id == target.id, Report.status == ReportStatus.OPEN)))


def _close_open_reports(target: Target, status: ReportStatus) -> int:
    result = db.session.execute(
        update(Report).where(Report.target_type == target.type, Report.target_id == target.id,
                             Report.status == ReportStatus.OPEN)
        .values(status=status, closed_at=clock.now()).execution_options(synchronize_session=False))
    return result.rowcount or 0


def latest_hide(target_type, target_id: int) -> ModerationDecision | None:
    return db.session.scalar(
        select(ModerationDecision).where(ModerationDecision.target_type == ReportTargetType(target_type),
                                         ModerationDecision.target_id == target_id,
                                         ModerationDecision.action == ModerationAction.HIDE)
        .order_by(ModerationDecision.decided_at.desc(), ModerationDecision.id.desc()).limit(1))


def hide_decisions_for(target_type, target_ids) -> dict[int, ModerationDecision]:
    """The latest hide decision of each of `target_ids` (one query), for placeholders."""
    ids = list(target_ids)
    if not ids:
        return {}
    found: dict[int, ModerationDecision] = {}
    rows = db.session.scalars(
        select(ModerationDecision).where(ModerationDecision.target_type == ReportTargetType(target_type),
                                         ModerationDecision.target_id.in_(ids),
                                         ModerationDecision.action == ModerationAction.HIDE)
        .order_by(ModerationDecision.decided_at, ModerationDecision.id))
    for decision in rows:
        found[decision.target_id] = decision
    return found


def title_for(proposal: Proposal, reader, *, was_public: bool | None = None) -> str | None:
    """The proposal's title when `reader` may read it (public, or theirs; `was_public` for one already merged),
    else None: a notification then names it by its number, in the reader's language (notifications.kinds)."""
    public = proposal.status in PUBLIC_STATUSES if was_public is None else was_public
    return proposal.title if public or proposal.author_id == reader.id else None


def _notify_author(target: Target, decision: ModerationDecision, *, published: bool = False) -> None:
    from deliberation.notifications import services as notifications

    author = target.author
    proposal = target.proposal
    if author is None or author.is_deleted or proposal is None:
        return
    comment = "_comment" if target.type == ReportTargetType.COMMENT else ""
    if decision.action == ModerationAction.HIDE:
        kind = f"moderation{comment}_hidden"
    else:
        kind = "moderation_published" if published else f"moderation{comment}_restored"
    params = {"proposal_id": proposal.id, "proposal": title_for(proposal, author),
              "reason": decision.reason or "", "note": decision.public_note or ""}
    notifications.notify(author, kind, params=params, link=target.link)


# The queue ----------------------------------------------------------------------------------------------


@dataclass
class QueueItem:
    target: Target
    reporters: int
    oldest: datetime | None
    reasons: dict[str, int] = field(default_factory=dict)
    #: What reporters wrote, oldest first (never who wrote it).
    details: list[str] = field(default_factory=list)

    @property
    def auto_hidden(self) -> bool:
        return self.target.is_hidden


def moderated_consultations(user) -> list[int] | None:
    """The consultations `user` moderates: None for all (a global moderator or an administrator)."""
    if user.has_role(UserRole.MODERATOR, None):
        return None
    return sorted({a.consultation_id for a in user.roles
                   if a.role == UserRole.MODERATOR and a.consultation_id is not None})


def list_queue(actor, *, target_type=None, consultation_id: int | None = None) -> list[QueueItem]:
    """Items with open reports the actor may decide on, plus proposals awaiting moderation; most distinct
    reporters first, then the oldest report first."""
    if not policies.can_open_queue(actor):
        raise moderation_error(Forbidden, "not_moderator")
    scope = moderated_consultations(actor)
    conditions = [Report.status == ReportStatus.OPEN]
    if scope is not None:
        conditions.append(Report.consultation_id.in_(scope))
    if consultation_id is not None:
        conditions.append(Report.consultation_id == consultation_id)
    if target_type:
        conditions.append(Report.target_type == ReportTargetType(target_type))
    rows = db.session.execute(
        select(Report.target_type, Report.target_id, Report.reason, func.count(func.distinct(Report.reporter_id)),
               func.min(Report.created_at))
        .where(*conditions).group_by(Report.target_type, Report.target_id, Report.reason))
    groups: dict[tuple, dict] = {}
    for kind, ident, reason, count, oldest in rows:
        group = groups.setdefault((ReportTargetType(kind), ident), {"reasons": Counter(), "oldest": oldest})
        group["reasons"][ReportReason(reason).value] += count
        group["oldest"] = min(group["oldest"], oldest)
    reporters = dict(((ReportTargetType(kind), ident), count) for kind, ident, count in db.session.execute(
        select(Report.target_type, Report.target_id, func.count(func.distinct(Report.reporter_id)))
        .where(*conditions).group_by(Report.target_type, Report.target_id)))
    items = []
    for (kind, ident), group in groups.items():
        try:
            target = get_target(kind, ident)
        except DomainError:
            continue
        items.append(QueueItem(target, reporters.get((kind, ident), 0), group["oldest"], dict(group["reasons"])))
    if target_type in (None, "", ReportTargetType.PROPOSAL.value):
        pending = [Proposal.status == ProposalStatus.PENDING_MODERATION]
        if scope is not None:
            pending.append(Proposal.consultation_id.in_(scope))
        if consultation_id is not None:
            pending.append(Proposal.consultation_id == consultation_id)
        seen = {(item.target.type, item.target.id) for item in items}
        for proposal in db.session.scalars(select(Proposal).where(*pending).order_by(Proposal.created_at)):
            if (ReportTargetType.PROPOSAL, proposal.id) not in seen:
                items.append(QueueItem(Target(ReportTargetType.PROPOSAL, proposal), 0, proposal.created_at))
    _attach_details(items)
    far_future = clock.now() + timedelta(days=1)
    items.sort(key=lambda item: (-item.reporters, _naive(item.oldest or far_future), item.target.id))
    return items


def _attach_details(items: list[QueueItem]) -> None:
    by_target = {(item.target.type, item.target.id): item for item in items if item.reporters}
    if not by_target:
        return
    ids = {ident for _kind, ident in by_target}
    rows = db.session.execute(
        select(Report.target_type, Report.target_id, Report.details)
        .where(Report.status == ReportStatus.OPEN, Report.target_id.in_(ids), Report.details.is_not(None))
        .order_by(Report.created_at, Report.id))
    for kind, ident, details in rows:
        item = by_target.get((ReportTargetType(kind), ident))
        if item is not None and details:
            item.details.append(details)


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


# The public log -----------------------------------------------------------------------------------------


def list_decisions(*, page: int = 1, per_page: int = 20, consultation_id: int | None = None
                   ) -> Page[ModerationDecision]:
    """Every decision the public may know of, newest first: those of published consultations and those
    belonging to none (accounts, questions of an assembly outside any consultation); a consultation not
    published (a draft) keeps its decisions out of the log. Callers show only public fields (never the
    moderator or the text)."""
    where = [publicly_visible()]
    if consultation_id is not None:
        where.append(ModerationDecision.consultation_id == consultation_id)
    total = db.session.scalar(select(func.count()).select_from(ModerationDecision).where(*where)) or 0
    items = list(db.session.scalars(
        select(ModerationDecision).where(*where)
        .order_by(ModerationDecision.decided_at.desc(), ModerationDecision.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)


def publicly_visible():
    """Decisions the public log shows: none about an unpublished consultation."""
    published = select(Consultation.id).where(Consultation.is_published.is_(True))
    return or_(ModerationDecision.consultation_id.is_(None), ModerationDecision.consultation_id.in_(published))


def monthly_counts(months: int = 12) -> list[tuple[date, dict[str, int]]]:
    """[(first day of the month, {"hide": n, "restore": n, "dismiss": n}), …] over the last `months` months,
    newest first."""
    since = clock.now() - timedelta(days=31 * months)
    counts: dict[date, Counter] = {}
    for decided_at, action in db.session.execute(
            select(ModerationDecision.decided_at, ModerationDecision.action)
            .where(ModerationDecision.decided_at >= since, publicly_visible())):
        counts.setdefault(decided_at.date().replace(day=1), Counter())[ModerationAction(action).value] += 1
    return [(month, dict(counts[month])) for month in sorted(counts, reverse=True)]


# Merge and block live in their own modules; imported last, as they use the helpers above.
from deliberation.moderation import blocks, merge  # noqa: E402
