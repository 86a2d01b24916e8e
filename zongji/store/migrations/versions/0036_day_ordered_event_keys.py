"""CTI event keys ordered by day: "<UTC day>-<40 hex digits>" (issue 18, point 2)

A bare SHA-256 put each new event at a random place in the unique index of ``call_events``, an
index that stops fitting in memory as history grows; keys starting with their day keep a day's
inserts together (services/cti.py, ``event_key``). The keys already written are given the same
form — the day of ``occurred_at`` (the PBX's ``at`` when it sent one, else the time of receipt,
exactly what the new key uses) and the first 40 digits of the same digest — so an event replayed
after the upgrade is still found to be a duplicate.

Downgrade leaves the keys as they are: the digits cut off cannot be recovered (an older version
would then not recognise a replay of an event received before the downgrade).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05 14:30:00
"""

from alembic import op


revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        day = "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYYMMDD')"
    else:  # SQLite keeps UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'
        day = "strftime('%Y%m%d', occurred_at)"
    op.execute(f"UPDATE call_events SET event_key = {day} || '-' || substr(event_key, 1, 40) "
               "WHERE length(event_key) = 64")


def downgrade() -> None:
    pass
