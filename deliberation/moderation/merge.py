"""Merging a duplicate proposal into another one of the same consultation (issue #4, item 3).

The duplicate becomes `merged` with `merged_into_id`; its supports are carried over without counting anyone
twice, its comments (whole threads) move to the kept proposal, proposals merged into it earlier are re-pointed
to the kept one, its open reports are closed, and both authors hear of it after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from deliberation.core import audit, clock
from deliberation.core.errors import Conflict, DomainError, Forbidden, Invalid
from deliberation.extensions import db
from deliberation.moderation import policies
from deliberation.moderation.models import ModerationAction, ModerationDecision, ReportStatus, ReportTargetType
from deliberation.moderation.targets import MAX_ID, Target
from deliberation.notifications.kinds import NotificationKind, register
from deliberation.proposals.models import PUBLIC_STATUSES, Comment, Proposal, ProposalStatus, Support

MERGE_MESSAGES = {
    "merge_only_proposals": _l("Only a contribution can be merged into another one."),
    "merge_into_required": _l("Choose the contribution to merge it into."),
    "merge_target_not_found": _l("The contribution to merge into does not exist."),
    "merge_into_itself": _l("A contribution cannot be merged into itself."),
    "merge_other_consultation": _l("Contributions can only be merged within the same consultation."),
    "merge_target_not_public": _l(
        "The contribution to merge into must be published: not hidden, withdrawn, merged or awaiting moderation."),
    "not_mergeable": _l("This contribution can no longer be merged: it is withdrawn, merged or a draft."),
}
#: A duplicate may be merged while published or awaiting moderation (a duplicate caught by pre-moderation).
MERGEABLE_STATUSES = PUBLIC_STATUSES | {ProposalStatus.PENDING_MODERATION}

MODERATION_MERGED = register(NotificationKind(
    "moderation_merged",
    message=_l("Your contribution “%(proposal)s” was merged into “%(into)s”, which carries its supports and "
               "comments."),
    email_subject=_l("Your contribution “%(proposal)s” was merged into another one"),
))
MODERATION_MERGED_INTO = register(NotificationKind(
    "moderation_merged_into",
    message=_l("The contribution “%(from)s” was merged into yours, “%(proposal)s”: its supports and comments "
               "are now on yours."),
    email_subject=_l("A similar contribution was merged into “%(proposal)s”"),
))


def merge_error(kind, code: str) -> DomainError:
    return kind(code, MERGE_MESSAGES[code])


def merge_refusal(duplicate: Proposal, kept: Proposal | None) -> str | None:
    """The rule on the two proposals (who may merge is moderation.policies.decide_refusal on the duplicate)."""
    if kept is None:
        return "merge_target_not_found"
    if kept.id == duplicate.id:
        return "merge_into_itself"
    if kept.consultation_id != duplicate.consultation_id:
        return "merge_other_consultation"
    if duplicate.status not in MERGEABLE_STATUSES:
        return "not_mergeable"
    if kept.status not in PUBLIC_STATUSES:
        return "merge_target_not_public"
    return None


def load_kept(into_id) -> Proposal | None:
    if into_id is None:
        raise Invalid("validation_error", fields={"into_id": [MERGE_MESSAGES["merge_into_required"]]})
    if not isinstance(into_id, int) or isinstance(into_id, bool) or not 0 < into_id <= MAX_ID:
        return None
    return db.session.get(Proposal, into_id)


def merge(actor, target: Target, *, into_id, reason, note, charter_rule) -> ModerationDecision:
    """Called by services.decide once the actor may decide on `target` and the fields are valid."""
    from deliberation.moderation import services

    if target.type != ReportTargetType.PROPOSAL:
        raise merge_error(Invalid, "merge_only_proposals")
    duplicate: Proposal = target.obj
    kept = load_kept(into_id)
    if kept is not None:
        # Both proposals locked (in id order, so two merges never wait on each other) and read afresh: a merge
        # the other way round, a withdrawal or a support arriving meanwhile waits for this one.
        lock_proposals(duplicate.id, kept.id)
    refusal = merge_refusal(duplicate, kept)
    if refusal == "not_mergeable":
        raise merge_error(Conflict, refusal)
    if refusal is not None:
        raise merge_error(Invalid, refusal)
    kept_target = Target(ReportTargetType.PROPOSAL, kept)
    kept_refusal = policies.decide_refusal(actor, kept_target,
                                           reported_by_user=services._has_reported(actor, kept_target))
    if kept_refusal is not None:
        raise services.moderation_error(Forbidden, kept_refusal)

    decision = ModerationDecision(
        target_type=target.type, target_id=duplicate.id, consultation_id=duplicate.consultation_id,
        action=ModerationAction.MERGE, reason=reason.value if reason else None, public_note=note,
        charter_rule=charter_rule, moderator_id=actor.id, automatic=False, previous_state=target.state,
        decided_at=clock.now(), into_id=kept.id,
    )
    db.session.add(decision)
    db.session.flush()
    supports_added = _carry_supports(duplicate, kept)
    comments_moved = _move_comments(duplicate, kept)
    repointed = _repoint_earlier_merges(duplicate, kept)
    duplicate.merged_into_id = kept.id
    target._set_proposal_status(ProposalStatus.MERGED, actor, decision)
    _recount(kept)
    closed = services._close_open_reports(target, ReportStatus.ACTED)
    audit.record(actor, "moderation_merge", target_type=target.type.value, target_id=duplicate.id,
                 decision_id=decision.id, into_id=kept.id, reason=decision.reason, supports_added=supports_added,
                 comments_moved=comments_moved, repointed=repointed, reports_closed=closed)
    _notify(duplicate, kept, was_public=_public_state(decision.previous_state))
    return decision


def lock_proposals(*ids: int) -> None:
    """SELECT … FOR UPDATE of the proposals (PostgreSQL; SQLite runs one writer at a time), lowest id first,
    their loaded objects refreshed."""
    db.session.scalars(select(Proposal).where(Proposal.id.in_(sorted(set(ids)))).order_by(Proposal.id)
                       .with_for_update(of=Proposal).execution_options(populate_existing=True)).all()


def _carry_supports(duplicate: Proposal, kept: Proposal) -> int:
    """Each supporter of the duplicate supports the kept proposal once (not its author: one does not support
    one's own proposal). The duplicate keeps its rows: they are what it had when merged."""
    already = select(Support.user_id).where(Support.proposal_id == kept.id)
    user_ids = list(db.session.scalars(
        select(Support.user_id).where(Support.proposal_id == duplicate.id, Support.user_id.not_in(already),
                                      Support.user_id != kept.author_id).order_by(Support.id)))
    added = 0
    for user_id in user_ids:
        try:
            with db.session.begin_nested():  # a support of the same person arriving at once: keep theirs
                db.session.add(Support(proposal_id=kept.id, user_id=user_id, created_at=clock.now()))
        except IntegrityError:
            continue
        added += 1
    return added


def _move_comments(duplicate: Proposal, kept: Proposal) -> int:
    """Whole threads move (parents move with their replies), so every reply still hangs from its parent."""
    result = db.session.execute(
        update(Comment).where(Comment.proposal_id == duplicate.id).values(proposal_id=kept.id)
        .execution_options(synchronize_session=False))
    db.session.execute(update(Proposal).where(Proposal.id == duplicate.id).values(comments_count=0)
                       .execution_options(synchronize_session=False))
    db.session.expire(duplicate, ["comments_count"])
    return result.rowcount or 0


def _repoint_earlier_merges(duplicate: Proposal, kept: Proposal) -> int:
    """A was merged into B; B is merged into C: A now points to C (no chain to follow)."""
    result = db.session.execute(
        update(Proposal).where(Proposal.merged_into_id == duplicate.id, Proposal.status == ProposalStatus.MERGED)
        .values(merged_into_id=kept.id).execution_options(synchronize_session=False))
    return result.rowcount or 0


def _recount(kept: Proposal) -> None:
    """The counters from the rows, while the kept proposal is locked (a support committed meanwhile is counted;
    one still running adds its +1 after this)."""
    db.session.flush()
    supports = select(func.count()).select_from(Support).where(Support.proposal_id == kept.id).scalar_subquery()
    comments = select(func.count()).select_from(Comment).where(Comment.proposal_id == kept.id).scalar_subquery()
    db.session.execute(update(Proposal).where(Proposal.id == kept.id)
                       .values(supports_count=supports, comments_count=comments)
                       .execution_options(synchronize_session=False))
    db.session.expire(kept, ["supports_count", "comments_count"])


def _public_state(state: str | None) -> bool:
    """Whether a proposal in `state` (a decision's previous_state) was public."""
    try:
        return state is not None and ProposalStatus(state) in PUBLIC_STATUSES
    except ValueError:
        return False


def _notify(duplicate: Proposal, kept: Proposal, *, was_public: bool) -> None:
    from deliberation.moderation.services import title_for
    from deliberation.notifications import services as notifications

    link = f"/proposals/{kept.id}"
    if duplicate.author is not None and not duplicate.author.is_deleted:
        notifications.notify(duplicate.author, "moderation_merged", link=link,
                             params={"proposal_id": duplicate.id, "proposal": duplicate.title, "into": kept.title})
    if kept.author is not None and not kept.author.is_deleted and kept.author_id != duplicate.author_id:
        # A duplicate merged while awaiting moderation was never published: named by its number.
        notifications.notify(kept.author, "moderation_merged_into", link=link, params={
            "proposal_id": kept.id, "proposal": kept.title, "from_id": duplicate.id,
            "from": title_for(duplicate, kept.author, was_public=was_public)})


# Queries for pages -----------------------------------------------------------------------------------------


def final_destination(proposal: Proposal) -> Proposal | None:
    """Where a merged proposal's address leads: its merged_into, followed (a few steps at most) in case an old
    chain was left by a merge made before re-pointing existed."""
    seen = {proposal.id}
    current = proposal
    while current.status == ProposalStatus.MERGED and current.merged_into_id is not None:
        following = db.session.get(Proposal, current.merged_into_id)
        if following is None or following.id in seen:
            return None
        seen.add(following.id)
        current = following
    return current if current.id != proposal.id else None


@dataclass(frozen=True)
class MergedFrom:
    """A proposal merged into another, as the kept one's page shows it: `title` is None when it was never public
    (merged while awaiting moderation), and the page shows its number only."""

    id: int
    title: str | None
    proposal: Proposal


def merged_into(kept: Proposal) -> list[MergedFrom]:
    """The proposals merged into `kept`, oldest merge first (shown on its page)."""
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.merged_into_id == kept.id, Proposal.status == ProposalStatus.MERGED)
        .order_by(Proposal.updated_at, Proposal.id)))
    public = _public_before_merge([proposal.id for proposal in proposals])
    return [MergedFrom(proposal.id, proposal.title if proposal.id in public else None, proposal)
            for proposal in proposals]


