"""One batch of one kind of record: delete or anonymise at most ``limit`` expired rows.

Each function returns a :class:`Batch`: the rows changed, the cursor to continue from (the last
id looked at, for kinds walked by id) and whether the kind is done for this run. Rows are walked
in id order, which follows time, so a walk stops at the first window of rows younger than the
cut-off instead of scanning the rest of a table of years; rows kept back (an event of a live call,
an open order) are looked at again the next day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from zongji.domain.retention import anonymise
from zongji.domain.work_orders.words import FINAL_STATUSES
from zongji.services.intake.mail import attachments_dir as intake_attachments_dir
from zongji.services.work_orders.attachments import attachments_dir
from zongji.domain.bookings.flights import last_flight_date
from zongji.domain.bookings.meetings import FINAL_STATES as MEETING_FINAL_STATES
from zongji.domain.charges.posting import SETTLED as CHARGE_SETTLED
from zongji.domain.charges.special import EMERGENCY
from zongji.domain.guestsvc.requests import OPEN_STATES
from zongji.store.booking_models import Booking, BookingEvent, BookingMessage
from zongji.store.charges_models import CallCharge
from zongji.store.guestsvc_models import GsLostItem, GsRequest
from zongji.store.intake_models import IntakeMessage, SmsPart
from zongji.store.models import AuditEntry, Call, CallEvent, FeedItem
from zongji.store.switchboard_models import Message, MessageSend
from zongji.store.travel_models import FlightBooking, FlightBookingEvent, FlightPassenger, MeetingBooking
from zongji.store.wakeup_models import Wakeup, WakeupTask
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


def _anonymise(session: Session, model, rows, changes_of) -> int:
    """Update each row of ``rows`` with ``changes_of(row as a dict)`` when there are any; how
    many changed."""
    changed = 0
    for w in rows:
        new = changes_of(w._asdict())
        if new:
            session.execute(update(model).where(model.id == w.id).values(**new))
            changed += 1
    return changed


def _walk(session: Session, model, columns, cursor: int, limit: int, *, expired: Callable[[Any], bool],
          changes: Callable[[dict], dict], age: Callable[[Any], Any], bound: Any,
          then: Callable[[list[int], list], None] | None = None) -> Batch:
    """One window of ``limit`` rows of ``model`` after ``cursor`` (``columns`` read besides the
    id): the ``expired`` ones anonymised with ``changes``, ``then`` given their ids and rows (for
    what hangs off them); the kind is done for this run at a window whose every row's ``age``
    is at or after ``bound`` (rows made ahead, like bookings, make ids follow it only roughly)."""
    window = session.execute(select(model.id, *columns).where(model.id > cursor).order_by(model.id)
                             .limit(limit)).all()
    if not window:
        return Batch(0, cursor, True)
    gone = [w for w in window if expired(w)]
    changed = _anonymise(session, model, gone, changes)
    ids = [w.id for w in gone]
    if ids and then is not None:
        then(ids, gone)
    done = len(window) < limit or min(age(w) for w in window) >= bound
    return Batch(changed, window[-1].id, done, _first_left(window, set(ids)))


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
_CALL_COLUMNS = (Call.id, Call.state, Call.direction, Call.ringing_at, Call.answered_at, Call.ended_at,
                 Call.closed_at, Call.created_at, *(getattr(Call, f) for f in _CALL_FIELDS))


def _call_ended(row) -> dt.datetime:
    return row.ended_at or row.closed_at or row.created_at


def _expired(row, cutoff: dt.datetime) -> bool:
    return row.state == "ended" and _call_ended(row) < cutoff


def calls(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes, **_) -> Batch:
    """Anonymise ended calls that ended before the cut-off.

    The callback figures pair a missed inbound call with an answered outbound call to its number
    within a week: such pairs (and chains of them) are anonymised together, in one transaction,
    or — while one of them has not expired — not at all, so no figure ever sees one side
    anonymised and the other not."""
    window = session.execute(select(*_CALL_COLUMNS).where(Call.id > cursor).order_by(Call.id).limit(limit)).all()
    if not window:
        return Batch(0, cursor, True)
    expired = [w for w in window if _expired(w, cutoff)]
    members, held = _callback_groups(session, expired, cutoff)
    changed = 0
    handled: set[int] = set()
    for w in [*expired, *members]:
        if w.id in held or w.id in handled:
            continue
        handled.add(w.id)
        changes = anonymise.call_changes(w._asdict(), key)
        if changes:
            session.execute(update(Call).where(Call.id == w.id).values(**changes))
            changed += 1
    done = len(window) < limit or min(w.created_at for w in window) >= cutoff
    return Batch(changed, window[-1].id, done, _first_left(window, handled))


def _missed(r) -> bool:
    return r.direction == "in" and r.answered_at is None


def _callback(r) -> bool:
    return r.direction == "out" and r.answered_at is not None


def _callback_groups(session: Session, expired: list, cutoff: dt.datetime) -> tuple[list, set[int]]:
    """The calls paired with ``expired`` ones by callbacks (transitively), and the ids of the
    groups that hold a call not yet expired (kept back as they are)."""
    nodes = {r.id: r for r in expired}
    edges: dict[int, set[int]] = {r.id: set() for r in expired}
    frontier = [r for r in expired if (_missed(r) or _callback(r)) and not anonymise.is_stand_in(
        r.calling_number if r.direction == "in" else r.called_number)]
    while frontier:
        found = _partners(session, frontier)
        frontier = []
        for a, b in found:
            for x, y in ((a, b), (b, a)):
                if x.id not in nodes:
                    nodes[x.id] = x
                    edges[x.id] = set()
                    frontier.append(x)
                edges[x.id].add(y.id)
    held: set[int] = set()
    seen: set[int] = set()
    for start in nodes:
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            n = todo.pop()
            if n in group:
                continue
            group.add(n)
            todo.extend(edges[n] - group)
        seen |= group
        if any(not _expired(nodes[n], cutoff) for n in group):
            held |= group
    given = {r.id for r in expired}
    return [r for i, r in nodes.items() if i not in given], held


def _partners(session: Session, rows: list) -> list[tuple]:
    """Pairs (row, partner): a missed call's answered outbound calls to its number in the week
    after it; a callback's missed calls from its number in the week before it."""
    pairs = []
    missed = [r for r in rows if _missed(r) and r.ringing_at and r.calling_number]
    backs = [r for r in rows if _callback(r) and r.ringing_at and r.called_number]
    if missed:
        lo = min(r.ringing_at for r in missed)
        hi = max(r.ringing_at for r in missed) + CALLBACK_WINDOW
        found = session.execute(select(*_CALL_COLUMNS).where(
            Call.direction == "out", Call.answered_at.is_not(None), Call.called_number.in_(sorted({r.calling_number for r in missed})),
            Call.ringing_at > lo, Call.ringing_at <= hi)).all()
        pairs += [(m, f) for m in missed for f in found
                  if f.called_number == m.calling_number and m.ringing_at < f.ringing_at <= m.ringing_at + CALLBACK_WINDOW]
    if backs:
        lo = min(r.ringing_at for r in backs) - CALLBACK_WINDOW
        hi = max(r.ringing_at for r in backs)
        found = session.execute(select(*_CALL_COLUMNS).where(
            Call.direction == "in", Call.answered_at.is_(None), Call.calling_number.in_(sorted({r.called_number for r in backs})),
            Call.ringing_at >= lo, Call.ringing_at < hi)).all()
        pairs += [(b, f) for b in backs for f in found
                  if f.calling_number == b.called_number and b.ringing_at - CALLBACK_WINDOW <= f.ringing_at < b.ringing_at]
    return pairs


