"""The retention policy: one entry per kind of record, its period and what expiry does.

Kinds, in the order a run handles them:

- ``feed``: live-feed rows, deleted ``retention_feed_hours`` after they were written;
- ``call_events``: raw CTI events, deleted ``retention_call_events_days`` after their call record
  ended (an event of no call record: after it was received); an event of a call still live stays;
- ``audit``: audit-log entries, deleted ``retention_audit_days`` after they were written;
- ``calls``: call records, anonymised (never deleted) ``retention_calls_days`` after they ended;
- ``work_orders``: closed work orders, anonymised ``retention_work_orders_days`` after they were
  created (only closed ones: an open order is still being worked);
- ``intake``: messages of the intake queue (SMS, e-mail, web form, Open311, app) and the answers
  sent, anonymised ``retention_intake_days`` after they were received (a message still waiting
  is kept); the stored parts of long SMS and the files that came with a message are deleted;
- ``messages``: switchboard messages taken for guests, staff and departments, anonymised
  ``retention_messages_days`` after they were taken (only delivered, acknowledged or void ones);
- ``wakeups``: wake-up calls, anonymised ``retention_wakeups_days`` after their time (only done,
  cancelled or escalated ones), with their floor staff's tasks;
- ``bookings``: hotel bookings of the booking hotline, anonymised ``retention_bookings_days``
  after their check-out date, with their history's read-backs and the SMS sent of them;
- ``meetings``: meeting bookings, anonymised ``retention_meetings_days`` after their last day
  (only paid, refused or cancelled ones: one still being quoted or confirmed stays);
- ``flights``: flight bookings, anonymised ``retention_flights_days`` after their last flight
  date (the return date of a return trip), with their passengers and their history's read-backs
  (the passengers' ID numbers are erased long before, ``flight_id_retention_days`` after it);
- ``guest_service``: requests to the guest-service centre, anonymised
  ``retention_guest_service_days`` after they were made (only finished ones);
- ``call_charges``: call charges, anonymised ``retention_call_charges_days`` after the call (only
  settled ones: one still to post to a folio stays);
- ``lost_items``: lost-and-found entries, anonymised ``retention_lost_items_days`` after they were
  closed (returned or disposed of: an open one stays).

Rows are deleted or anonymised in batches of ``retention_batch_rows``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    FEED = "feed"
    CALL_EVENTS = "call_events"
    AUDIT = "audit"
    CALLS = "calls"
    WORK_ORDERS = "work_orders"
    INTAKE = "intake"
    MESSAGES = "messages"
    WAKEUPS = "wakeups"
    BOOKINGS = "bookings"
    MEETINGS = "meetings"
    FLIGHTS = "flights"
    GUEST_SERVICE = "guest_service"
    CALL_CHARGES = "call_charges"
    LOST_ITEMS = "lost_items"


class Action(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"


@dataclass(frozen=True)
class Rule:
    kind: Kind
    action: Action
    period: dt.timedelta


ORDER: tuple[Kind, ...] = (Kind.FEED, Kind.CALL_EVENTS, Kind.AUDIT, Kind.CALLS, Kind.WORK_ORDERS, Kind.INTAKE,
                          Kind.MESSAGES, Kind.WAKEUPS, Kind.BOOKINGS, Kind.MEETINGS, Kind.FLIGHTS,
                          Kind.GUEST_SERVICE, Kind.CALL_CHARGES, Kind.LOST_ITEMS)
ACTIONS: dict[Kind, Action] = {
    Kind.FEED: Action.DELETE, Kind.CALL_EVENTS: Action.DELETE, Kind.AUDIT: Action.DELETE,
    Kind.CALLS: Action.ANONYMISE, Kind.WORK_ORDERS: Action.ANONYMISE, Kind.INTAKE: Action.ANONYMISE,
    Kind.MESSAGES: Action.ANONYMISE, Kind.WAKEUPS: Action.ANONYMISE, Kind.BOOKINGS: Action.ANONYMISE,
    Kind.MEETINGS: Action.ANONYMISE, Kind.FLIGHTS: Action.ANONYMISE, Kind.GUEST_SERVICE: Action.ANONYMISE,
    Kind.CALL_CHARGES: Action.ANONYMISE, Kind.LOST_ITEMS: Action.ANONYMISE,
}


def rules(*, feed_hours: float, call_events_days: float, audit_days: float, calls_days: float,
          work_orders_days: float, intake_days: float, messages_days: float,
          wakeups_days: float, bookings_days: float, meetings_days: float, flights_days: float,
          guest_service_days: float, call_charges_days: float,
          lost_items_days: float) -> tuple[Rule, ...]:
    """The policy from the settings' periods, in run order."""
    periods = {
        Kind.FEED: dt.timedelta(hours=feed_hours),
        Kind.CALL_EVENTS: dt.timedelta(days=call_events_days),
        Kind.AUDIT: dt.timedelta(days=audit_days),
        Kind.CALLS: dt.timedelta(days=calls_days),
        Kind.WORK_ORDERS: dt.timedelta(days=work_orders_days),
        Kind.INTAKE: dt.timedelta(days=intake_days),
        Kind.MESSAGES: dt.timedelta(days=messages_days),
        Kind.WAKEUPS: dt.timedelta(days=wakeups_days),
        Kind.BOOKINGS: dt.timedelta(days=bookings_days),
        Kind.MEETINGS: dt.timedelta(days=meetings_days),
        Kind.FLIGHTS: dt.timedelta(days=flights_days),
        Kind.GUEST_SERVICE: dt.timedelta(days=guest_service_days),
        Kind.CALL_CHARGES: dt.timedelta(days=call_charges_days),
        Kind.LOST_ITEMS: dt.timedelta(days=lost_items_days),
    }
    for kind, period in periods.items():
        if period <= dt.timedelta(0):
            raise ValueError(f"retention period of {kind} must be positive")
    return tuple(Rule(k, ACTIONS[k], periods[k]) for k in ORDER)


def cutoff(rule: Rule, now: dt.datetime) -> dt.datetime:
    """Records whose reference instant is before this have expired under ``rule``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now - rule.period


def next_kind(kind: Kind) -> Kind | None:
    """The kind a run handles after ``kind``; None after the last."""
    i = ORDER.index(kind)
    return ORDER[i + 1] if i + 1 < len(ORDER) else None


def next_run(now: dt.datetime, at: dt.time, tz: dt.tzinfo) -> tuple[dt.date, dt.datetime]:
    """The next local day's run at ``at`` (today's if still ahead): (local day, instant in UTC)."""
    local = now.astimezone(tz)
    day = local.date()
    due = dt.datetime.combine(day, at, tz)
    if due <= local:
        day += dt.timedelta(days=1)
        due = dt.datetime.combine(day, at, tz)
    return day, due.astimezone(dt.UTC)
