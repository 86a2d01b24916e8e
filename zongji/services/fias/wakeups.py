"""Wake-ups over FIAS (issue 16 point 3, R-H9): WR / WC from the PMS become Zongji wake-ups
booked and cancelled through the wake-up service; when a wake-up the PMS knows of ends, a WA
with its result is queued (:func:`report_answers`); with ``fias_send_wakeups`` the wake-ups
booked at the switchboard are told to the PMS as WR (and WC when cancelled).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.fias import wakeups as rules
from zongji.domain.room_numbers import normalize_room
from zongji.errors import ZongjiError
from zongji.services import wakeups
from zongji.services.fias import outbox
from zongji.settings import Settings
from zongji.store.fias_models import FiasWakeup
from zongji.store.wakeup_models import Wakeup

ACTOR = "pms:fias"
OPEN = ("due", "calling", "answered", "retrying", "snoozed")
ENDED = ("done", "escalated", "cancelled")


def _open_wakeup(session: Session, room: str, wake_at: dt.datetime) -> Wakeup | None:
    return session.scalar(select(Wakeup).where(
        Wakeup.room_number == normalize_room(room), Wakeup.wake_at == wake_at,
        Wakeup.status.in_(OPEN)).order_by(Wakeup.id).limit(1))


def request(session: Session, order: rules.WakeupOrder, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    """WR: book the wake-up (once: a WR sent again finds it). A request Zongji cannot book
    (unknown room, a time past, the guest leaves before) is answered at once with WA ``UR``."""
    existing = _open_wakeup(session, order.room, order.wake_at)
    if existing is not None:
        if session.scalar(select(FiasWakeup.id).where(FiasWakeup.wakeup_id == existing.id)) is None:
            session.add(FiasWakeup(wakeup_id=existing.id, origin="pms", room_number=existing.room_number,
                                   wake_at=existing.wake_at))
        return {"wakeup_id": existing.id, "created": False}
    # The PMS is the guest's word: a switchboard wake-up a few minutes apart does not stop it.
    booking = wakeups.Booking(room=order.room, wake_at=order.wake_at, note="PMS", confirm_duplicate=True)
    try:
        wakeups.preview(session, booking, now=now, settings=settings)
    except ZongjiError as exc:
        outbox.enqueue(session, rules.wakeup_answer(order.room, order.wake_at, rules.UNPROCESSABLE, settings.tz))
        return {"refused": str(exc), "field": exc.field}
    rows = wakeups.book(session, booking, actor=ACTOR, now=now, settings=settings, channel="pms")
    w = rows[0]
    session.add(FiasWakeup(wakeup_id=w.id, origin="pms", room_number=w.room_number, wake_at=w.wake_at))
    session.flush()
    return {"wakeup_id": w.id, "created": True}


def clear(session: Session, order: rules.WakeupOrder, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    """WC: cancel the room's wake-up at that time; nothing to cancel is not an error (a WC sent
    twice)."""
    w = _open_wakeup(session, order.room, order.wake_at)
    if w is None:
        return {"cancelled": None}
    link = session.scalar(select(FiasWakeup).where(FiasWakeup.wakeup_id == w.id))
    if link is not None:
        link.answer, link.answered_at = "--", now  # the PMS cleared it: no WA
    wakeups.cancel(session, w.id, actor=ACTOR, now=now, settings=settings)
    return {"cancelled": w.id}


def _last_outcome(w: Wakeup) -> str | None:
    return w.attempts[-1].outcome if w.attempts else None


def report_answers(session: Session, now: dt.datetime, settings: Settings) -> int:
    """Queue the WA of every wake-up the PMS knows of that has ended since (answered, no
    response, busy, cancelled); booked-at-the-switchboard ones the PMS was told of get a WC when
    cancelled instead. Returns how many records were queued."""
    queued = 0
    rows = session.execute(select(FiasWakeup, Wakeup).join(Wakeup, Wakeup.id == FiasWakeup.wakeup_id).where(
        FiasWakeup.answer.is_(None), Wakeup.status.in_(ENDED)).order_by(FiasWakeup.id)).all()
    for link, w in rows:
        status = rules.answer_status(w.status, w.reached_by, _last_outcome(w))
        if status is None:
            continue
        if link.origin == "zongji" and status == rules.CANCELLED:
            outbox.enqueue(session, rules.wakeup_request(link.room_number, link.wake_at, settings.tz, clear=True))
        else:
            outbox.enqueue(session, rules.wakeup_answer(link.room_number, link.wake_at, status, settings.tz))
        link.answer, link.answered_at = status, now
        queued += 1
    if settings.fias_send_wakeups:
        known = select(FiasWakeup.wakeup_id)
        for w in session.scalars(select(Wakeup).where(Wakeup.channel != "pms", Wakeup.status.in_(OPEN),
                                                      Wakeup.id.not_in(known)).order_by(Wakeup.id)):
            outbox.enqueue(session, rules.wakeup_request(w.room_number, w.wake_at, settings.tz))
            session.add(FiasWakeup(wakeup_id=w.id, origin="zongji", room_number=w.room_number, wake_at=w.wake_at))
            queued += 1
    session.flush()
    return queued
