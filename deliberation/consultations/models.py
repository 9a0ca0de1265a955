"""Consultations (démarches) and their dated phases; each phase kind opens a set of actions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberation.core import clock
from deliberation.core.db import Base, enum_column
from deliberation.territories.models import CityContract, Priority, PriorityArea


class PhaseKind(StrEnum):
    INFORMATION = "information"
    DIAGNOSIS = "diagnosis"
    SUBMISSION = "submission"
    DELIBERATION = "deliberation"
    REVIEW = "review"
    VOTE = "vote"
    SYNTHESIS = "synthesis"
    FEEDBACK = "feedback"
    DECISION = "decision"
    FOLLOW_UP = "follow_up"
    EVALUATION = "evaluation"


PHASE_KIND_LABELS = {
    PhaseKind.INFORMATION: _l("information"),
    PhaseKind.DIAGNOSIS: _l("shared diagnosis"),
    PhaseKind.SUBMISSION: _l("submission of proposals"),
    PhaseKind.DELIBERATION: _l("debate"),
    PhaseKind.REVIEW: _l("analysis"),
    PhaseKind.VOTE: _l("vote"),
    PhaseKind.SYNTHESIS: _l("synthesis"),
    PhaseKind.FEEDBACK: _l("feedback"),
    PhaseKind.DECISION: _l("officials' response"),
    PhaseKind.FOLLOW_UP: _l("follow-up"),
    PhaseKind.EVALUATION: _l("evaluation"),
}


class PhaseAction(StrEnum):
    """What residents may do while a phase is current."""

    SUBMIT_OBSERVATION = "submit_observation"  # constat, question, témoignage
    SUBMIT_PROPOSAL = "submit_proposal"
    SUPPORT = "support"
    COMMENT = "comment"
    HOLD_ASSEMBLY = "hold_assembly"
    VOTE = "vote"


PHASE_ACTION_LABELS = {
    PhaseAction.SUBMIT_OBSERVATION: _l("share observations, questions and testimonies"),
    PhaseAction.SUBMIT_PROPOSAL: _l("submit proposals"),
    PhaseAction.SUPPORT: _l("support proposals"),
    PhaseAction.COMMENT: _l("comment"),
    PhaseAction.HOLD_ASSEMBLY: _l("take part in assemblies"),
    PhaseAction.VOTE: _l("vote in polls"),
}

# DOMAIN.md, "Phases and what they open". Phases not listed open nothing: residents read.
PHASE_ACTIONS: dict[PhaseKind, frozenset[PhaseAction]] = {
    PhaseKind.INFORMATION: frozenset(),
    PhaseKind.DIAGNOSIS: frozenset({PhaseAction.SUBMIT_OBSERVATION, PhaseAction.COMMENT}),
    PhaseKind.SUBMISSION: frozenset({
        PhaseAction.SUBMIT_OBSERVATION, PhaseAction.SUBMIT_PROPOSAL, PhaseAction.SUPPORT, PhaseAction.COMMENT,
    }),
    PhaseKind.DELIBERATION: frozenset({PhaseAction.COMMENT, PhaseAction.HOLD_ASSEMBLY}),
    PhaseKind.REVIEW: frozenset(),
    PhaseKind.VOTE: frozenset({PhaseAction.VOTE, PhaseAction.HOLD_ASSEMBLY}),
    PhaseKind.SYNTHESIS: frozenset(),
    PhaseKind.FEEDBACK: frozenset(),
    PhaseKind.DECISION: frozenset(),
    PhaseKind.FOLLOW_UP: frozenset({PhaseAction.HOLD_ASSEMBLY}),
    PhaseKind.EVALUATION: frozenset({PhaseAction.COMMENT, PhaseAction.HOLD_ASSEMBLY}),
}


consultation_areas = Table(
    "consultation_areas",
    Base.metadata,
    Column("consultation_id", ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("priority_areas.id", ondelete="CASCADE"), primary_key=True),
)

consultation_priorities = Table(
    "consultation_priorities",
    Base.metadata,
    Column("consultation_id", ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True),
    Column("priority_id", ForeignKey("priorities.id", ondelete="CASCADE"), primary_key=True),
)


class Consultation(Base):
    __tablename__ = "consultations"
    __table_args__ = (CheckConstraint("report_threshold >= 1", name="report_threshold_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("city_contracts.id", ondelete="SET NULL"),
                                                    index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Markdown, rendered with deliberation.core.text.render_markdown.
    description: Mapped[str] = mapped_column(Text, default="")
    # An unpublished consultation is seen only by admins while they prepare it.
    is_published: Mapped[bool] = mapped_column(Boolean, default=True)
    # Moderation: an item is hidden pending moderation once this many people reported it; with
    # pre-moderation, new proposals wait for a moderator before anyone else sees them.
    report_threshold: Mapped[int] = mapped_column(default=3, server_default="3")
    premoderation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    contract: Mapped[CityContract | None] = relationship()
    areas: Mapped[list[PriorityArea]] = relationship(secondary=consultation_areas, order_by=PriorityArea.name)
    priorities: Mapped[list[Priority]] = relationship(secondary=consultation_priorities,
                                                      order_by=Priority.position)
    phases: Mapped[list[Phase]] = relationship(back_populates="consultation", order_by="Phase.starts_at",
                                               cascade="all, delete-orphan", lazy="selectin")

    def phase_at(self, moment: datetime) -> Phase | None:
        for phase in self.phases:
            if phase.starts_at <= moment < phase.ends_at:
                return phase
        return None

    @property
    def current_phase(self) -> Phase | None:
        return self.phase_at(clock.now())

    @property
    def is_open(self) -> bool:
        """Published and inside one of its phases."""
        return self.is_published and self.current_phase is not None

    def opens(self, action: PhaseAction) -> bool:
        phase = self.current_phase
        return self.is_published and phase is not None and action in phase.actions


class Phase(Base):
    __tablename__ = "phases"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PhaseKind] = mapped_column(enum_column(PhaseKind))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation] = relationship(back_populates="phases")

    @property
    def actions(self) -> frozenset[PhaseAction]:
        return PHASE_ACTIONS[self.kind]

    @property
    def label(self) -> str:
        return str(PHASE_KIND_LABELS[self.kind])
