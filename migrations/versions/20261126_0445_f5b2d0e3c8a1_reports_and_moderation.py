"""reports and moderation: reports (one per person and item), public moderation decisions, and per consultation
the report threshold that hides an item pending moderation and the pre-moderation switch.

Revision ID: f5b2d0e3c8a1
Revises: e4a1c9d2b7f0
Create Date: 2026-11-26 04:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = "f5b2d0e3c8a1"
down_revision = "e4a1c9d2b7f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('moderation_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.Enum('proposal', 'comment', 'question', name='reporttargettype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Enum('hide', 'restore', 'dismiss', 'merge', name='moderationaction', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('public_note', sa.String(length=500), nullable=True),
    sa.Column('charter_rule', sa.String(length=120), nullable=True),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('previous_state', sa.String(length=32), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_moderation_decisions_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_moderation_decisions_moderator_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_decisions'))
    )
    with op.batch_alter_table('moderation_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_decisions_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_decisions_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index('ix_moderation_decisions_target', ['target_type', 'target_id', 'decided_at'], unique=False)

    op.create_table('moderation_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.Enum('proposal', 'comment', 'question', name='reporttargettype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Enum('spam', 'offensive', 'personal_data', 'off_topic', 'duplicate', 'electoral_propaganda', 'illegal', name='reportreason', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('open', 'dismissed', 'acted', name='reportstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_moderation_reports_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_moderation_reports_reporter_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_reports')),
    sa.UniqueConstraint('target_type', 'target_id', 'reporter_id', name=op.f('uq_moderation_reports_target_type_target_id_reporter_id'))
    )
    with op.batch_alter_table('moderation_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_reports_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_reports_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index('ix_moderation_reports_status_target', ['status', 'target_type', 'target_id'], unique=False)

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_threshold', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('premoderation', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(op.f('ck_consultations_report_threshold_positive'), 'report_threshold >= 1')



def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_consultations_report_threshold_positive'), type_='check')
        batch_op.drop_column('premoderation')
        batch_op.drop_column('report_threshold')

    with op.batch_alter_table('moderation_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_reports_status_target')
        batch_op.drop_index(batch_op.f('ix_moderation_reports_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_reports_consultation_id'))

    op.drop_table('moderation_reports')
    with op.batch_alter_table('moderation_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_decisions_target')
        batch_op.drop_index(batch_op.f('ix_moderation_decisions_decided_at'))
        batch_op.drop_index(batch_op.f('ix_moderation_decisions_consultation_id'))

    op.drop_table('moderation_decisions')
