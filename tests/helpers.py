"""Helpers shared by the tests of several modules: a signed-in test client (cookie session) or an API caller
(bearer token) without going through the login page, forms posted with their CSRF token, and actions run at the
same moment in threads, and rows they committed removed afterwards."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import bindparam, text

from deliberation.accounts.models import ApiToken
from deliberation.accounts.sessions import SESSION_KEY, digest, open_session
from deliberation.core import clock
from deliberation.core.transaction import retry_when_locked
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


def run_together(app, actions: list[Callable[[], object]]) -> list[object]:
    """Start every action at the same moment, each in its own thread, app context and committed unit of work
    (started again while SQLite says the database is locked, as production does). Returns, in order, what each
    action returned or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                outcomes[index] = retry_when_locked(action)
            except Exception as error:  # noqa: BLE001 - handed to the test
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an action did not finish within two minutes"
    return outcomes


def remove_committed(app, audit_head: tuple[int, str], statements: list[str], **params) -> None:
    """Undo what a test committed for real (threads only see committed rows): run `statements` (raw SQL, in
    order; `:users` expands a list), then drop the audit entries appended since `audit_head` (audit.chain_head()
    read before) and put the head back: the log is append-only for the application."""
    start, last_hash = audit_head
    with app.app_context():
        for statement in statements:
            query = text(statement)
            if ":users" in statement:
                query = query.bindparams(bindparam("users", expanding=True))
            db.session.execute(query, params)
        db.session.execute(text("DELETE FROM audit_entries WHERE position >= :start"), {"start": start})
        db.session.execute(text("UPDATE audit_chain_head SET length = :length, last_hash = :hash"),
                           {"length": start, "hash": last_hash})
        db.session.commit()
        db.session.remove()
