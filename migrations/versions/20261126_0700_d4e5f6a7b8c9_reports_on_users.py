"""reports on users: a report may be about a person's account (moderation_reports.target_type `user`); the
audit log page remembers the last entry it verified (audit_verified_checkpoint, one row) so that it only checks
what was appended since.

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-11-26 07:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "d4e5f6a7b8c9"
down_revision = "c3d4e5f6a7b8"
branch_labels = None
depends_on = None

OLD_TARGETS = ("proposal", "comment", "question")
NEW_TARGETS = (*OLD_TARGETS, "user")


def _in(column: str, values) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


def _set_target_check(batch_op, targets):
    # The VARCHAR enum's CHECK constraint (deliberation.core.db.enum_column), named by the naming convention.
    batch_op.drop_constraint(op.f("ck_moderation_reports_reporttargettype"), type_="check")
    batch_op.create_check_constraint(op.f("ck_moderation_reports_reporttargettype"), _in("target_type", targets))


def upgrade():
    with op.batch_alter_table("moderation_reports", schema=None) as batch_op:
        _set_target_check(batch_op, NEW_TARGETS)

    op.create_table(
        "audit_verified_checkpoint",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_verified_checkpoint_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_verified_checkpoint")),
    )


def downgrade():
    op.drop_table("audit_verified_checkpoint")

    # Reports on accounts have no place in the older schema.
    op.execute("DELETE FROM moderation_reports WHERE target_type = 'user'")
    with op.batch_alter_table("moderation_reports", schema=None) as batch_op:
        _set_target_check(batch_op, OLD_TARGETS)
