"""paper ballots: the paper ballots of a poll counted in the room, one batch per poll entered by a facilitator.

Adds the table assembly_paper_ballots (UNIQUE poll_id; counts as JSON, the number of paper ballots, who entered
them and when). The online ballot log is unchanged and stays verifiable on its own.

Revision ID: 30c9159ba298
Revises: 18a0ec8fbbd2
Create Date: 2026-11-26 02:35:28.957349
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '30c9159ba298'
down_revision = '18a0ec8fbbd2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assembly_paper_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('ballots', sa.Integer(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ballots >= 0', name=op.f('ck_assembly_paper_ballots_paper_ballots_positive')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_assembly_paper_ballots_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['poll_id'], ['assembly_polls.id'], name=op.f('fk_assembly_paper_ballots_poll_id_assembly_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_paper_ballots')),
    sa.UniqueConstraint('poll_id', name=op.f('uq_assembly_paper_ballots_poll_id'))
    )


def downgrade():
    op.drop_table('assembly_paper_ballots')
