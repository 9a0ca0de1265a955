"""The moderators' dashboard: what waits (items with open reports, proposals awaiting moderation, open appeals),
the age of the oldest waiting item, and the median time from the first report to a decision (last 30 days)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from deliberation.core import clock
from deliberation.core.errors import Forbidden
from deliberation.extensions import db
from deliberation.moderation import policies
from deliberation.moderation.appeals import AppealStatus, ModerationAppeal
from deliberation.moderation.models import ModerationDecision, Report, ReportStatus
from deliberation.proposals.models import Proposal, ProposalStatus

WINDOW = timedelta(days=30)


@dataclass
class Dashboard:
    reported_items: int
    pending_proposals: int
    open_appeals: int
    oldest_waiting_since: datetime | None
    oldest_age: timedelta | None
    median_time_to_decision: timedelta | None
    decisions_measured: int

    @property
    def total_waiting(self) -> int:
        return self.reported_items + self.pending_proposals + self.open_appeals


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def build(actor) -> Dashboard:
    """Counted over the consultations `actor` moderates."""
    from deliberation.moderation.services import moderated_consultations

    if not policies.can_open_queue(actor):
        raise Forbidden("not_moderator")
    scope = moderated_consultations(actor)
    now = clock.now()

    report_scope = [Report.status == ReportStatus.OPEN]
    proposal_scope = [Proposal.status == ProposalStatus.PENDING_MODERATION]
    appeal_scope = [ModerationAppeal.status == AppealStatus.OPEN]
    decision_scope = [ModerationDecision.decided_at >= now - WINDOW, ModerationDecision.automatic.is_(False)]
    if scope is not None:
        report_scope.append(Report.consultation_id.in_(scope))
        proposal_scope.append(Proposal.consultation_id.in_(scope))
        appeal_scope.append(ModerationDecision.consultation_id.in_(scope))
        decision_scope.append(ModerationDecision.consultation_id.in_(scope))

    items = (select(Report.target_type, Report.target_id, func.min(Report.created_at).label("first"))
             .where(*report_scope).group_by(Report.target_type, Report.target_id).subquery())
    reported_items, oldest_report = db.session.execute(select(func.count(), func.min(items.c.first))).one()
    pending, oldest_proposal = db.session.execute(
        select(func.count(Proposal.id), func.min(Proposal.created_at)).where(*proposal_scope)).one()
    appeals, oldest_appeal = db.session.execute(
        select(func.count(ModerationAppeal.id), func.min(ModerationAppeal.created_at))
        .join(ModerationAppeal.decision).where(*appeal_scope)).one()
    oldest = min((moment for moment in map(_aware, (oldest_report, oldest_proposal, oldest_appeal)) if moment),
                 default=None)

    # Each decision of the window, and the first report it answered: made before it and still open then (a
    # later decision on the same item, such as a restore after an appeal, answered no report and is not counted).
    first_report = (select(func.min(Report.created_at))
                    .where(Report.target_type == ModerationDecision.target_type,
                           Report.target_id == ModerationDecision.target_id,
                           Report.created_at <= ModerationDecision.decided_at,
                           (Report.closed_at.is_(None)) | (Report.closed_at >= ModerationDecision.decided_at))
                    .correlate(ModerationDecision).scalar_subquery())
    rows = db.session.execute(select(ModerationDecision.decided_at, first_report).where(*decision_scope)).all()
    waits = [(_aware(decided) - _aware(reported)).total_seconds() for decided, reported in rows if reported]
    median = timedelta(seconds=statistics.median(waits)) if waits else None

    return Dashboard(reported_items=reported_items or 0, pending_proposals=pending or 0, open_appeals=appeals or 0,
                     oldest_waiting_since=oldest, oldest_age=(now - oldest) if oldest else None,
                     median_time_to_decision=median, decisions_measured=len(waits))


def duration_parts(delta: timedelta | None) -> tuple[int, int, int] | None:
    """(days, hours, minutes) for display."""
    if delta is None:
        return None
    minutes = max(0, int(delta.total_seconds() // 60))
    return minutes // 1440, (minutes % 1440) // 60, minutes % 60