_ORDER_FIELDS = anonymise.ORDER_NUMBER_FIELDS + anonymise.ORDER_ERASED_FIELDS + anonymise.ORDER_EMPTIED_FIELDS


def work_orders(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes,
                data_dir: Path, **_) -> Batch:
    """Anonymise closed orders created before the cut-off: personal fields, history notes,
    notification texts; attachments (rows and files) are destroyed."""
    finals = {str(s) for s in FINAL_STATUSES}

    def hanging_off(ids: list[int], _rows) -> None:
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

    return _walk(session, WorkOrder, (WorkOrder.status, WorkOrder.created_at,
                                      *(getattr(WorkOrder, f) for f in _ORDER_FIELDS)), cursor, limit,
                 expired=lambda w: w.status in finals and w.created_at < cutoff,
                 changes=lambda row: anonymise.order_changes(row, key),
                 age=lambda w: w.created_at, bound=cutoff, then=hanging_off)


_INTAKE_FIELDS = anonymise.INTAKE_STAND_IN_FIELDS + anonymise.INTAKE_ERASED_FIELDS + anonymise.INTAKE_EMPTIED_FIELDS


def intake(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes,
           data_dir: Path, **_) -> Batch:
    """Anonymise intake messages received before the cut-off (not those still waiting), delete
    the files that came with them, and the stored parts of long SMS received before it."""
    # The long-SMS parts received before the cut-off, oldest first (their ids follow time).
    parts = list(session.scalars(select(SmsPart.id).where(SmsPart.received_at < cutoff)
                                 .order_by(SmsPart.id).limit(limit)))
    if parts:
        session.execute(delete(SmsPart).where(SmsPart.id.in_(parts)))

    def delete_files(_ids, rows) -> None:
        folder = intake_attachments_dir(data_dir)
        for name in (f for w in rows for f in anonymise.intake_files(w.meta)):
            (folder / Path(name).name).unlink(missing_ok=True)

    b = _walk(session, IntakeMessage, (IntakeMessage.state, IntakeMessage.received_at,
                                        *(getattr(IntakeMessage, f) for f in _INTAKE_FIELDS)), cursor, limit,
              expired=lambda w: w.state != "waiting" and w.received_at < cutoff,
              changes=lambda row: anonymise.intake_changes(row, key),
              age=lambda w: w.received_at, bound=cutoff, then=delete_files)
    return Batch(b.rows + len(parts), b.cursor, b.done and len(parts) < limit, b.first_held)


