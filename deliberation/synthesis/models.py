"""Syntheses (drafted from the contributions, reviewed, validated, sent to the elected officials), the
officials' responses, council decisions (délibérations) and the follow-up of commitments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberation.accounts.models import User
from deliberation.consultations.models import Consultation
from deliberation.core import clock
from deliberation.core.db import Base, enum_column
from deliberation.proposals.models import Proposal
from deliberation.territories.models import Priority

TITLE_MAX_LENGTH = 200
# A consultation of about 5,000 contributions drafts to ≈ 180,000 characters with every one cited; the form
# still fits within MAX_CONTENT_LENGTH (2 MB) once URL-encoded.
BODY_MAX_LENGTH = 300_000
SECTION_TITLE_MAX_LENGTH = 200
REVIEW_COMMENT_MAX_LENGTH = 3000
JUSTIFICATION_MAX_LENGTH = 5000
PARTNER_MAX_LENGTH = 200
OWNER_MAX_LENGTH = 200
UPDATE_MAX_LENGTH = 3000


class SynthesisStatus(StrEnum):
    """DOMAIN.md, "Synthesis status"."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    VALIDATED = "validated"
    SENT_TO_OFFICIALS = "sent_to_officials"
    ANSWERED = "answered"
    PUBLISHED = "published"


SYNTHESIS_STATUS_LABELS = {
    SynthesisStatus.DRAFT: _l("draft"),
    SynthesisStatus.IN_REVIEW: _l("in review"),
    SynthesisStatus.VALIDATED: _l("validated"),
    SynthesisStatus.SENT_TO_OFFICIALS: _l("sent to the elected officials"),
    SynthesisStatus.ANSWERED: _l("answer received"),
    SynthesisStatus.PUBLISHED: _l("published"),
}

# The text can change only while these hold; afterwards what officials answer is what was validated.
EDITABLE_STATUSES = frozenset({SynthesisStatus.DRAFT, SynthesisStatus.IN_REVIEW})


