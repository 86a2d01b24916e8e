"""intake queue, SMS parts, Open311 clients; work orders' channel a closed set (issue 15)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 16:27:51

A work order's ``channel`` was free text; it becomes one of phone, sms, email, web, open311, app,
letter, walk-in. Values written before are mapped to the closest (``wechat`` → app, ``visit`` →
walk-in, ``电话`` → phone …); anything unknown was typed while taking a call: phone.
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.base


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('open311_clients',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('api_key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('revoked_at', zongji.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_open311_clients_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_clients')),
    sa.UniqueConstraint('api_key_hash', name=op.f('uq_open311_clients_api_key_hash'))
    )
    op.create_table('intake_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('sender', sa.String(length=200), nullable=False),
    sa.Column('sender_digits', sa.String(length=32), nullable=True),
    sa.Column('to_address', sa.String(length=200), nullable=True),
    sa.Column('client_address', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('external_id', sa.String(length=120), nullable=True),
    sa.Column('token', sa.String(length=40), nullable=True),
    sa.Column('received_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_response_due_at', zongji.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_responded_at', zongji.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('in_reply_to_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('knowledge_article_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('client_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('meta', sa.JSON(), nullable=True),
    sa.Column('sent_at', zongji.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['open311_clients.id'], name=op.f('fk_intake_messages_client_id_open311_clients')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_intake_messages_handled_by_id_users')),
    sa.ForeignKeyConstraint(['in_reply_to_id'], ['intake_messages.id'], name=op.f('fk_intake_messages_in_reply_to_id_intake_messages')),
    sa.ForeignKeyConstraint(['knowledge_article_id'], ['kb_articles.id'], name=op.f('fk_intake_messages_knowledge_article_id_kb_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_intake_messages_order_id_work_orders'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_messages')),
    sa.UniqueConstraint('channel', 'external_id', name='uq_intake_messages_channel_external_id'),
    sa.UniqueConstraint('token', name=op.f('uq_intake_messages_token'))
    )
    with op.batch_alter_table('intake_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_messages_client_address'), ['client_address'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_messages_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_messages_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_messages_sender_digits'), ['sender_digits'], unique=False)
        batch_op.create_index('ix_intake_messages_state_received', ['state', 'received_at'], unique=False)

    op.create_table('intake_mailboxes',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('last_uid', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('polled_at', zongji.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_intake_mailboxes'))
    )
    op.create_table('sms_parts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('external_id', sa.String(length=120), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('to_address', sa.String(length=200), nullable=True),
    sa.Column('received_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['intake_messages.id'], name=op.f('fk_sms_parts_message_id_intake_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_parts')),
    sa.UniqueConstraint('external_id', name=op.f('uq_sms_parts_external_id'))
    )
    with op.batch_alter_table('sms_parts', schema=None) as batch_op:
        batch_op.create_index('ix_sms_parts_sender_reference', ['sender', 'reference'], unique=False)

    _closed_channel_set()


CHANNELS = ("phone", "sms", "email", "web", "open311", "app", "letter", "walk-in")
# The mapping of zongji.domain.intake.channels.from_legacy as it was when this ran.
LEGACY = {
    "tel": "phone", "telephone": "phone", "call": "phone", "电话": "phone", "来电": "phone", "热线": "phone",
    "短信": "sms", "text": "sms", "e-mail": "email", "mail": "email", "邮件": "email", "电子邮件": "email",
    "website": "web", "网站": "web", "网页": "web", "web chat": "web",
    "wechat": "app", "微信": "app", "小程序": "app", "移动应用": "app",
    "来信": "letter", "信件": "letter", "fax": "letter",
    "walk_in": "walk-in", "walkin": "walk-in", "visit": "walk-in", "来访": "walk-in", "走访": "walk-in",
}


def _closed_channel_set() -> None:
    bind = op.get_bind()
    values = [r[0] for r in bind.execute(sa.text("SELECT DISTINCT channel FROM work_orders"))]
    for value in values:
        if value in CHANNELS:
            continue
        key = (value or "").strip().lower()
        new = key if key in CHANNELS else LEGACY.get(key, "phone")
        if value is None:
            bind.execute(sa.text("UPDATE work_orders SET channel = :new WHERE channel IS NULL"), {"new": new})
        else:
            bind.execute(sa.text("UPDATE work_orders SET channel = :new WHERE channel = :old"),
                         {"new": new, "old": value})


def downgrade() -> None:
    with op.batch_alter_table('sms_parts', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_parts_sender_reference')

    op.drop_table('sms_parts')
    with op.batch_alter_table('intake_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_messages_state_received')
        batch_op.drop_index(batch_op.f('ix_intake_messages_sender_digits'))
        batch_op.drop_index(batch_op.f('ix_intake_messages_order_id'))
        batch_op.drop_index(batch_op.f('ix_intake_messages_client_id'))
        batch_op.drop_index(batch_op.f('ix_intake_messages_client_address'))

    op.drop_table('intake_messages')
    op.drop_table('open311_clients')
    op.drop_table('intake_mailboxes')
