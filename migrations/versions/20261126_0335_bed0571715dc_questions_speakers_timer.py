"""questions speakers timer: questions from the room, the speaker queue and the countdown of live assemblies.

Adds assembly_questions (at most one on screen per assembly: a partial unique index), assembly_question_upvotes
(UNIQUE question, participant), assembly_speaker_requests (one open request per participant and one speaker at a
time: partial unique indexes), and on assemblies the question moderation mode (post by default) and the timer.

Revision ID: bed0571715dc
Revises: 30c9159ba298
Create Date: 2026-11-26 03:35:49.514753
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'bed0571715dc'
down_revision = '30c9159ba298'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assembly_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=280), nullable=False),
    sa.Column('state', sa.Enum('pending', 'visible', 'hidden', 'answered', 'on_screen', name='questionstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('upvote_count', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('upvote_count >= 0', name=op.f('ck_assembly_questions_upvote_count_positive')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['assembly_agenda_items.id'], name=op.f('fk_assembly_questions_agenda_item_id_assembly_agenda_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assembly_id'], ['assemblies.id'], name=op.f('fk_assembly_questions_assembly_id_assemblies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['assembly_participants.id'], name=op.f('fk_assembly_questions_participant_id_assembly_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_questions'))
    )
    with op.batch_alter_table('assembly_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assembly_questions_assembly_id'), ['assembly_id'], unique=False)
        batch_op.create_index('ix_assembly_questions_one_on_screen', ['assembly_id'], unique=True, sqlite_where=sa.text("state = 'on_screen'"), postgresql_where=sa.text("state = 'on_screen'"))
        batch_op.create_index(batch_op.f('ix_assembly_questions_participant_id'), ['participant_id'], unique=False)

    op.create_table('assembly_speaker_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=60), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('waiting', 'speaking', 'done', 'withdrawn', name='speakerstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assembly_id'], ['assemblies.id'], name=op.f('fk_assembly_speaker_requests_assembly_id_assemblies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['assembly_participants.id'], name=op.f('fk_assembly_speaker_requests_participant_id_assembly_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_speaker_requests'))
    )
    with op.batch_alter_table('assembly_speaker_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assembly_speaker_requests_assembly_id'), ['assembly_id'], unique=False)
        batch_op.create_index('ix_assembly_speaker_requests_one_open', ['assembly_id', 'participant_id'], unique=True, sqlite_where=sa.text("state IN ('waiting', 'speaking')"), postgresql_where=sa.text("state IN ('waiting', 'speaking')"))
        batch_op.create_index('ix_assembly_speaker_requests_one_speaking', ['assembly_id'], unique=True, sqlite_where=sa.text("state = 'speaking'"), postgresql_where=sa.text("state = 'speaking'"))

    op.create_table('assembly_question_upvotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['assembly_participants.id'], name=op.f('fk_assembly_question_upvotes_participant_id_assembly_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['assembly_questions.id'], name=op.f('fk_assembly_question_upvotes_question_id_assembly_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_question_upvotes')),
    sa.UniqueConstraint('question_id', 'participant_id', name=op.f('uq_assembly_question_upvotes_question_id_participant_id'))
    )
    with op.batch_alter_table('assembly_question_upvotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assembly_question_upvotes_participant_id'), ['participant_id'], unique=False)

    with op.batch_alter_table('assemblies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_moderation', sa.Enum('post', 'pre', name='questionmoderation', native_enum=False, create_constraint=True, length=32), server_default='post', nullable=False))
        batch_op.add_column(sa.Column('timer_label', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('timer_duration_s', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timer_ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('timer_remaining_ms', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_assemblies_timer_duration_positive'),
                                         'timer_duration_s IS NULL OR timer_duration_s >= 1')



def downgrade():
    with op.batch_alter_table('assemblies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assemblies_timer_duration_positive'), type_='check')
        batch_op.drop_constraint(op.f('ck_assemblies_questionmoderation'), type_='check')
        batch_op.drop_column('timer_remaining_ms')
        batch_op.drop_column('timer_ends_at')
        batch_op.drop_column('timer_duration_s')
        batch_op.drop_column('timer_label')
        batch_op.drop_column('question_moderation')

    with op.batch_alter_table('assembly_question_upvotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assembly_question_upvotes_participant_id'))

    op.drop_table('assembly_question_upvotes')
    with op.batch_alter_table('assembly_speaker_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_assembly_speaker_requests_one_speaking', sqlite_where=sa.text("state = 'speaking'"), postgresql_where=sa.text("state = 'speaking'"))
        batch_op.drop_index('ix_assembly_speaker_requests_one_open', sqlite_where=sa.text("state IN ('waiting', 'speaking')"), postgresql_where=sa.text("state IN ('waiting', 'speaking')"))
        batch_op.drop_index(batch_op.f('ix_assembly_speaker_requests_assembly_id'))

    op.drop_table('assembly_speaker_requests')
    with op.batch_alter_table('assembly_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assembly_questions_participant_id'))
        batch_op.drop_index('ix_assembly_questions_one_on_screen', sqlite_where=sa.text("state = 'on_screen'"), postgresql_where=sa.text("state = 'on_screen'"))
        batch_op.drop_index(batch_op.f('ix_assembly_questions_assembly_id'))

    op.drop_table('assembly_questions')
