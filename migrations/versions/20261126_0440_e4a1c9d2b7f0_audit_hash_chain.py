"""audit hash chain: audit entries chained by SHA-256, and the chain head.

Adds to audit_entries `position` (UNIQUE, 0, 1, 2…), `previous_hash` and `entry_hash`, and the one-row table
audit_chain_head (number of entries, last hash). Existing entries are chained in id order here, with the
serialisation documented in deliberation/core/audit.py (copied below so that this revision never changes).

Revision ID: e4a1c9d2b7f0
Revises: bed0571715dc
Create Date: 2026-11-26 04:40:00
"""
import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "e4a1c9d2b7f0"
down_revision = "bed0571715dc"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _entry_hash(previous_hash, position, at, actor_id, action, target_type, target_id, details):
    if at.tzinfo is None:  # SQLite gives back the stored UTC time without its zone
        at = at.replace(tzinfo=UTC)
    payload = {
        "previous": previous_hash,
        "position": position,
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": actor_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "details": details,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upgrade():
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))

    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )

    entries = sa.table(
        "audit_entries",
        sa.column("id", sa.Integer()), sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor_id", sa.Integer()), sa.column("action", sa.String()),
        sa.column("target_type", sa.String()), sa.column("target_id", sa.Integer()),
        sa.column("details", sa.JSON()), sa.column("position", sa.Integer()),
        sa.column("previous_hash", sa.String()), sa.column("entry_hash", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(entries.c.id, entries.c.at, entries.c.actor_id, entries.c.action,
                                        entries.c.target_type, entries.c.target_id, entries.c.details)
                              .order_by(entries.c.id)).all()
    previous = GENESIS
    for position, row in enumerate(rows):
        digest = _entry_hash(previous, position, row.at, row.actor_id, row.action, row.target_type, row.target_id,
                             row.details if row.details is not None else {})
        connection.execute(entries.update().where(entries.c.id == row.id)
                           .values(position=position, previous_hash=previous, entry_hash=digest))
        previous = digest
    op.bulk_insert(head, [{"id": 1, "length": len(rows), "last_hash": previous}])

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("position", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("previous_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("entry_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_entries_position"), ["position"])


def downgrade():
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_entries_position"), type_="unique")
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("previous_hash")
        batch_op.drop_column("position")
