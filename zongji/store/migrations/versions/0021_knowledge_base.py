"""the knowledge base: articles, versions, proposals, synonyms and their full-text index (issue 11)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 14:15:00
"""

import sqlalchemy as sa
from alembic import op

from zongji.store.knowledge_models import ARTICLE_SEARCH
from zongji.store.models import BigId, UTCDateTime

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kb_articles',
        sa.Column('id', BigId, nullable=False),
        sa.Column('key', sa.String(length=80), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('keywords', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=80), nullable=False),
        sa.Column('organisation_id', BigId, nullable=True),
        sa.Column('line_codes', sa.String(length=400), nullable=False),
        sa.Column('unit_id', BigId, nullable=True),
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('next_review', sa.Date(), nullable=True),
        sa.Column('review_notified_for', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title_terms', sa.Text(), nullable=False),
        sa.Column('search_terms', sa.Text(), nullable=False),
        sa.Column('search_length', sa.Float(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['departments.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index('ix_kb_articles_organisation_id', 'kb_articles', ['organisation_id'])
    op.create_index('ix_kb_articles_unit_id', 'kb_articles', ['unit_id'])
    op.create_index('ix_kb_articles_next_review', 'kb_articles', ['next_review'])
    op.create_index('ix_kb_articles_status', 'kb_articles', ['status'])
    op.create_index('ix_kb_articles_updated_at', 'kb_articles', ['updated_at'])
    op.create_table(
        'kb_synonym_groups',
        sa.Column('id', BigId, nullable=False),
        sa.Column('words', sa.Text(), nullable=False),
        sa.Column('updated_by', sa.String(length=120), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'kb_proposals',
        sa.Column('id', BigId, nullable=False),
        sa.Column('article_id', BigId, nullable=True),
        sa.Column('unit_id', BigId, nullable=True),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('proposed_by_id', BigId, nullable=True),
        sa.Column('proposed_by', sa.String(length=120), nullable=False),
        sa.Column('proposed_at', UTCDateTime(), nullable=False),
        sa.Column('decided_by', sa.String(length=120), nullable=True),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['departments.id']),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_kb_proposals_article_id', 'kb_proposals', ['article_id'])
    op.create_index('ix_kb_proposals_unit_id', 'kb_proposals', ['unit_id'])
    op.create_index('ix_kb_proposals_state', 'kb_proposals', ['state'])
    op.create_table(
        'kb_article_versions',
        sa.Column('id', BigId, nullable=False),
        sa.Column('article_id', BigId, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('changed_by_id', BigId, nullable=True),
        sa.Column('changed_by', sa.String(length=120), nullable=False),
        sa.Column('changed_at', UTCDateTime(), nullable=False),
        sa.Column('proposal_id', BigId, nullable=True),
        sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id']),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['proposal_id'], ['kb_proposals.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_kb_article_versions_article_id', 'kb_article_versions', ['article_id'])
    bind = op.get_bind()
    for sql in ARTICLE_SEARCH.statements(bind.dialect.name):
        bind.exec_driver_sql(sql)


def downgrade() -> None:
    bind = op.get_bind()
    for sql in ARTICLE_SEARCH.statements(bind.dialect.name, drop=True):
        bind.exec_driver_sql(sql)
    op.drop_table('kb_article_versions')
    op.drop_table('kb_proposals')
    op.drop_table('kb_synonym_groups')
    op.drop_table('kb_articles')