_MESSAGE_FIELDS = anonymise.MESSAGE_STAND_IN_FIELDS + anonymise.MESSAGE_ERASED_FIELDS + anonymise.MESSAGE_MARKED_FIELDS
_MESSAGE_OVER = ("delivered", "acknowledged", "void")  # domain/messages.MessageState: nothing left to do


def messages(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes, **_) -> Batch:
    """Anonymise switchboard messages taken before the cut-off that are over (delivered,
    acknowledged or void), and the SMS / e-mail copies sent of them."""

    def sends(ids: list[int], _rows) -> None:
        rows = session.execute(select(MessageSend.id, MessageSend.address, MessageSend.error)
                               .where(MessageSend.message_id.in_(ids))).all()
        _anonymise(session, MessageSend, rows, lambda row: anonymise.changes(
            row, key, stand_ins=anonymise.MESSAGE_SEND_STAND_IN_FIELDS, erased=anonymise.MESSAGE_SEND_ERASED_FIELDS))

    return _walk(session, Message, (Message.state, Message.taken_at, *(getattr(Message, f) for f in _MESSAGE_FIELDS)),
                 cursor, limit, expired=lambda w: w.state in _MESSAGE_OVER and w.taken_at < cutoff,
                 changes=lambda row: anonymise.changes(
                     row, key, stand_ins=anonymise.MESSAGE_STAND_IN_FIELDS, erased=anonymise.MESSAGE_ERASED_FIELDS,
                     marked=anonymise.MESSAGE_MARKED_FIELDS),
                 age=lambda w: w.taken_at, bound=cutoff, then=sends)


_WAKEUP_OVER = ("done", "cancelled", "escalated")  # domain/wakeups.Status: no call left to place


def wakeups(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes, **_) -> Batch:
    """Anonymise wake-up calls due before the cut-off that are over: the guest and stay they were
    for and the note; the floor staff's task texts. (Wake-ups are booked ahead: ids only roughly
    follow ``wake_at``.)"""

    def tasks(ids: list[int], _rows) -> None:
        session.execute(update(WakeupTask).where(WakeupTask.wakeup_id.in_(ids), WakeupTask.text != "")
                        .values(**{f: "" for f in anonymise.WAKEUP_TASK_EMPTIED_FIELDS}))

    fields = anonymise.WAKEUP_ERASED_FIELDS + anonymise.WAKEUP_EMPTIED_FIELDS
    return _walk(session, Wakeup, (Wakeup.status, Wakeup.wake_at, *(getattr(Wakeup, f) for f in fields)),
                 cursor, limit, expired=lambda w: w.status in _WAKEUP_OVER and w.wake_at < cutoff,
                 changes=lambda row: anonymise.changes(row, key, erased=anonymise.WAKEUP_ERASED_FIELDS,
                                                       emptied=anonymise.WAKEUP_EMPTIED_FIELDS),
                 age=lambda w: w.wake_at, bound=cutoff, then=tasks)


