"""Signing a test client in (session cookie) or giving an API caller a bearer token, no login page."""

from __future__ import annotations

import secrets
from datetime import timedelta

from deliberation.accounts.models import ApiToken
from deliberation.accounts.sessions import SESSION_KEY, digest, open_session
from deliberation.core import clock
from deliberation.extensions import db


def commit_setup() -> None:
    """Make what the test set up survive a request that rolls back (errors roll back the whole session, and in
    tests a commit is only a savepoint of the outer transaction, undone after the test)."""
    db.session.commit()


def sign_in(client, user) -> None:
    key = open_session(user)
    commit_setup()
    with client.session_transaction() as session:
        session[SESSION_KEY] = key
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def bearer(user) -> dict[str, str]:
    token = secrets.token_urlsafe(24)
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=digest(token),
            created_at=clock.now(),
            expires_at=clock.now() + timedelta(days=1),
        )
    )
    commit_setup()
    return {"Authorization": f"Bearer {token}"}
