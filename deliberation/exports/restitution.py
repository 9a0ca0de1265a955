"""The restitution of a consultation: what was said (published syntheses), what was decided (public responses
counted by type), what is being done (follow-ups), and key figures. Read only, public data only; the same
figures feed the HTML page and its PDF."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from deliberation.assemblies.models import Assembly, Poll, PollState
from deliberation.consultations.models import Consultation
from deliberation.core import clock
from deliberation.exports.open_data import (
    consultation_follow_ups,
    public_responses,
    published_syntheses,
)
from deliberation.extensions import db
from deliberation.proposals.models import PUBLIC_STATUSES, Comment, CommentStatus, Proposal
from deliberation.synthesis.models import RESPONSE_TYPE_LABELS, FollowUp, ResponseType, Synthesis

#: The key figures, in the order shown.
FIGURE_LABELS = {
    "proposals": _l("published contributions"),
    "supports": _l("supports"),
    "comments": _l("comments"),
    "assemblies": _l("assemblies"),
    "polls": _l("votes held"),
    "syntheses": _l("published syntheses"),
    "responses": _l("proposals answered"),
    "follow_ups": _l("commitments followed up"),
}


@dataclass
class ResponseCount:
    type: ResponseType
    label: str
    count: int
    percent: int


@dataclass
class Restitution:
    consultation: Consultation
    generated_at: datetime
    syntheses: list[Synthesis]
    responses: list[ResponseCount]
    responses_total: int
    follow_ups: list[FollowUp]
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def average_progress(self) -> int | None:
        if not self.follow_ups:
            return None
        return round(sum(f.progress for f in self.follow_ups) / len(self.follow_ups))


def _percent(count: int, total: int) -> int:
    return (count * 200 + total) // (2 * total) if total else 0


def count_responses(responses) -> tuple[list[ResponseCount], int]:
    """Every response type, in the order of DOMAIN.md, with its count and share (zeros included)."""
    counts = Counter(ResponseType(response.type) for response in responses)
    total = sum(counts.values())
    return [ResponseCount(kind, str(RESPONSE_TYPE_LABELS[kind]), counts[kind], _percent(counts[kind], total))
            for kind in ResponseType], total


def _figures(consultation: Consultation) -> dict[str, int]:
    public = [status.value for status in PUBLIC_STATUSES]
    proposals, supports = db.session.execute(
        select(func.count(Proposal.id), func.coalesce(func.sum(Proposal.supports_count), 0))
        .where(Proposal.consultation_id == consultation.id, Proposal.status.in_(public))).one()
    comments = db.session.scalar(
        select(func.count(Comment.id)).join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Proposal.consultation_id == consultation.id, Proposal.status.in_(public),
               Comment.status == CommentStatus.PUBLISHED)) or 0
    assemblies = db.session.scalar(
        select(func.count(Assembly.id)).where(Assembly.consultation_id == consultation.id)) or 0
    polls = db.session.scalar(
        select(func.count(Poll.id)).join(Assembly, Assembly.id == Poll.assembly_id)
        .where(Assembly.consultation_id == consultation.id, Poll.state == PollState.CLOSED)) or 0
    return {"proposals": proposals or 0, "supports": int(supports or 0), "comments": comments,
            "assemblies": assemblies, "polls": polls}


def build_restitution(consultation: Consultation, *, now: datetime | None = None) -> Restitution:
    now = now or clock.now()
    syntheses = published_syntheses(consultation, now)
    # What residents ask is what became of each proposal: the answers to a synthesis's sections are read with it.
    responses, total = count_responses(
        [response for response in public_responses(consultation, now) if response.proposal_id is not None])
    follow_ups = consultation_follow_ups(consultation)
    restitution = Restitution(consultation, now, syntheses, responses, total, follow_ups)
    restitution.figures = {**_figures(consultation), "syntheses": len(syntheses), "responses": total,
                           "follow_ups": len(follow_ups)}
    return restitution