def _public_before_merge(ids: list[int]) -> set[int]:
    """Those of `ids` that were public when merged, from their latest merge decision's previous state (a proposal
    merged with no decision on record, from before decisions kept it, counts as public if it was ever published)."""
    if not ids:
        return set()
    states: dict[int, str | None] = {}
    for target_id, state in db.session.execute(
            select(ModerationDecision.target_id, ModerationDecision.previous_state)
            .where(ModerationDecision.target_type == ReportTargetType.PROPOSAL,
                   ModerationDecision.target_id.in_(ids), ModerationDecision.action == ModerationAction.MERGE)
            .order_by(ModerationDecision.decided_at, ModerationDecision.id)):
        states[target_id] = state
    unrecorded = [ident for ident in ids if ident not in states]
    public = {ident for ident, state in states.items() if _public_state(state)}
    if unrecorded:
        public.update(db.session.scalars(select(Proposal.id).where(Proposal.id.in_(unrecorded),
                                                                   Proposal.published_at.is_not(None))))
    return public


def merge_candidates(duplicate: Proposal, query: str | None = None, limit: int = 50) -> list[Proposal]:
    """Proposals of the same consultation a duplicate may be merged into (for the moderators' form)."""
    conditions = [Proposal.consultation_id == duplicate.consultation_id, Proposal.id != duplicate.id,
                  Proposal.status.in_(sorted(PUBLIC_STATUSES))]
    if query:
        conditions.append(func.lower(Proposal.title).contains(query.lower(), autoescape=True))
    return list(db.session.scalars(select(Proposal).where(*conditions).order_by(Proposal.title, Proposal.id)
                                   .limit(limit)))
