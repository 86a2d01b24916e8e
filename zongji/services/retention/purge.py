"""One batch of one kind of record: delete or anonymise at most ``limit`` expired rows.

Each function returns a :class:`Batch`: the rows changed, the cursor to continue from (the last
id looked at, for kinds walked by id) and whether the kind is done for this run. Rows are walked
in id order, which follows time, so a walk stops at the first window of rows younger than the
cut-off instead of scanning the rest of a table of years; rows kept back (an event of a live call,
an open order) are looked at again the next day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from zongji.domain.retention import anonymise
from zongji.domain.work_orders.words import FINAL_STATUSES
from zongji.services.work_orders.attachments import attachments_dir
from zongji.store.models import AuditEntry, Call, CallEvent, FeedItem
from zongji.store.work_order_models import (
    Notification,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderEvent,
)

# An answered outbound call to a number counts as a callback of that number's missed calls of the
# week before at most (store/stats_models.py, settings.stats_callback_within_hours <= 168 h).
CALLBACK_WINDOW = dt.timedelta(days=7)


@dataclass(frozen=True)
class Batch:
    rows: int
    cursor: int
    done: bool
    # The first id of the walk left as it was (younger than the cut-off, or kept back: an event
    # of a live call, a call waiting for its callback to expire, an open order): the next run's
    # walk starts there.
    first_held: int | None = None


def _first_left(window, handled: set[int]) -> int | None:
    """The first id of the window left as it was (young, or kept back)."""
    return min((w.id for w in window if w.id not in handled), default=None)


def _delete_by_time(session: Session, model, column, cutoff: dt.datetime, limit: int) -> Batch:
    ids = list(session.scalars(select(model.id).where(column < cutoff).order_by(model.id).limit(limit)))
    if ids:
        session.execute(delete(model).where(model.id.in_(ids)))
    return Batch(len(ids), ids[-1] if ids else 0, len(ids) < limit)


def feed(session: Session, cutoff: dt.datetime, cursor: int, limit: int, **_) -> Batch:
    return _delete_by_time(session, FeedItem, FeedItem.at, cutoff, limit)


def audit(session: Session, cutoff: dt.datetime, cursor: int, limit: int, **_) -> Batch:
    return _delete_by_time(session, AuditEntry, AuditEntry.at, cutoff, limit)


def call_events(session: Session, cutoff: dt.datetime, cursor: int, limit: int, **_) -> Batch:
    """Events received before the cut-off whose call ended before it (or that have no call)."""
    window = session.execute(select(CallEvent.id, CallEvent.external_call_id, CallEvent.received_at)
                             .where(CallEvent.id > cursor).order_by(CallEvent.id).limit(limit)).all()
    if not window:
        return Batch(0, cursor, True)
    old = [w for w in window if w.received_at < cutoff]
    ext = sorted({w.external_call_id for w in old})
    calls = {r.external_id: r.ended_at for r in session.execute(
        select(Call.external_id, Call.ended_at).where(Call.external_id.in_(ext)))} if ext else {}
    gone = [w.id for w in old
            if w.external_call_id not in calls
            or (calls[w.external_call_id] is not None and calls[w.external_call_id] < cutoff)]
    if gone:
        session.execute(delete(CallEvent).where(CallEvent.id.in_(gone)))
    done = len(window) < limit or min(w.received_at for w in window) >= cutoff
    return Batch(len(gone), window[-1].id, done, _first_left(window, set(gone)))


_CALL_FIELDS = anonymise.CALL_NUMBER_FIELDS + anonymise.CALL_ERASED_FIELDS


def _call_ended(row) -> dt.datetime:
    return row.ended_at or row.closed_at or row.created_at


def calls(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes, **_) -> Batch:
    """Anonymise ended calls that ended before the cut-off. A missed inbound call whose number was
    called back by a call not yet expired waits until that call expires too (at most a week), so
    the callback figures never see one side anonymised and the other not."""
    cols = [getattr(Call, f) for f in _CALL_FIELDS]
    window = session.execute(select(Call.id, Call.state, Call.direction, Call.ringing_at, Call.answered_at,
                                    Call.ended_at, Call.closed_at, Call.created_at, *cols)
                             .where(Call.id > cursor).order_by(Call.id).limit(limit)).all()
    if not window:
        return Batch(0, cursor, True)
    expired = [w for w in window if w.state == "ended" and _call_ended(w) < cutoff]
    held = _called_back_later(session, expired, cutoff)
    changed = 0
    handled: set[int] = set()
    for w in expired:
        if w.id in held:
            continue
        handled.add(w.id)
        changes = anonymise.call_changes(w._asdict(), key)
        if changes:
            session.execute(update(Call).where(Call.id == w.id).values(**changes))
            changed += 1
    done = len(window) < limit or min(w.created_at for w in window) >= cutoff
    return Batch(changed, window[-1].id, done, _first_left(window, handled))


def _called_back_later(session: Session, expired: list, cutoff: dt.datetime) -> set[int]:
    missed = [w for w in expired if w.direction == "in" and w.answered_at is None and w.ringing_at
              and w.calling_number and not anonymise.is_stand_in(w.calling_number)]
    if not missed:
        return set()
    numbers = sorted({w.calling_number for w in missed})
    first = min(w.ringing_at for w in missed)
    later = session.execute(select(Call.called_number, Call.ringing_at).where(
        Call.direction == "out", Call.called_number.in_(numbers), Call.ringing_at > first,
        Call.ringing_at <= max(w.ringing_at for w in missed) + CALLBACK_WINDOW,
        (Call.state != "ended") | (func.coalesce(Call.ended_at, Call.closed_at, Call.created_at) >= cutoff))).all()
    held: set[int] = set()
    for w in missed:
        if any(n == w.calling_number and w.ringing_at < t <= w.ringing_at + CALLBACK_WINDOW for n, t in later):
            held.add(w.id)
    return held


_ORDER_FIELDS = anonymise.ORDER_NUMBER_FIELDS + anonymise.ORDER_ERASED_FIELDS + anonymise.ORDER_EMPTIED_FIELDS


def work_orders(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes,
                data_dir: Path, **_) -> Batch:
    """Anonymise closed orders created before the cut-off: personal fields, history notes,
    notification texts; attachments (rows and files) are destroyed."""
    cols = [getattr(WorkOrder, f) for f in _ORDER_FIELDS]
    window = session.execute(select(WorkOrder.id, WorkOrder.status, WorkOrder.created_at, *cols)
                             .where(WorkOrder.id > cursor).order_by(WorkOrder.id).limit(limit)).all()
    if not window:
        return Batch(0, cursor, True)
    finals = {str(s) for s in FINAL_STATUSES}
    expired = [w for w in window if w.status in finals and w.created_at < cutoff]
    changed = 0
    for w in expired:
        changes = anonymise.order_changes(w._asdict(), key)
        if changes:
            session.execute(update(WorkOrder).where(WorkOrder.id == w.id).values(**changes))
            changed += 1
    ids = [w.id for w in expired]
    if ids:
        emptied = {f: "" for f in anonymise.EVENT_EMPTIED_FIELDS}
        session.execute(update(WorkOrderEvent).where(WorkOrderEvent.order_id.in_(ids), WorkOrderEvent.note != "")
                        .values(**emptied))
        session.execute(update(Notification).where(Notification.order_id.in_(ids), Notification.body != "")
                        .values(body="", address=None))
        files = list(session.scalars(select(WorkOrderAttachment.stored_name)
                                     .where(WorkOrderAttachment.order_id.in_(ids))))
        if files:
            session.execute(delete(WorkOrderAttachment).where(WorkOrderAttachment.order_id.in_(ids)))
            folder = attachments_dir(data_dir)
            for name in files:
                (folder / name).unlink(missing_ok=True)
    done = len(window) < limit or min(w.created_at for w in window) >= cutoff
    return Batch(changed, window[-1].id, done, _first_left(window, set(ids)))
