"""The link's status (``fias_links``), written by the ``zongji fias`` process, read by the admin
page; and the alert when the link has been down too long (a live-feed ``alert`` and an audit
entry, once per outage)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from zongji.services import audit, live_feed
from zongji.services.fias import outbox, postings
from zongji.services.local_time import iso
from zongji.settings import Settings
from zongji.store.fias_models import FiasLink
from zongji.store.models import utcnow

LINK_NAME = "pms"
WATCH_JOB = "fias.watch"


def link_row(session: Session, *, lock: bool = False) -> FiasLink:
    """The link's row, made on first use (insert-or-ignore: two transactions making it at once
    keep one row, and neither fails)."""
    pg = session.get_bind().dialect.name == "postgresql"
    stmt = select(FiasLink).where(FiasLink.name == LINK_NAME)
    if lock and pg:
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None:
        insert = pg_insert if pg else sqlite_insert
        session.execute(insert(FiasLink).values(name=LINK_NAME, state="down", mode="client", updated_at=utcnow())
                        .on_conflict_do_nothing(index_elements=["name"]))
        row = session.scalar(stmt.execution_options(populate_existing=True))
    return row


def _publish(session: Session, row: FiasLink, tz: ZoneInfo) -> None:
    live_feed.publish(session, "fias_link", row.id, status_out(row, tz))


def connecting(session: Session, *, mode: str, peer: str, now: dt.datetime, settings: Settings) -> None:
    row = link_row(session, lock=True)
    row.mode, row.peer = mode, peer
    if row.state == "up" or row.down_since is None:
        row.down_since = now
    row.state = "connecting"


def up(session: Session, *, now: dt.datetime, settings: Settings) -> None:
    row = link_row(session, lock=True)
    was = row.state
    row.state, row.up_since, row.down_since, row.last_error = "up", now, None, None
    if row.alerted_at is not None:
        audit.record(session, actor="fias", action="link_up", entity="fias_link", entity_id=row.id)
    row.alerted_at = None
    if was != "up":
        _publish(session, row, settings.tz)


def down(session: Session, *, error: str | None, now: dt.datetime, settings: Settings) -> None:
    row = link_row(session, lock=True)
    if row.state == "up" or row.down_since is None:
        row.down_since = now
    row.state = "down"
    row.last_error = (error or "")[:2000] or row.last_error
    _publish(session, row, settings.tz)


def traffic(session: Session, *, received: dt.datetime | None = None, sent: dt.datetime | None = None) -> None:
    row = link_row(session)
    if received is not None:
        row.last_received_at = received
    if sent is not None:
        row.last_sent_at = sent


def check_alert(session: Session, *, now: dt.datetime, settings: Settings) -> bool:
    """Raise the down alert once per outage when the link has been down for
    ``fias_alert_after_seconds``; True if it was raised now."""
    row = link_row(session, lock=True)
    if row.state == "up" or row.down_since is None or row.alerted_at is not None:
        return False
    if (now - row.down_since).total_seconds() < settings.fias_alert_after_seconds:
        return False
    row.alerted_at = now
    audit.record(session, actor="fias", action="link_down_alert", entity="fias_link", entity_id=row.id,
                 detail={"down_since": row.down_since.isoformat(), "error": row.last_error})
    since = row.down_since.astimezone(settings.tz).strftime("%H:%M")
    live_feed.publish(session, "alert", f"fias-{row.id}", {
        "kind": "fias_link_down", "open": True, "down_since": iso(row.down_since, settings.tz),
        "error": row.last_error,
        # the switchboard console shows it as a toast (static/switchboard.js)
        "message": {"zh": f"PMS 接口自 {since} 起断开：入住、退房和叫醒暂不同步",
                    "en": f"The PMS link is down since {since}: check-ins, check-outs and wake-ups are not synchronised"}})
    _publish(session, row, settings.tz)
    return True


def watch(session: Session, *, now: dt.datetime, settings: Settings) -> str | None:
    """The worker's check that the link process is alive (``fias.watch``): a link recorded as up
    that heard nothing for twice ``fias_dead_seconds`` (the process was killed, the machine
    stopped) is recorded down; the down alert is raised whoever should have raised it. Returns
    the state, or None when no link was ever run."""
    row = session.scalar(select(FiasLink).where(FiasLink.name == LINK_NAME))
    if row is None:
        return None
    heard = row.last_received_at or row.up_since
    if row.state == "up" and heard is not None and (now - heard).total_seconds() > 2 * settings.fias_dead_seconds:
        row.state, row.down_since = "down", heard
        row.last_error = "nothing heard from the link process (zongji fias) since " + heard.isoformat()
        _publish(session, row, settings.tz)
    check_alert(session, now=now, settings=settings)
    return row.state


def status_out(row: FiasLink, tz: ZoneInfo) -> dict[str, Any]:
    return {"state": row.state, "mode": row.mode, "peer": row.peer, "up_since": iso(row.up_since, tz),
            "down_since": iso(row.down_since, tz), "last_received_at": iso(row.last_received_at, tz),
            "last_sent_at": iso(row.last_sent_at, tz), "last_error": row.last_error,
            "resync_started_at": iso(row.resync_started_at, tz), "resync_done_at": iso(row.resync_done_at, tz),
            "alerted": row.alerted_at is not None}


def status(session: Session, settings: Settings) -> dict[str, Any]:
    """The status view: the link and the outbox (records waiting for the PMS)."""
    row = session.scalar(select(FiasLink).where(FiasLink.name == LINK_NAME))
    out = status_out(row, settings.tz) if row is not None else {
        "state": "never", "mode": settings.fias_mode, "peer": None, "up_since": None, "down_since": None,
        "last_received_at": None, "last_sent_at": None, "last_error": None, "resync_started_at": None,
        "resync_done_at": None, "alerted": False}
    counts = outbox.counts(session)
    out["outbox"] = {"pending": counts["pending"], "sent": counts["sent"],
                     "oldest_pending": iso(counts["oldest_pending"], settings.tz)}
    out["postings"] = postings.counts(session)
    return out


def note_error(session: Session, error: str) -> None:
    """A record the PMS sent was refused (logged; the link goes on)."""
    row = link_row(session)
    row.last_error = error[:2000]
