"""Live assemblies: the assembly, its agenda, polls and their options, participants, ballots and the ballot log.

Anonymity is structural: a participant is a hashed device token (never a user id), a ballot is the current
choice of a participant on a poll (no timestamp, no address), and the published log holds only what
`receipts.make_entry` puts in it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String, Table, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberation.assemblies.receipts import GENESIS
from deliberation.assemblies.voting import YES_NO_OPTIONS, PollMethod
from deliberation.core import clock
from deliberation.core.db import Base, enum_column
from deliberation.proposals.models import Proposal

TITLE_MAX_LENGTH = 200
QUESTION_MAX_LENGTH = 280
OPTION_LABEL_MAX_LENGTH = 140
JOIN_CODE_LENGTH = 6
HASH_LENGTH = 64  # SHA-256, hex
BALLOT_ID_LENGTH = 36  # a UUID, canonical lower-case text


class AssemblyMode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class AssemblyState(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


class ResultsVisibility(StrEnum):
    LIVE = "live"
    AFTER_VOTE = "after_vote"
    AFTER_CLOSE = "after_close"


class PollState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class QuestionModeration(StrEnum):
    POST = "post"  # visible at once; the facilitators hide afterwards
    PRE = "pre"  # pending until a facilitator accepts it


class QuestionState(StrEnum):
    PENDING = "pending"
    VISIBLE = "visible"
    HIDDEN = "hidden"
    ANSWERED = "answered"
    ON_SCREEN = "on_screen"


class SpeakerState(StrEnum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"
    WITHDRAWN = "withdrawn"


SPEAKER_NAME_MAX_LENGTH = 60
TIMER_LABEL_MAX_LENGTH = 80


ASSEMBLY_STATE_LABELS = {
    AssemblyState.SCHEDULED: _l("scheduled"),
    AssemblyState.LIVE: _l("in session"),
    AssemblyState.ENDED: _l("ended"),
}

# The three options of a yes_no poll: stable keys (the option ids of voting.py) and their labels.
YES_NO_LABELS = {"yes": _l("Yes"), "no": _l("No"), "abstain": _l("Abstain")}
assert tuple(YES_NO_LABELS) == YES_NO_OPTIONS


class Assembly(Base):
    """An assembly (assemblée, séance): people join it with a short code and vote on its polls."""

    __tablename__ = "assemblies"
    __table_args__ = (
        CheckConstraint("quorum IS NULL OR quorum >= 1", name="quorum_positive"),
        CheckConstraint("timer_duration_s IS NULL OR timer_duration_s >= 1", name="timer_duration_positive"),
        CheckConstraint("peak_attendance >= 0", name="peak_attendance_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"),
                                                        index=True)
    mode: Mapped[AssemblyMode] = mapped_column(enum_column(AssemblyMode), default=AssemblyMode.IN_PERSON)
    state: Mapped[AssemblyState] = mapped_column(enum_column(AssemblyState), default=AssemblyState.SCHEDULED)
    starts_at: Mapped[datetime | None]
    join_code: Mapped[str] = mapped_column(String(JOIN_CODE_LENGTH), unique=True)
    requires_sign_in: Mapped[bool] = mapped_column(default=False)
    quorum: Mapped[int | None]
    peak_attendance: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    question_moderation: Mapped[QuestionModeration] = mapped_column(
        enum_column(QuestionModeration), default=QuestionModeration.POST, server_default=QuestionModeration.POST.value)
    # The countdown: running while timer_ends_at is set, paused while timer_remaining_ms is set, off otherwise.
    timer_label: Mapped[str | None] = mapped_column(String(TIMER_LABEL_MAX_LENGTH))
    timer_duration_s: Mapped[int | None]
    timer_ends_at: Mapped[datetime | None]
    timer_remaining_ms: Mapped[int | None]

    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="assembly", order_by="AgendaItem.position", cascade="all, delete-orphan")
    polls: Mapped[list[Poll]] = relationship(back_populates="assembly", order_by="Poll.id",
                                             cascade="all, delete-orphan")


agenda_item_proposals = Table(
    "agenda_item_proposals",
    Base.metadata,
    Column("agenda_item_id", ForeignKey("assembly_agenda_items.id", ondelete="CASCADE"), primary_key=True),
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
)


class AgendaItem(Base):
    """One point of the agenda (ordre du jour), possibly about proposals of the consultation."""

    __tablename__ = "assembly_agenda_items"
    __table_args__ = (UniqueConstraint("assembly_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))

    assembly: Mapped[Assembly] = relationship(back_populates="agenda_items")
    proposals: Mapped[list[Proposal]] = relationship(secondary=agenda_item_proposals)


class Poll(Base):
    """A question put to the room. `log_head` is the last receipt of its ballot log (GENESIS when empty)."""

    __tablename__ = "assembly_polls"
    __table_args__ = (
        CheckConstraint("max_choices IS NULL OR max_choices >= 1", name="max_choices_positive"),
        CheckConstraint("ballot_count >= 0", name="ballot_count_positive"),
        CheckConstraint("log_length >= 0", name="log_length_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("assembly_agenda_items.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(String(QUESTION_MAX_LENGTH))
    method: Mapped[PollMethod] = mapped_column(enum_column(PollMethod))
    max_choices: Mapped[int | None]
    results_visibility: Mapped[ResultsVisibility] = mapped_column(enum_column(ResultsVisibility))
    totals_only: Mapped[bool] = mapped_column(default=False)
    state: Mapped[PollState] = mapped_column(enum_column(PollState), default=PollState.DRAFT)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    log_head: Mapped[str] = mapped_column(String(HASH_LENGTH), default=GENESIS)
    # Entries in the ballot log (every accepted ballot, changed ones included) and counted ballots (one per
    # participant who voted).
    log_length: Mapped[int] = mapped_column(default=0)
    ballot_count: Mapped[int] = mapped_column(default=0)

    assembly: Mapped[Assembly] = relationship(back_populates="polls")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    options: Mapped[list[PollOption]] = relationship(back_populates="poll", order_by="PollOption.position",
                                                     cascade="all, delete-orphan")

    @property
    def option_ids(self) -> tuple[int | str, ...]:
        """The ids choices name (voting.py): the keys yes/no/abstain for yes_no, the option row ids otherwise."""
        return tuple(option.public_id for option in self.options)


class PollOption(Base):
    __tablename__ = "assembly_poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"), UniqueConstraint("poll_id", "key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("assembly_polls.id", ondelete="CASCADE"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(OPTION_LABEL_MAX_LENGTH))
    # "yes", "no", "abstain" for the options of a yes_no poll; NULL otherwise.
    key: Mapped[str | None] = mapped_column(String(16))

    poll: Mapped[Poll] = relationship(back_populates="options")

    @property
    def public_id(self) -> int | str:
        return self.key if self.key is not None else self.id

    @property
    def display_label(self) -> str:
        return str(YES_NO_LABELS[self.key]) if self.key in YES_NO_LABELS else self.label


class Participant(Base):
    """Someone in the room, known only by the SHA-256 of a random device token (see services.participants)."""

    __tablename__ = "assembly_participants"
    __table_args__ = (UniqueConstraint("assembly_id", "device_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"))
    device_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    joined_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(default=clock.now)

    assembly: Mapped[Assembly] = relationship()


class Ballot(Base):
    """The current ballot of a participant on a poll: one per participant and poll, the last one counts."""

    __tablename__ = "assembly_ballots"
    __table_args__ = (UniqueConstraint("poll_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("assembly_polls.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("assembly_participants.id", ondelete="CASCADE"),
                                                index=True)
    ballot_id: Mapped[str] = mapped_column(String(BALLOT_ID_LENGTH))
    choice: Mapped[Any] = mapped_column(JSON)
    receipt: Mapped[str] = mapped_column(String(HASH_LENGTH))


class BallotLogEntry(Base):
    """One entry of a poll's published hash chain (receipts.make_entry), in order of `position` from 0."""

    __tablename__ = "assembly_ballot_log"
    __table_args__ = (
        UniqueConstraint("poll_id", "position"),
        UniqueConstraint("poll_id", "ballot_id"),
        UniqueConstraint("poll_id", "receipt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("assembly_polls.id", ondelete="CASCADE"))
    position: Mapped[int]
    ballot_id: Mapped[str] = mapped_column(String(BALLOT_ID_LENGTH))
    previous: Mapped[str] = mapped_column(String(HASH_LENGTH))
    receipt: Mapped[str] = mapped_column(String(HASH_LENGTH))
    replaces: Mapped[str | None] = mapped_column(String(HASH_LENGTH))
    choice: Mapped[Any] = mapped_column(JSON)

    def as_entry(self) -> dict:
        return {"receipt": self.receipt, "previous": self.previous, "ballot_id": self.ballot_id,
                "choice": self.choice, "replaces": self.replaces}


class PaperBallotBatch(Base):
    """The paper ballots of a poll counted in the room, entered by a facilitator: one batch per poll, replaced
    as a whole (each change audited). Kept apart from the online log, which stays verifiable on its own.

    `counts`: yes_no / single / multiple: {option public id (text): count}; majority_judgment: {option public id
    (text): [counts from Reject to Very good]}. `ballots`: the number of paper ballots.
    """

    __tablename__ = "assembly_paper_ballots"
    __table_args__ = (CheckConstraint("ballots >= 0", name="paper_ballots_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("assembly_polls.id", ondelete="CASCADE"), unique=True)
    counts: Mapped[Any] = mapped_column(JSON)
    ballots: Mapped[int]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(default=clock.now)

    poll: Mapped[Poll] = relationship()
    entered_by = relationship("User")


# Questions from the room, the speaker queue and the countdown timer (live/room_events.py).

class Question(Base):
    """A question from the room (question de la salle). Anonymous to everyone: `participant_id` only tells its
    author it is theirs. `upvote_count` is kept with each upvote (QuestionUpvote holds one row per participant)."""

    __tablename__ = "assembly_questions"
    __table_args__ = (
        CheckConstraint("upvote_count >= 0", name="upvote_count_positive"),
        Index("ix_assembly_questions_one_on_screen", "assembly_id", unique=True,
              sqlite_where=text("state = 'on_screen'"), postgresql_where=text("state = 'on_screen'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("assembly_participants.id", ondelete="CASCADE"),
                                                index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("assembly_agenda_items.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(QUESTION_MAX_LENGTH))
    state: Mapped[QuestionState] = mapped_column(enum_column(QuestionState))
    upvote_count: Mapped[int] = mapped_column(default=0)
    asked_at: Mapped[datetime] = mapped_column(default=clock.now)

    assembly: Mapped[Assembly] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()


class QuestionUpvote(Base):
    __tablename__ = "assembly_question_upvotes"
    __table_args__ = (UniqueConstraint("question_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("assembly_questions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("assembly_participants.id", ondelete="CASCADE"),
                                                index=True)


class SpeakerRequest(Base):
    """A raised hand. One open request (waiting or speaking) per participant, and one speaker at a time, both
    enforced by partial unique indexes. `number` is the participant's rank of arrival in the assembly: the
    "Participant·e n°X" shown when they give no name."""

    __tablename__ = "assembly_speaker_requests"
    __table_args__ = (
        Index("ix_assembly_speaker_requests_one_open", "assembly_id", "participant_id", unique=True,
              sqlite_where=text("state IN ('waiting', 'speaking')"),
              postgresql_where=text("state IN ('waiting', 'speaking')")),
        Index("ix_assembly_speaker_requests_one_speaking", "assembly_id", unique=True,
              sqlite_where=text("state = 'speaking'"), postgresql_where=text("state = 'speaking'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("assembly_participants.id", ondelete="CASCADE"))
    display_name: Mapped[str | None] = mapped_column(String(SPEAKER_NAME_MAX_LENGTH))
    number: Mapped[int]
    state: Mapped[SpeakerState] = mapped_column(enum_column(SpeakerState))
    requested_at: Mapped[datetime] = mapped_column(default=clock.now)
    called_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    assembly: Mapped[Assembly] = relationship()
