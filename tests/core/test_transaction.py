"""unit_of_work commits once, rolls back everything on error, and runs side effects only after the commit."""

import pytest
from sqlalchemy import func, select

from deliberation.core import audit
from deliberation.core.audit import AuditEntry, AuditImmutable
from deliberation.core.transaction import after_commit, unit_of_work
from deliberation.extensions import db
from tests.factories import UserFactory


def _audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


def test_side_effects_run_after_the_commit(db_session):
    seen = []
    with unit_of_work():
        audit.record(None, "test_action", target_type="thing", target_id=1)
        after_commit(lambda: seen.append(_audit_count()))
        assert seen == []
    assert seen == [1]


def test_an_error_rolls_back_and_drops_side_effects(db_session):
    seen = []
    with pytest.raises(RuntimeError), unit_of_work():
        audit.record(None, "test_action", target_type="thing", target_id=1)
        after_commit(lambda: seen.append("sent"))
        raise RuntimeError("boom")
    assert seen == []
    assert _audit_count() == 0


def test_nested_units_join_the_outer_one(db_session):
    seen = []
    with pytest.raises(RuntimeError), unit_of_work():
        with unit_of_work():
            audit.record(None, "inner", target_type="thing", target_id=1)
            after_commit(lambda: seen.append("inner"))
        raise RuntimeError("the outer unit fails after the inner one finished")
    assert seen == []
    assert _audit_count() == 0


def test_after_commit_outside_a_unit_of_work_is_a_bug(db_session):
    with pytest.raises(RuntimeError):
        after_commit(lambda: None)


def test_audit_entries_are_append_only(db_session):
    user = UserFactory()
    with unit_of_work():
        entry = audit.record(user, "role_granted", user, role="moderator")
    entry.action = "edited"
    with pytest.raises(AuditImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditImmutable):
        db.session.delete(db.session.get(AuditEntry, entry.id))
        db.session.flush()