class Synthesis(Base):
    """A consultation's synthesis (or one assembly's): Markdown whose every statement cites its sources.

    `body` is the current text; every save also writes a SynthesisVersion, and rebuilds the sections and
    citations read from the text (see synthesis.citations).
    """

    __tablename__ = "syntheses"
    __table_args__ = (Index("ix_syntheses_consultation_status", "consultation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    # Set when the synthesis covers one assembly only.
    assembly_id: Mapped[int | None] = mapped_column(ForeignKey("assemblies.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    status: Mapped[SynthesisStatus] = mapped_column(enum_column(SynthesisStatus), default=SynthesisStatus.DRAFT)
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    status_changed_at: Mapped[datetime] = mapped_column(default=clock.now)
    published_at: Mapped[datetime | None]

    consultation: Mapped[Consultation] = relationship()
    created_by: Mapped[User | None] = relationship()
    sections: Mapped[list[SynthesisSection]] = relationship(
        back_populates="synthesis", order_by="SynthesisSection.position", cascade="all, delete-orphan")

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class SynthesisVersion(Base):
    """Every saved text, kept so that anyone reviewing can see what changed between two versions."""

    __tablename__ = "synthesis_versions"
    __table_args__ = (UniqueConstraint("synthesis_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    synthesis_id: Mapped[int] = mapped_column(ForeignKey("syntheses.id", ondelete="CASCADE"))
    number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    # "drafted" for the text the system wrote, "edited" for a person's save.
    origin: Mapped[str] = mapped_column(String(16), default="edited")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    author: Mapped[User | None] = relationship()


class SynthesisTransition(Base):
    """Each change of status, dated (the audit log holds the same facts, chained)."""

    __tablename__ = "synthesis_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    synthesis_id: Mapped[int] = mapped_column(ForeignKey("syntheses.id", ondelete="CASCADE"), index=True)
    # Named checks: two columns of the same enum in one table would otherwise share the constraint's name.
    from_status: Mapped[SynthesisStatus] = mapped_column(enum_column(SynthesisStatus, name="from_status"))
    to_status: Mapped[SynthesisStatus] = mapped_column(enum_column(SynthesisStatus, name="to_status"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SynthesisSection(Base):
    """A level-2 heading of the text and what follows it. Rebuilt at each save while the text is editable,
    keyed by its anchor so that a response to a section survives the rebuild of an unchanged heading."""

    __tablename__ = "synthesis_sections"
    __table_args__ = (UniqueConstraint("synthesis_id", "anchor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    synthesis_id: Mapped[int] = mapped_column(ForeignKey("syntheses.id", ondelete="CASCADE"))
    position: Mapped[int]
    anchor: Mapped[str] = mapped_column(String(SECTION_TITLE_MAX_LENGTH))
    title: Mapped[str] = mapped_column(String(SECTION_TITLE_MAX_LENGTH))

    synthesis: Mapped[Synthesis] = relationship(back_populates="sections")


class CitationTargetType(StrEnum):
    PROPOSAL = "proposal"
    COMMENT = "comment"
    POLL = "poll"


class SynthesisCitation(Base):
    """One link of the text to a source. `proposal_id` is the cited proposal, or the proposal of a cited
    comment, so that a proposal's trace finds every section that cites it or its debate."""

    __tablename__ = "synthesis_citations"
    __table_args__ = (
        UniqueConstraint("section_id", "target_type", "target_id"),
        Index("ix_synthesis_citations_proposal", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    synthesis_id: Mapped[int] = mapped_column(ForeignKey("syntheses.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("synthesis_sections.id", ondelete="CASCADE"))
    target_type: Mapped[CitationTargetType] = mapped_column(enum_column(CitationTargetType))
    target_id: Mapped[int]
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))

    section: Mapped[SynthesisSection | None] = relationship()


class SynthesisReviewComment(Base):
    """A remark of a moderator or facilitator while the synthesis is in review (not public)."""

    __tablename__ = "synthesis_review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    synthesis_id: Mapped[int] = mapped_column(ForeignKey("syntheses.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The version the remark was made on.
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    author: Mapped[User | None] = relationship()


class ResponseType(StrEnum):
    """DOMAIN.md, "Official response types"."""

    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    NOT_ACCEPTED = "not_accepted"
    UNDER_STUDY = "under_study"
    ALREADY_UNDER_WAY = "already_under_way"
    REFERRED = "referred"
    NOT_APPLICABLE = "not_applicable"


RESPONSE_TYPE_LABELS = {
    ResponseType.ACCEPTED: _l("accepted"),
    ResponseType.PARTIALLY_ACCEPTED: _l("partially accepted"),
    ResponseType.NOT_ACCEPTED: _l("not accepted"),
    ResponseType.UNDER_STUDY: _l("under study"),
    ResponseType.ALREADY_UNDER_WAY: _l("already under way"),
    ResponseType.REFERRED: _l("referred to the competent partner"),
    ResponseType.NOT_APPLICABLE: _l("not applicable"),
}

#: DOMAIN.md: "A justification is mandatory for not_accepted and partially_accepted."
JUSTIFIED_TYPES = frozenset({ResponseType.NOT_ACCEPTED, ResponseType.PARTIALLY_ACCEPTED})


class CouncilDecision(Base):
    """A délibération of a municipal or community council that a response refers to."""

    __tablename__ = "council_decisions"
    __table_args__ = (UniqueConstraint("consultation_id", "body", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(50))
    decided_on: Mapped[date]
    # The council that decided: "Conseil municipal de …", "Conseil communautaire".
    body: Mapped[str] = mapped_column(String(200))


class OfficialResponse(Base):
    """The elected officials' answer to one proposal, or to one section of a synthesis.

    Public from `publish_at` on (officials may answer now and publish at a set date), while its proposal is
    public; otherwise only the consultation's officials see it (response_policies.can_see_response).
    """

    __tablename__ = "official_responses"
    __table_args__ = (
        CheckConstraint("(proposal_id IS NULL) <> (section_id IS NULL)", name="one_target"),
        CheckConstraint(
            "type NOT IN ('not_accepted', 'partially_accepted') OR "
            "(justification IS NOT NULL AND justification <> '')", name="justified"),
        CheckConstraint("type <> 'referred' OR (referred_to IS NOT NULL AND referred_to <> '')",
                        name="referred_names_partner"),
        Index("ix_official_responses_publish_at", "publish_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("synthesis_sections.id", ondelete="CASCADE"),
                                                   unique=True)
    type: Mapped[ResponseType] = mapped_column(enum_column(ResponseType))
    justification: Mapped[str | None] = mapped_column(Text)
    justification_html: Mapped[str] = mapped_column(Text, default="")
    referred_to: Mapped[str | None] = mapped_column(String(PARTNER_MAX_LENGTH))
    council_decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("council_decisions.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    publish_at: Mapped[datetime] = mapped_column(default=clock.now)
    # When the response was made public (proposal status, notifications); NULL while publish_at is ahead.
    announced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    proposal: Mapped[Proposal | None] = relationship()
    section: Mapped[SynthesisSection | None] = relationship()
    council_decision: Mapped[CouncilDecision | None] = relationship()
    author: Mapped[User | None] = relationship()

    def is_public(self, now: datetime | None = None) -> bool:
        return self.publish_at <= (now or clock.now())


follow_up_proposals = Table(
    "follow_up_proposals",
    Base.metadata,
    Column("follow_up_id", ForeignKey("follow_ups.id", ondelete="CASCADE"), primary_key=True),
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class FollowUp(Base):
    """A commitment (engagement) taken in answer to proposals, with who carries it and how far it is."""

    __tablename__ = "follow_ups"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    # Who carries it: a service, a partner, an elected official's delegation (not an account).
    owner: Mapped[str] = mapped_column(String(OWNER_MAX_LENGTH))
    progress: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    consultation: Mapped[Consultation] = relationship()
    priority: Mapped[Priority | None] = relationship()
    proposals: Mapped[list[Proposal]] = relationship(secondary=follow_up_proposals)
    updates: Mapped[list[FollowUpUpdate]] = relationship(
        back_populates="follow_up", order_by="FollowUpUpdate.created_at", cascade="all, delete-orphan")


class FollowUpUpdate(Base):
    """A dated step of a commitment: what was done, and the progress since."""

    __tablename__ = "follow_up_updates"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_ups.id", ondelete="CASCADE"), index=True)
    # The date the step happened (it may be entered later); created_at is when it was written.
    happened_on: Mapped[date]
    progress: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    follow_up: Mapped[FollowUp] = relationship(back_populates="updates")