def bookings(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes, **_) -> Batch:
    """Anonymise hotel bookings whose check-out date is before the cut-off's, their history's
    read-backs and changed values, and the SMS sent of them. (Bookings are made ahead: ids only
    roughly follow check-out dates.)"""
    day = cutoff.date()

    def booking_changes(row: dict) -> dict:
        new = anonymise.changes(row, key, stand_ins=anonymise.BOOKING_STAND_IN_FIELDS,
                                marked=anonymise.BOOKING_MARKED_FIELDS, emptied=anonymise.BOOKING_EMPTIED_FIELDS)
        if row.get("guest_names"):
            new["guest_names"] = []
        return new

    def history(ids: list[int], _rows) -> None:
        events = session.execute(select(BookingEvent.id, BookingEvent.read_back, BookingEvent.detail)
                                 .where(BookingEvent.booking_id.in_(ids))).all()
        _anonymise(session, BookingEvent, events, lambda row: anonymise.changes(
            row, key, erased=anonymise.BOOKING_EVENT_ERASED_FIELDS))
        sent = session.execute(select(BookingMessage.id, BookingMessage.mobile, BookingMessage.text,
                                      BookingMessage.error).where(BookingMessage.booking_id.in_(ids))).all()
        _anonymise(session, BookingMessage, sent, lambda row: anonymise.changes(
            row, key, marked=anonymise.BOOKING_MESSAGE_MARKED_FIELDS, erased=anonymise.BOOKING_MESSAGE_ERASED_FIELDS))

    return _walk(session, Booking, (Booking.kind, Booking.check_out, Booking.caller_number, Booking.customer_name,
                                    Booking.mobile, Booking.special_requests, Booking.guest_names), cursor, limit,
                 expired=lambda w: w.kind == "hotel" and w.check_out < day, changes=booking_changes,
                 age=lambda w: w.check_out, bound=day, then=history)


def meetings(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes, **_) -> Batch:
    """Anonymise meeting bookings whose last day is before the cut-off's and that are over (deposit
    paid, refused or cancelled): the contact, the mobile, the needs, the reason. (Meetings are
    booked ahead: ids only roughly follow their last days.)"""
    day = cutoff.date()
    return _walk(session, MeetingBooking, (MeetingBooking.status, MeetingBooking.end_date, MeetingBooking.contact,
                                           MeetingBooking.mobile, MeetingBooking.needs, MeetingBooking.reason),
                 cursor, limit, expired=lambda w: w.status in MEETING_FINAL_STATES and w.end_date < day,
                 changes=lambda row: anonymise.changes(
                     row, key, stand_ins=anonymise.MEETING_STAND_IN_FIELDS, marked=anonymise.MEETING_MARKED_FIELDS,
                     emptied=anonymise.MEETING_EMPTIED_FIELDS, erased=anonymise.MEETING_ERASED_FIELDS),
                 age=lambda w: w.end_date, bound=day)


