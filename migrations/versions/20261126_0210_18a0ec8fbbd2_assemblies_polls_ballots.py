"""assemblies polls ballots: live assemblies, their agenda, polls and options, participants, ballots and the
hash-chained ballot log.

Adds the tables assemblies, assembly_agenda_items, agenda_item_proposals, assembly_polls,
assembly_poll_options, assembly_participants (a hashed device token, never a user id), assembly_ballots (one
per participant and poll: UNIQUE (poll_id, participant_id); no timestamp, no identity) and
assembly_ballot_log (the published chain: unique position, ballot id and receipt per poll).

Revision ID: 18a0ec8fbbd2
Revises: b6874db78c1e
Create Date: 2026-11-26 02:10:33.593270
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '18a0ec8fbbd2'
down_revision = 'b6874db78c1e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assemblies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('mode', sa.Enum('in_person', 'online', 'hybrid', name='assemblymode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('state', sa.Enum('scheduled', 'live', 'ended', name='assemblystate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('join_code', sa.String(length=6), nullable=False),
    sa.Column('requires_sign_in', sa.Boolean(), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=True),
    sa.Column('peak_attendance', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('peak_attendance >= 0', name=op.f('ck_assemblies_peak_attendance_positive')),
    sa.CheckConstraint('quorum IS NULL OR quorum >= 1', name=op.f('ck_assemblies_quorum_positive')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_assemblies_consultation_id_consultations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assemblies_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assemblies')),
    sa.UniqueConstraint('join_code', name=op.f('uq_assemblies_join_code'))
    )
    op.create_index(op.f('ix_assemblies_consultation_id'), 'assemblies', ['consultation_id'], unique=False)

    op.create_table('assembly_agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['assembly_id'], ['assemblies.id'], name=op.f('fk_assembly_agenda_items_assembly_id_assemblies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_agenda_items')),
    sa.UniqueConstraint('assembly_id', 'position', name=op.f('uq_assembly_agenda_items_assembly_id_position'))
    )
    op.create_table('assembly_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.Integer(), nullable=False),
    sa.Column('device_hash', sa.String(length=64), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assembly_id'], ['assemblies.id'], name=op.f('fk_assembly_participants_assembly_id_assemblies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_participants')),
    sa.UniqueConstraint('assembly_id', 'device_hash', name=op.f('uq_assembly_participants_assembly_id_device_hash'))
    )
    op.create_table('agenda_item_proposals',
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['assembly_agenda_items.id'], name=op.f('fk_agenda_item_proposals_agenda_item_id_assembly_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_agenda_item_proposals_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agenda_item_id', 'proposal_id', name=op.f('pk_agenda_item_proposals'))
    )
    op.create_table('assembly_polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.String(length=280), nullable=False),
    sa.Column('method', sa.Enum('yes_no', 'single', 'multiple', 'majority_judgment', 'ranking', name='pollmethod', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.Column('results_visibility', sa.Enum('live', 'after_vote', 'after_close', name='resultsvisibility', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('totals_only', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', name='pollstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('log_head', sa.String(length=64), nullable=False),
    sa.Column('log_length', sa.Integer(), nullable=False),
    sa.Column('ballot_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('ballot_count >= 0', name=op.f('ck_assembly_polls_ballot_count_positive')),
    sa.CheckConstraint('log_length >= 0', name=op.f('ck_assembly_polls_log_length_positive')),
    sa.CheckConstraint('max_choices IS NULL OR max_choices >= 1', name=op.f('ck_assembly_polls_max_choices_positive')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['assembly_agenda_items.id'], name=op.f('fk_assembly_polls_agenda_item_id_assembly_agenda_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assembly_id'], ['assemblies.id'], name=op.f('fk_assembly_polls_assembly_id_assemblies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_polls'))
    )
    op.create_index(op.f('ix_assembly_polls_assembly_id'), 'assembly_polls', ['assembly_id'], unique=False)

    op.create_table('assembly_ballot_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.String(length=36), nullable=False),
    sa.Column('previous', sa.String(length=64), nullable=False),
    sa.Column('receipt', sa.String(length=64), nullable=False),
    sa.Column('replaces', sa.String(length=64), nullable=True),
    sa.Column('choice', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['assembly_polls.id'], name=op.f('fk_assembly_ballot_log_poll_id_assembly_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_ballot_log')),
    sa.UniqueConstraint('poll_id', 'ballot_id', name=op.f('uq_assembly_ballot_log_poll_id_ballot_id')),
    sa.UniqueConstraint('poll_id', 'position', name=op.f('uq_assembly_ballot_log_poll_id_position')),
    sa.UniqueConstraint('poll_id', 'receipt', name=op.f('uq_assembly_ballot_log_poll_id_receipt'))
    )
    op.create_table('assembly_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.String(length=36), nullable=False),
    sa.Column('choice', sa.JSON(), nullable=False),
    sa.Column('receipt', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['assembly_participants.id'], name=op.f('fk_assembly_ballots_participant_id_assembly_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['assembly_polls.id'], name=op.f('fk_assembly_ballots_poll_id_assembly_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_ballots')),
    sa.UniqueConstraint('poll_id', 'participant_id', name=op.f('uq_assembly_ballots_poll_id_participant_id'))
    )
    op.create_index(op.f('ix_assembly_ballots_participant_id'), 'assembly_ballots', ['participant_id'], unique=False)

    op.create_table('assembly_poll_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=140), nullable=False),
    sa.Column('key', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['poll_id'], ['assembly_polls.id'], name=op.f('fk_assembly_poll_options_poll_id_assembly_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_poll_options')),
    sa.UniqueConstraint('poll_id', 'key', name=op.f('uq_assembly_poll_options_poll_id_key')),
    sa.UniqueConstraint('poll_id', 'position', name=op.f('uq_assembly_poll_options_poll_id_position'))
    )


def downgrade():
    # Dependants first; dropping a table drops its indexes.
    for table in ('assembly_poll_options', 'assembly_ballots', 'assembly_ballot_log', 'assembly_polls',
                  'agenda_item_proposals', 'assembly_participants', 'assembly_agenda_items', 'assemblies'):
        op.drop_table(table)
