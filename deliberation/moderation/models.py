"""Reports (signalements) on contributions, and the moderators' decisions (public, in the moderation log)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from deliberation.core import clock
from deliberation.core.db import Base, enum_column

DETAILS_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 500
CHARTER_RULE_MAX_LENGTH = 120


class ReportTargetType(StrEnum):
    PROPOSAL = "proposal"
    COMMENT = "comment"
    QUESTION = "question"
    #: A person's account (their profile): reported like an item, decided on by dismissing or blocking.
    USER = "user"


TARGET_TYPE_LABELS = {
    ReportTargetType.PROPOSAL: _l("Contribution"),
    ReportTargetType.COMMENT: _l("Comment"),
    ReportTargetType.QUESTION: _l("Question from the room"),
    ReportTargetType.USER: _l("Participant's account"),
}

#: A facilitator hiding a question from the console without choosing a reason (the socket events and forms
#: sent none before the console offered a choice).
CONSOLE_DEFAULT_REASON = "off_topic"


class ReportReason(StrEnum):
    """DOMAIN.md, "Moderation reasons"."""

    SPAM = "spam"
    OFFENSIVE = "offensive"
    PERSONAL_DATA = "personal_data"
    OFF_TOPIC = "off_topic"
    DUPLICATE = "duplicate"
    ELECTORAL_PROPAGANDA = "electoral_propaganda"
    ILLEGAL = "illegal"


REPORT_REASON_LABELS = {
    ReportReason.SPAM: _l("spam"),
    ReportReason.OFFENSIVE: _l("offensive or defamatory"),
    ReportReason.PERSONAL_DATA: _l("personal data of a third party"),
    ReportReason.OFF_TOPIC: _l("off topic"),
    ReportReason.DUPLICATE: _l("duplicate"),
    ReportReason.ELECTORAL_PROPAGANDA: _l("electoral propaganda"),
    ReportReason.ILLEGAL: _l("illegal content"),
}

#: The reason of a decision taken by the platform itself once enough people reported an item.
AUTOMATIC_REASON = "automatic"
AUTOMATIC_REASON_LABEL = _l("pending moderation, after several reports")


def reason_label(reason: str | None):
    if reason == AUTOMATIC_REASON:
        return AUTOMATIC_REASON_LABEL
    try:
        return REPORT_REASON_LABELS[ReportReason(reason)]
    except ValueError:
        return ""


class ReportStatus(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    ACTED = "acted"


class ModerationAction(StrEnum):
    HIDE = "hide"
    RESTORE = "restore"
    DISMISS = "dismiss"
    MERGE = "merge"
    BLOCK = "block"
    UNBLOCK = "unblock"


MODERATION_ACTION_LABELS = {
    ModerationAction.HIDE: _l("hidden"),
    ModerationAction.RESTORE: _l("restored"),
    ModerationAction.DISMISS: _l("reports dismissed"),
    ModerationAction.MERGE: _l("merged"),
    ModerationAction.BLOCK: _l("account blocked"),
    ModerationAction.UNBLOCK: _l("account unblocked"),
}


class DecisionTargetType(StrEnum):
    """What a decision is about: a reportable item, or an account (block, unblock). Same values as
    ReportTargetType plus `user`; the database constraint keeps the name `reporttargettype`."""

    PROPOSAL = "proposal"
    COMMENT = "comment"
    QUESTION = "question"
    USER = "user"


#: What the public log says of a decision about an account: never who.
BLOCKED_ACCOUNT_LABEL = _l("an account")


class Report(Base):
    """Someone flags an item, once per item (the database refuses a second report). The reporter is never
    shown to anyone but the database: not in the queue, the log, the API or an export."""

    __tablename__ = "moderation_reports"
    __table_args__ = (
        UniqueConstraint("target_type", "target_id", "reporter_id"),
        Index("ix_moderation_reports_status_target", "status", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[ReportTargetType] = mapped_column(enum_column(ReportTargetType))
    target_id: Mapped[int]
    # The consultation the item belongs to (None for a question of an assembly outside any consultation).
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"),
                                                        index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason))
    details: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), default=ReportStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    closed_at: Mapped[datetime | None]


class ModerationDecision(Base):
    """A public decision on an item: what was done, when and why. `moderator_id` None: taken by the platform
    (automatic hiding after the consultation's threshold of reports). `previous_state` is what a restore
    puts back."""

    __tablename__ = "moderation_decisions"
    __table_args__ = (Index("ix_moderation_decisions_target", "target_type", "target_id", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[DecisionTargetType] = mapped_column(enum_column(DecisionTargetType,
                                                                        name="reporttargettype"))
    target_id: Mapped[int]
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"),
                                                        index=True)
    action: Mapped[ModerationAction] = mapped_column(enum_column(ModerationAction))
    # A ReportReason value, or AUTOMATIC_REASON.
    reason: Mapped[str | None] = mapped_column(String(32))
    public_note: Mapped[str | None] = mapped_column(String(NOTE_MAX_LENGTH))
    charter_rule: Mapped[str | None] = mapped_column(String(CHARTER_RULE_MAX_LENGTH))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    automatic: Mapped[bool] = mapped_column(default=False)
    previous_state: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    # merge: the proposal the duplicate was merged into (public, shown in the log).
    into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))

    @property
    def reason_label(self):
        return reason_label(self.reason)
