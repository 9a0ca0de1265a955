"""Helpers shared by the tests of several modules: a signed-in test client (cookie session) or an API caller
(bearer token) without going through the login page, and forms posted with their CSRF token."""

from __future__ import annotations

import secrets
from datetime import timedelta

from deliberation.accounts.models import ApiToken
from deliberation.accounts.sessions import SESSION_KEY, digest, open_session
from deliberation.core import clock
from deliberation.extensions import db
from tests.conftest import csrf_token_from


def commit_setup() -> None:
    """Make what the test set up survive a request that rolls back (errors roll back the whole session, and in
    tests a commit is only a savepoint of the outer transaction, undone after the test)."""
    db.session.commit()


def sign_in(client, user) -> None:
    """Sign `user` in on `client` as the login view does: a server-side session and Flask-Login's keys."""
    key = open_session(user)
    commit_setup()
    with client.session_transaction() as session:
        session[SESSION_KEY] = key
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def bearer(user) -> dict[str, str]:
    """Headers of an API caller holding a fresh token of `user`."""
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


def post_form(client, path: str, data: dict, *, token_from: str | None = None):
    """POST `data` to `path` as a browser would, with the CSRF token of the page that holds the form
    (`token_from`, by default `path` itself)."""
    commit_setup()
    token = csrf_token_from(client.get(token_from or path))
    return client.post(path, data={"csrf_token": token, **data})