def flights(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes,
            now: dt.datetime | None = None, **_) -> Batch:
    """Anonymise flight bookings whose last flight date (the return date of a return trip) is
    before the cut-off's: the customer, the mobile, the delivery address, the passengers' names
    and ID numbers (``id_erased_at`` set when they were not erased yet), the history's read-backs.
    (Flights are booked ahead: ids only roughly follow flight dates.)"""
    day = cutoff.date()
    now = now or dt.datetime.now(dt.UTC)

    def passenger_changes(row: dict) -> dict:
        new = anonymise.changes(row, key, marked=anonymise.FLIGHT_PASSENGER_MARKED_FIELDS,
                                erased=anonymise.FLIGHT_PASSENGER_ERASED_FIELDS)
        if row.get("id_erased_at") is None:
            new["id_erased_at"] = now
        return new

    def passengers_and_history(ids: list[int], _rows) -> None:
        passengers = session.execute(select(FlightPassenger.id, FlightPassenger.name, FlightPassenger.id_number,
                                            FlightPassenger.id_erased_at)
                                     .where(FlightPassenger.booking_id.in_(ids))).all()
        _anonymise(session, FlightPassenger, passengers, passenger_changes)
        events = session.execute(select(FlightBookingEvent.id, FlightBookingEvent.read_back, FlightBookingEvent.reason)
                                 .where(FlightBookingEvent.booking_id.in_(ids))).all()
        _anonymise(session, FlightBookingEvent, events, lambda row: anonymise.changes(
            row, key, erased=anonymise.FLIGHT_EVENT_ERASED_FIELDS))

    def last_day(w) -> dt.date:
        return last_flight_date(w.departure_date, w.return_date)

    return _walk(session, FlightBooking, (FlightBooking.departure_date, FlightBooking.return_date,
                                          FlightBooking.customer, FlightBooking.mobile, FlightBooking.delivery_address),
                 cursor, limit, expired=lambda w: last_day(w) < day,
                 changes=lambda row: anonymise.changes(
                     row, key, stand_ins=anonymise.FLIGHT_STAND_IN_FIELDS, marked=anonymise.FLIGHT_MARKED_FIELDS,
                     erased=anonymise.FLIGHT_ERASED_FIELDS),
                 age=last_day, bound=day, then=passengers_and_history)


def guest_service(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes, **_) -> Batch:
    """Anonymise guest-service requests made before the cut-off and finished."""
    still_open = {str(s) for s in OPEN_STATES}
    return _walk(session, GsRequest, (GsRequest.state, GsRequest.created_at, GsRequest.stay_id, GsRequest.note,
                                      GsRequest.follow_up_note), cursor, limit,
                 expired=lambda w: w.state not in still_open and w.created_at < cutoff,
                 changes=lambda row: anonymise.changes(row, key, erased=anonymise.GUEST_SERVICE_ERASED_FIELDS,
                                                       emptied=anonymise.GUEST_SERVICE_EMPTIED_FIELDS),
                 age=lambda w: w.created_at, bound=cutoff)


def call_charges(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes, **_) -> Batch:
    """Anonymise settled call charges of calls before the cut-off: the number dialled (not an
    emergency number), the stay, the reason. (A charge is rated when its call ends, a service
    request's when it is done: ids follow the call times but for the length of a call.)"""

    def charge_changes(row: dict) -> dict:
        public = row.get("dialled") in EMERGENCY
        return anonymise.changes(row, key, stand_ins=() if public else anonymise.CHARGE_STAND_IN_FIELDS,
                                 erased=anonymise.CHARGE_ERASED_FIELDS)

    return _walk(session, CallCharge, (CallCharge.state, CallCharge.called_at, CallCharge.dialled,
                                       CallCharge.stay_id, CallCharge.reason), cursor, limit,
                 expired=lambda w: w.state in CHARGE_SETTLED and w.called_at < cutoff, changes=charge_changes,
                 age=lambda w: w.called_at, bound=cutoff)


def lost_items(session: Session, cutoff: dt.datetime, cursor: int, limit: int, *, key: bytes, **_) -> Batch:
    """Anonymise lost-and-found entries returned or disposed of before the cut-off: the finder,
    the owner, the description. (Ids follow the finding: an entry found after the cut-off cannot
    have been closed before it.)"""

    def closed(w) -> dt.datetime | None:
        return w.returned_at if w.returned_at is not None else w.disposed_at

    return _walk(session, GsLostItem, (GsLostItem.found_at, GsLostItem.returned_at, GsLostItem.disposed_at,
                                       GsLostItem.found_by, GsLostItem.returned_to, GsLostItem.description),
                 cursor, limit, expired=lambda w: closed(w) is not None and closed(w) < cutoff,
                 changes=lambda row: anonymise.changes(
                     row, key, marked=anonymise.LOST_ITEM_MARKED_FIELDS, erased=anonymise.LOST_ITEM_ERASED_FIELDS,
                     emptied=anonymise.LOST_ITEM_EMPTIED_FIELDS),
                 age=lambda w: w.found_at, bound=cutoff)
