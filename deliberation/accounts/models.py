"""People, their roles (possibly scoped to a consultation), their server-side sessions and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberation.core import clock
from deliberation.core.db import Base, enum_column


class UserRole(StrEnum):
    RESIDENT = "resident"
    MEDIATOR = "mediator"
    FACILITATOR = "facilitator"
    MODERATOR = "moderator"
    OFFICIAL = "official"
    ADMIN = "admin"


ROLE_LABELS = {
    UserRole.RESIDENT: _l("resident"),
    UserRole.MEDIATOR: _l("mediator"),
    UserRole.FACILITATOR: _l("facilitator"),
    UserRole.MODERATOR: _l("moderator"),
    UserRole.OFFICIAL: _l("elected official"),
    UserRole.ADMIN: _l("administrator"),
}

class EmailFrequency(StrEnum):
    """How a person gets their notifications by e-mail: each at once, gathered in a digest, or none."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


EMAIL_FREQUENCY_LABELS = {
    EmailFrequency.IMMEDIATELY: _l("each notification at once"),
    EmailFrequency.DAILY: _l("a daily digest"),
    EmailFrequency.WEEKLY: _l("a weekly digest"),
    EmailFrequency.NEVER: _l("no e-mail"),
}

DELETED_USER_LABEL = _l("deleted participant")
BLOCK_REASON_MAX_LENGTH = 1000


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased; NULL once the account is deleted. Never shown to other people.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(60))
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    email_confirmed_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # Blocked by moderation: the person can sign in, read, download their data and delete their account, but
    # not post; `block_reason` (the moderator's justification) is shown to them on their account page.
    blocked_at: Mapped[datetime | None]
    block_reason: Mapped[str | None] = mapped_column(String(BLOCK_REASON_MAX_LENGTH))
    blocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    email_frequency: Mapped[EmailFrequency] = mapped_column(
        enum_column(EmailFrequency), default=EmailFrequency.IMMEDIATELY, server_default="immediately")

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="RoleAssignment.user_id",
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login: a deleted account cannot sign in
        return not self.is_deleted

    @property
    def public_name(self) -> str:
        return str(DELETED_USER_LABEL) if self.is_deleted or not self.display_name else self.display_name

    def has_role(self, role: UserRole, consultation_id: int | None = None) -> bool:
        """Global roles count everywhere; a scoped role only in its consultation. Admins hold every role."""
        for assignment in self.roles:
            if assignment.role == UserRole.ADMIN and assignment.consultation_id is None:
                return True
            if assignment.role != role:
                continue
            if assignment.consultation_id is None or assignment.consultation_id == consultation_id:
                return True
        return False

    def has_role_anywhere(self, role: UserRole) -> bool:
        return any(a.role in (role, UserRole.ADMIN) for a in self.roles)

    @property
    def is_admin(self) -> bool:
        return any(a.role == UserRole.ADMIN and a.consultation_id is None for a in self.roles)


class RoleAssignment(Base):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "consultation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[UserRole] = mapped_column(enum_column(UserRole, name="user_role"))
    # NULL: the role holds in every consultation.
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])


class UserSession(Base):
    """A signed-in browser. The cookie holds a random key whose hash is here: revoke the row, the cookie
    dies."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(default=clock.now)
    revoked_at: Mapped[datetime | None]


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token: tokens are long random strings, so a slow hash adds nothing but latency.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
