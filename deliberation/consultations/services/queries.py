"""Consultation queries: the public list (most relevant first), one consultation, its phase timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from deliberation.consultations import policies
from deliberation.consultations.models import Consultation, Phase
from deliberation.core import clock
from deliberation.core.errors import NotFound
from deliberation.extensions import db
from deliberation.web.pagination import Page


@dataclass(frozen=True)
class TimelineStep:
    phase: Phase
    state: str  # "past", "current" or "upcoming"

    @property
    def is_current(self) -> bool:
        return self.state == "current"


def _relevance(consultation: Consultation, now: datetime) -> tuple:
    """Running first (closing soonest first), then upcoming (starting soonest), then finished (latest first),
    then those without any phase (newest first)."""
    running = consultation.phase_at(now)
    if running is not None:
        return (0, running.ends_at.timestamp(), consultation.id)
    upcoming = [p.starts_at for p in consultation.phases if p.starts_at > now]
    if upcoming:
        return (1, min(upcoming).timestamp(), consultation.id)
    if consultation.phases:
        return (2, -max(p.ends_at for p in consultation.phases).timestamp(), -consultation.id)
    return (3, -consultation.created_at.timestamp(), -consultation.id)


def list_public_consultations() -> list[Consultation]:
    """Published consultations, most relevant first (see _relevance). A platform holds a few dozen at most,
    so they are ordered in Python, where the phases are at hand."""
    now = clock.now()
    consultations = db.session.scalars(select(Consultation).where(Consultation.is_published.is_(True)))
    return sorted(consultations, key=lambda c: _relevance(c, now))


def list_public_consultations_page(page: int, per_page: int) -> Page[Consultation]:
    consultations = list_public_consultations()
    start = (page - 1) * per_page
    return Page(
        items=consultations[start : start + per_page], page=page, per_page=per_page, total=len(consultations)
    )


def list_all_consultations() -> list[Consultation]:
    """Every consultation, published or not, newest first (admin list)."""
    return list(
        db.session.scalars(
            select(Consultation).order_by(Consultation.created_at.desc(), Consultation.id.desc())
        )
    )


def get_public_consultation(consultation_id: int, viewer) -> Consultation:
    """The consultation if `viewer` may see it; an unpublished one is NotFound except for administrators."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or not policies.can_view_consultation(viewer, consultation):
        raise NotFound()
    return consultation


def current_phase(consultation: Consultation) -> Phase | None:
    return consultation.current_phase


def phase_timeline(consultation: Consultation) -> list[TimelineStep]:
    """Every phase in date order, each marked past, current or upcoming."""
    now = clock.now()
    steps = []
    for phase in sorted(consultation.phases, key=lambda p: p.starts_at):
        if phase.ends_at <= now:
            state = "past"
        elif phase.starts_at <= now:
            state = "current"
        else:
            state = "upcoming"
        steps.append(TimelineStep(phase=phase, state=state))
    return steps


def next_phase(consultation: Consultation) -> Phase | None:
    now = clock.now()
    upcoming = [p for p in consultation.phases if p.starts_at > now]
    return min(upcoming, key=lambda p: p.starts_at) if upcoming else None
