"""merge and block: a merge decision names the proposal kept (moderation_decisions.into_id); decisions may be
about an account (target_type user, actions block and unblock); an account may be blocked, with the
moderator's justification shown to its holder.

Revision ID: a1b2c3d4e5f6
Revises: f5b2d0e3c8a1
Create Date: 2026-11-26 05:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "a1b2c3d4e5f6"
down_revision = "f5b2d0e3c8a1"
branch_labels = None
depends_on = None

OLD_TARGETS = ("proposal", "comment", "question")
NEW_TARGETS = (*OLD_TARGETS, "user")
OLD_ACTIONS = ("hide", "restore", "dismiss", "merge")
NEW_ACTIONS = (*OLD_ACTIONS, "block", "unblock")


def _in(column: str, values) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


def _set_checks(batch_op, targets, actions):
    # The VARCHAR enums' CHECK constraints (deliberation.core.db.enum_column), named by the naming convention.
    batch_op.drop_constraint(op.f("ck_moderation_decisions_reporttargettype"), type_="check")
    batch_op.drop_constraint(op.f("ck_moderation_decisions_moderationaction"), type_="check")
    batch_op.create_check_constraint(op.f("ck_moderation_decisions_reporttargettype"), _in("target_type", targets))
    batch_op.create_check_constraint(op.f("ck_moderation_decisions_moderationaction"), _in("action", actions))


def upgrade():
    with op.batch_alter_table('moderation_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_moderation_decisions_into_id_proposals'), 'proposals',
                                    ['into_id'], ['id'], ondelete='SET NULL')
        _set_checks(batch_op, NEW_TARGETS, NEW_ACTIONS)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('block_reason', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('blocked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_blocked_by_id_users'), 'users', ['blocked_by_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_blocked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('blocked_by_id')
        batch_op.drop_column('block_reason')
        batch_op.drop_column('blocked_at')

    op.execute("DELETE FROM moderation_decisions WHERE target_type = 'user' OR action IN ('block', 'unblock')")
    with op.batch_alter_table('moderation_decisions', schema=None) as batch_op:
        _set_checks(batch_op, OLD_TARGETS, OLD_ACTIONS)
        batch_op.drop_constraint(batch_op.f('fk_moderation_decisions_into_id_proposals'), type_='foreignkey')
        batch_op.drop_column('into_id')
