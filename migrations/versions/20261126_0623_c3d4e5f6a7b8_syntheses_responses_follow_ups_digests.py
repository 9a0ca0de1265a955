"""syntheses, their versions, transitions, sections, citations and review comments; council decisions and the
officials' responses (to a proposal or a section); follow-ups with their proposals and dated updates; e-mail
digests (users.email_frequency, notifications.in_digest).

Revision ID: c3d4e5f6a7b8
Revises: b2c3d4e5f6a7
Create Date: 2026-11-26 06:23:48.750655

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b8'
down_revision = 'b2c3d4e5f6a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('council_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('body', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_council_decisions_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_decisions')),
    sa.UniqueConstraint('consultation_id', 'body', 'number', name=op.f('uq_council_decisions_consultation_id_body_number'))
    )
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_follow_ups_progress_percent')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_follow_ups_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_follow_ups_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], name=op.f('fk_follow_ups_priority_id_priorities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('follow_up_proposals',
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_follow_up_proposals_follow_up_id_follow_ups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_follow_up_proposals_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('follow_up_id', 'proposal_id', name=op.f('pk_follow_up_proposals'))
    )
    with op.batch_alter_table('follow_up_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_proposals_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('follow_up_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_follow_up_updates_progress_percent')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_follow_up_updates_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_follow_up_updates_follow_up_id_follow_ups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_updates'))
    )
    with op.batch_alter_table('follow_up_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_updates_follow_up_id'), ['follow_up_id'], unique=False)

    op.create_table('syntheses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('draft', 'in_review', 'validated', 'sent_to_officials', 'answered', 'published', name='synthesisstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assembly_id'], ['assemblies.id'], name=op.f('fk_syntheses_assembly_id_assemblies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_syntheses_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_syntheses_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_syntheses'))
    )
    with op.batch_alter_table('syntheses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_syntheses_assembly_id'), ['assembly_id'], unique=False)
        batch_op.create_index('ix_syntheses_consultation_status', ['consultation_id', 'status'], unique=False)

    op.create_table('synthesis_review_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('synthesis_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_synthesis_review_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['synthesis_id'], ['syntheses.id'], name=op.f('fk_synthesis_review_comments_synthesis_id_syntheses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis_review_comments'))
    )
    with op.batch_alter_table('synthesis_review_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_synthesis_review_comments_synthesis_id'), ['synthesis_id'], unique=False)

    op.create_table('synthesis_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('synthesis_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('anchor', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['synthesis_id'], ['syntheses.id'], name=op.f('fk_synthesis_sections_synthesis_id_syntheses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis_sections')),
    sa.UniqueConstraint('synthesis_id', 'anchor', name=op.f('uq_synthesis_sections_synthesis_id_anchor'))
    )
    op.create_table('synthesis_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('synthesis_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('draft', 'in_review', 'validated', 'sent_to_officials', 'answered', 'published', name='from_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('to_status', sa.Enum('draft', 'in_review', 'validated', 'sent_to_officials', 'answered', 'published', name='to_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_synthesis_transitions_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['synthesis_id'], ['syntheses.id'], name=op.f('fk_synthesis_transitions_synthesis_id_syntheses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis_transitions'))
    )
    with op.batch_alter_table('synthesis_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_synthesis_transitions_synthesis_id'), ['synthesis_id'], unique=False)

    op.create_table('synthesis_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('synthesis_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_synthesis_versions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['synthesis_id'], ['syntheses.id'], name=op.f('fk_synthesis_versions_synthesis_id_syntheses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis_versions')),
    sa.UniqueConstraint('synthesis_id', 'number', name=op.f('uq_synthesis_versions_synthesis_id_number'))
    )
    op.create_table('official_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.Enum('accepted', 'partially_accepted', 'not_accepted', 'under_study', 'already_under_way', 'referred', 'not_applicable', name='responsetype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('justification_html', sa.Text(), nullable=False),
    sa.Column('referred_to', sa.String(length=200), nullable=True),
    sa.Column('council_decision_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('publish_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('announced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type <> 'referred' OR (referred_to IS NOT NULL AND referred_to <> '')", name=op.f('ck_official_responses_referred_names_partner')),
    sa.CheckConstraint("type NOT IN ('not_accepted', 'partially_accepted') OR (justification IS NOT NULL AND justification <> '')", name=op.f('ck_official_responses_justified')),
    sa.CheckConstraint('(proposal_id IS NULL) <> (section_id IS NULL)', name=op.f('ck_official_responses_one_target')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_official_responses_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['council_decision_id'], ['council_decisions.id'], name=op.f('fk_official_responses_council_decision_id_council_decisions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_official_responses_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['synthesis_sections.id'], name=op.f('fk_official_responses_section_id_synthesis_sections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_responses')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_official_responses_proposal_id')),
    sa.UniqueConstraint('section_id', name=op.f('uq_official_responses_section_id'))
    )
    with op.batch_alter_table('official_responses', schema=None) as batch_op:
        batch_op.create_index('ix_official_responses_publish_at', ['publish_at'], unique=False)

    op.create_table('synthesis_citations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('synthesis_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('target_type', sa.Enum('proposal', 'comment', 'poll', name='citationtargettype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_synthesis_citations_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['synthesis_sections.id'], name=op.f('fk_synthesis_citations_section_id_synthesis_sections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['synthesis_id'], ['syntheses.id'], name=op.f('fk_synthesis_citations_synthesis_id_syntheses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis_citations')),
    sa.UniqueConstraint('section_id', 'target_type', 'target_id', name=op.f('uq_synthesis_citations_section_id_target_type_target_id'))
    )
    with op.batch_alter_table('synthesis_citations', schema=None) as batch_op:
        batch_op.create_index('ix_synthesis_citations_proposal', ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_synthesis_citations_synthesis_id'), ['synthesis_id'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_digest', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_notifications_in_digest', ['in_digest', 'user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_frequency', sa.Enum('immediately', 'daily', 'weekly', 'never', name='emailfrequency', native_enum=False, create_constraint=True, length=32), server_default='immediately', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_emailfrequency'), type_='check')
        batch_op.drop_column('email_frequency')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_in_digest')
        batch_op.drop_column('in_digest')

    with op.batch_alter_table('synthesis_citations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synthesis_citations_synthesis_id'))
        batch_op.drop_index('ix_synthesis_citations_proposal')

    op.drop_table('synthesis_citations')
    with op.batch_alter_table('official_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_official_responses_publish_at')

    op.drop_table('official_responses')
    op.drop_table('synthesis_versions')
    with op.batch_alter_table('synthesis_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synthesis_transitions_synthesis_id'))

    op.drop_table('synthesis_transitions')
    op.drop_table('synthesis_sections')
    with op.batch_alter_table('synthesis_review_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synthesis_review_comments_synthesis_id'))

    op.drop_table('synthesis_review_comments')
    with op.batch_alter_table('syntheses', schema=None) as batch_op:
        batch_op.drop_index('ix_syntheses_consultation_status')
        batch_op.drop_index(batch_op.f('ix_syntheses_assembly_id'))

    op.drop_table('syntheses')
    with op.batch_alter_table('follow_up_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_updates_follow_up_id'))

    op.drop_table('follow_up_updates')
    with op.batch_alter_table('follow_up_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_proposals_proposal_id'))

    op.drop_table('follow_up_proposals')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_consultation_id'))

    op.drop_table('follow_ups')
    op.drop_table('council_decisions')
