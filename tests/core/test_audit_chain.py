"""The audit log is one hash chain: anyone can recompute it from the documented serialisation, and an edited,
deleted or reordered entry (changed with raw SQL, past the ORM's append-only guard) shows at its position."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from deliberation.core import audit, clock
from deliberation.core.audit import AuditEntry
from deliberation.core.audit_cli import audit_group
from deliberation.extensions import db
from tests.factories import UserFactory


def recompute(entry: dict, previous: str) -> str:
    """The hash as the module docstring describes it, written again without the module's code."""
    payload = {"previous": previous, "position": entry["position"], "at": entry["at"], "actor_id": entry["actor_id"],
               "action": entry["action"], "target_type": entry["target_type"], "target_id": entry["target_id"],
               "details": entry["details"]}
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def append(count: int, **details) -> list[AuditEntry]:
    actor = UserFactory(roles=["admin"])
    entries = [audit.record(actor, f"test_action_{index}", actor, note="élu·e", index=index, **details)
               for index in range(count)]
    db.session.flush()
    return entries


def test_entries_chain_in_order_and_the_hashes_can_be_recomputed(db_session):
    start, previous = audit.chain_head()
    with clock.frozen_at(datetime(2026, 11, 26, 9, 30, tzinfo=UTC)):
        entries = append(3, when=datetime(2026, 12, 1, tzinfo=UTC))

    assert [entry.position for entry in entries] == [start, start + 1, start + 2]
    db_session.expire_all()
    exported = [audit.export_row(row) for row in audit.iter_chain()][start:]
    assert exported[0]["at"] == "2026-11-26T09:30:00.000000Z"
    for entry in exported:
        assert entry["previous_hash"] == previous
        assert entry["entry_hash"] == recompute(entry, previous)
        previous = entry["entry_hash"]
    assert audit.chain_head() == (start + 3, previous)
    assert audit.verify_audit_chain() is None


@pytest.mark.parametrize("change", [
    "UPDATE audit_entries SET details = '{\"index\": 1, \"note\": \"autre\"}' WHERE id = :id",
    "UPDATE audit_entries SET action = 'role_granted' WHERE id = :id",
    "UPDATE audit_entries SET actor_id = NULL WHERE id = :id",
])
def test_an_edited_entry_breaks_the_chain_at_its_position(db_session, change):
    entries = append(3)
    db_session.execute(text(change), {"id": entries[1].id})

    assert audit.verify_audit_chain() == entries[1].position
    assert audit.find_chain_break().reason == "entry_hash"


def test_a_deleted_entry_breaks_the_chain_at_its_position(db_session):
    entries = append(3)
    db_session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entries[1].id})

    assert audit.verify_audit_chain() == entries[1].position


def test_entries_deleted_at_the_end_show_through_the_head(db_session):
    entries = append(3)
    db_session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entries[2].id})

    assert audit.verify_audit_chain() == entries[2].position
    assert audit.find_chain_break().reason == "head"


def test_swapped_entries_break_the_chain_at_the_first_of_them(db_session):
    entries = append(3)
    first, second = entries[0].position, entries[1].position
    swap = "UPDATE audit_entries SET position = :to WHERE id = :id"
    db_session.execute(text(swap), {"to": -1, "id": entries[0].id})
    db_session.execute(text(swap), {"to": first, "id": entries[1].id})
    db_session.execute(text(swap), {"to": second, "id": entries[0].id})

    assert audit.verify_audit_chain() == first


def test_the_orm_refuses_to_change_an_entry(db_session):
    [entry] = append(1)
    entry.action = "something_else"
    with pytest.raises(audit.AuditImmutable):
        db_session.flush()


def test_the_cli_exits_0_when_intact_and_1_naming_the_first_broken_entry(app, db_session):
    entries = append(2)
    runner = app.test_cli_runner()

    intact = runner.invoke(audit_group, ["verify"])
    assert intact.exit_code == 0, intact.output
    assert "intact" in intact.output

    db_session.execute(text("UPDATE audit_entries SET action = 'forged' WHERE id = :id"), {"id": entries[0].id})
    broken = runner.invoke(audit_group, ["verify"])
    assert broken.exit_code == 1
    assert f"position {entries[0].position}" in broken.output and '"action":"forged"' in broken.output


def test_the_export_columns_are_the_hashed_fields_plus_the_hashes():
    assert set(audit.EXPORT_COLUMNS) == {"position", "at", "actor_id", "action", "target_type", "target_id",
                                         "details", "previous_hash", "entry_hash"}


def test_an_entry_recorded_without_a_head_row_starts_the_chain(db_session):
    """A database built without the migrations (no head row yet) still chains from GENESIS."""
    if audit.chain_head()[0] != 0 or db_session.scalar(select(AuditEntry.id).limit(1)) is not None:
        pytest.skip("the test database already holds entries")
    db_session.execute(text("DELETE FROM audit_chain_head"))
    [entry] = append(1)
    assert (entry.position, entry.previous_hash) == (0, audit.GENESIS)
    assert audit.verify_audit_chain() is None
