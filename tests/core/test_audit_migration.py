"""The audit-chain migration chains the entries a deployed database already holds, in id order."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from deliberation import create_app
from deliberation.core import audit
from deliberation.extensions import db

BEFORE_CHAIN = "bed0571715dc"
CHAIN = "e4a1c9d2b7f0"


def test_the_migration_backfills_existing_entries(tmp_path):
    app = create_app({"ENV": "testing", "TESTING": True, "SERVER_NAME": "localhost",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'deployed.sqlite3'}"})
    with app.app_context():
        upgrade(revision=BEFORE_CHAIN)
        with db.engine.begin() as connection:
            for at, action, details in [("2026-11-26 04:00:00.000000", "poll_opened", '{"assembly_id": 3}'),
                                        ("2026-11-26 04:00:01.250000", "role_granted", '{"role": "modérateur"}'),
                                        ("2026-11-26 04:00:02.000000", "poll_closed", '{}')]:
                connection.execute(text("INSERT INTO audit_entries (at, actor_id, action, target_type, target_id, "
                                        "details) VALUES (:at, NULL, :action, 'polls', 7, :details)"),
                                   {"at": at, "action": action, "details": details})
        upgrade(revision=CHAIN)

        rows = [audit.export_row(row) for row in audit.iter_chain()]
        assert [(row["position"], row["action"]) for row in rows] == [
            (0, "poll_opened"), (1, "role_granted"), (2, "poll_closed")]
        assert rows[0]["previous_hash"] == audit.GENESIS and rows[1]["at"] == "2026-11-26T04:00:01.250000Z"
        assert audit.chain_head() == (3, rows[2]["entry_hash"])
        assert audit.verify_audit_chain() is None

        # Entries recorded afterwards continue the same chain.
        audit.record(None, "poll_opened", target_type="polls", target_id=8)
        db.session.commit()
        assert audit.chain_head()[0] == 4 and audit.verify_audit_chain() is None

        downgrade(revision=BEFORE_CHAIN)
        db.session.remove()
        db.engine.dispose()
