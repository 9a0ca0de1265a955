"""Audit entries appended by concurrent transactions that commit for real (SQLite and PostgreSQL) form one
unbroken chain; a transaction that read the head before another append cannot fork it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from deliberation.core import audit
from deliberation.core.audit import AuditEntry
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from tests.helpers import remove_committed

THREADS = 10


@pytest.fixture
def committed_chain(app):
    """The chain's length before the test; the entries the test committed are removed afterwards and the head
    put back (raw SQL: the log is append-only for the application)."""
    with app.app_context():
        start, last_hash = audit.chain_head()
        db.session.remove()
    yield start
    remove_committed(app, (start, last_hash), [])


def test_concurrent_appends_make_one_chain(app, committed_chain):
    barrier, errors = threading.Barrier(THREADS), []

    def append(index: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                with unit_of_work():
                    audit.record(None, "concurrent_test", target_type="test", target_id=index)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=append, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    with app.app_context():
        positions = db.session.scalars(select(AuditEntry.position).where(AuditEntry.action == "concurrent_test")
                                       .order_by(AuditEntry.position)).all()
        assert positions == list(range(committed_chain, committed_chain + THREADS))
        assert audit.chain_head()[0] == committed_chain + THREADS
        assert audit.verify_audit_chain() is None
        db.session.remove()


def test_a_transaction_that_read_an_old_head_does_not_fork_the_chain(app, committed_chain):
    with app.app_context():
        audit.chain_head()  # this transaction has read the head (on SQLite: holds a snapshot)…
        with app.app_context():  # …when another one appends and commits
            with unit_of_work():
                audit.record(None, "concurrent_test", target_type="test", target_id=1)
            db.session.remove()
        try:
            with unit_of_work():
                audit.record(None, "concurrent_test", target_type="test", target_id=2)
        except OperationalError as error:  # SQLite: the stale snapshot cannot write; PostgreSQL chains after
            assert db.engine.dialect.name == "sqlite" and "locked" in str(error.orig)
            expected = 1
        else:
            expected = 2
        db.session.remove()

    with app.app_context():
        assert audit.chain_head()[0] == committed_chain + expected
        assert audit.verify_audit_chain() is None
        db.session.remove()
