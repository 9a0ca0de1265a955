"""Proposals (and observations, questions, testimonies), their supports and threaded comments."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberation.accounts.models import User
from deliberation.consultations.models import Consultation
from deliberation.core import clock
from deliberation.core.db import Base, enum_column
from deliberation.territories.models import Priority, PriorityArea

TITLE_MAX_LENGTH = 140
BODY_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 3000
ON_BEHALF_OF_MAX_LENGTH = 60
COMMENT_MAX_DEPTH = 2  # depth 0, 1, 2: three levels


class ProposalKind(StrEnum):
    PROPOSAL = "proposal"
    OBSERVATION = "observation"
    QUESTION = "question"
    TESTIMONY = "testimony"


PROPOSAL_KIND_LABELS = {
    ProposalKind.PROPOSAL: _l("proposal"),
    ProposalKind.OBSERVATION: _l("observation"),
    ProposalKind.QUESTION: _l("question"),
    ProposalKind.TESTIMONY: _l("testimony"),
}


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    PENDING_MODERATION = "pending_moderation"
    PUBLISHED = "published"
    UNDER_REVIEW = "under_review"
    ANSWERED = "answered"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"


PROPOSAL_STATUS_LABELS = {
    ProposalStatus.DRAFT: _l("draft"),
    ProposalStatus.PENDING_MODERATION: _l("awaiting moderation"),
    ProposalStatus.PUBLISHED: _l("published"),
    ProposalStatus.UNDER_REVIEW: _l("under review"),
    ProposalStatus.ANSWERED: _l("response published"),
    ProposalStatus.IN_PROGRESS: _l("being carried out"),
    ProposalStatus.DONE: _l("carried out"),
    ProposalStatus.HIDDEN: _l("hidden"),
    ProposalStatus.WITHDRAWN: _l("withdrawn by its author"),
    ProposalStatus.MERGED: _l("merged"),
}

# Statuses in which a proposal shows in public lists and can be found by search.
PUBLIC_STATUSES = frozenset({
    ProposalStatus.PUBLISHED, ProposalStatus.UNDER_REVIEW, ProposalStatus.ANSWERED,
    ProposalStatus.IN_PROGRESS, ProposalStatus.DONE,
})
SHUFFLE_KEY_MAX = 2**31 - 1


def new_shuffle_key() -> int:
    return secrets.randbelow(SHUFFLE_KEY_MAX + 1)


# The same set as SQL, for the partial indexes; queries list the statuses in this order too.
PUBLIC_STATUS_VALUES = tuple(sorted(status.value for status in PUBLIC_STATUSES))
PUBLIC_STATUSES_SQL = "status IN ({})".format(", ".join(f"'{value}'" for value in PUBLIC_STATUS_VALUES))


class Proposal(Base):
    """A contribution to a consultation: a proposal, an observation (constat), a question or a testimony.

    Submitted with and for a resident: a mediator who helps a resident without an account submits from their
    own account. `author_id` and `mediator_id` are then both the mediator (who answers for the text and may
    edit or withdraw it within the usual rules), and `on_behalf_of` holds the name the resident chose to
    appear under (first name or pseudonym). The proposal then reads "Submitted by <mediator> with and for
    <resident>". Submitting this way requires the resident's consent, recorded in the audit log
    (`proposal_submitted_for_resident`, with `resident_consent=True`).
    """

    __tablename__ = "proposals"
    __table_args__ = (
        # Public lists read these partial indexes in order (newest first, most supported first) and count
        # from them; other statuses (an author's own, moderation) go through the plain status index.
        Index("ix_proposals_public_recent", "consultation_id", "created_at", "id",
              postgresql_where=text(PUBLIC_STATUSES_SQL), sqlite_where=text(PUBLIC_STATUSES_SQL)),
        Index("ix_proposals_public_supports", "consultation_id", "supports_count", "id",
              postgresql_where=text(PUBLIC_STATUSES_SQL), sqlite_where=text(PUBLIC_STATUSES_SQL)),
        Index("ix_proposals_public_shuffle", "consultation_id", "shuffle_key", "id",
              postgresql_where=text(PUBLIC_STATUSES_SQL), sqlite_where=text(PUBLIC_STATUSES_SQL)),
        Index("ix_proposals_consultation_status", "consultation_id", "status"),
        CheckConstraint("supports_count >= 0", name="supports_count_positive"),
        CheckConstraint("comments_count >= 0", name="comments_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # Set when a mediator submitted with and for a resident; the proposal says so.
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The resident's first name or pseudonym when a mediator submitted with and for them.
    on_behalf_of: Mapped[str | None] = mapped_column(String(ON_BEHALF_OF_MAX_LENGTH))
    kind: Mapped[ProposalKind] = mapped_column(enum_column(ProposalKind), default=ProposalKind.PROPOSAL)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("priority_areas.id", ondelete="SET NULL"),
                                                index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id", ondelete="SET NULL"),
                                                    index=True)
    status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus),
                                                   default=ProposalStatus.PUBLISHED)
    # A random place drawn once, for the random sort (see proposals.services.search.list_proposals).
    shuffle_key: Mapped[int] = mapped_column(default=new_shuffle_key)
    supports_count: Mapped[int] = mapped_column(default=0)
    comments_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    published_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    mediator: Mapped[User | None] = relationship(foreign_keys=[mediator_id])
    area: Mapped[PriorityArea | None] = relationship()
    priority: Mapped[Priority | None] = relationship()

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class Support(Base):
    """A light endorsement, one per person, enforced by the database; not a vote."""

    __tablename__ = "proposal_supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class CommentStance(StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


COMMENT_STANCE_LABELS = {
    CommentStance.FOR: _l("for"),
    CommentStance.AGAINST: _l("against"),
    CommentStance.NEUTRAL: _l("neutral"),
}


class CommentStatus(StrEnum):
    PUBLISHED = "published"
    HIDDEN = "hidden"


class Comment(Base):
    __tablename__ = "proposal_comments"
    __table_args__ = (
        Index("ix_proposal_comments_proposal_created", "proposal_id", "created_at"),
        CheckConstraint(f"depth >= 0 AND depth <= {COMMENT_MAX_DEPTH}", name="depth_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_comments.id", ondelete="CASCADE"),
                                                  index=True)
    depth: Mapped[int] = mapped_column(default=0)
    stance: Mapped[CommentStance] = mapped_column(enum_column(CommentStance), default=CommentStance.NEUTRAL)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[CommentStatus] = mapped_column(enum_column(CommentStatus), default=CommentStatus.PUBLISHED)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    proposal: Mapped[Proposal] = relationship()
    author: Mapped[User] = relationship(lazy="joined")
