"""Server-side sessions and API tokens: what Flask-Login loads the current user from.

The session cookie holds a random key; only its SHA-256 is stored (UserSession). Revoking the row (logout,
password change, account deletion) makes a copied cookie worthless. API calls carry `Authorization: Bearer`.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Flask, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from deliberation.accounts.models import ApiToken, User, UserSession
from deliberation.core import clock
from deliberation.extensions import db, login_manager

SESSION_KEY = "sid"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_from_session)
    login_manager.request_loader(_load_from_bearer_token)


def _load_from_session(user_id: str) -> User | None:
    key = session.get(SESSION_KEY)
    if not key:
        return None
    row = db.session.scalar(
        select(UserSession).where(UserSession.key_hash == digest(key), UserSession.revoked_at.is_(None))
    )
    if row is None or str(row.user_id) != user_id:
        return None
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def _load_from_bearer_token(request) -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return user_for_token(token.strip())


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now():
        return None
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def open_session(user: User) -> str:
    """Record a new signed-in browser for `user`; returns the key to put in the cookie session."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, key_hash=digest(key), created_at=clock.now(),
                               last_seen_at=clock.now()))
    return key


def revoke_session(key: str | None) -> None:
    if key:
        db.session.execute(
            update(UserSession).where(UserSession.key_hash == digest(key), UserSession.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )


def revoke_all_sessions(user: User, *, except_key: str | None = None) -> None:
    statement = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if except_key:
        statement = statement.where(UserSession.key_hash != digest(except_key))
    db.session.execute(statement.values(revoked_at=clock.now()))


def revoke_all_tokens(user: User) -> None:
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
