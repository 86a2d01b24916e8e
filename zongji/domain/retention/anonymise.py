"""What anonymising an expired call or work order changes (R-S17).

Personal fields — numbers, names, notes, addresses, free text — are erased; the fields the
statistics read (times, line, direction, outcome, operator, category, unit, type, channel,
status, the order history's actions and data) are kept, so every figure stays the same. A
telephone number is replaced by a keyed stand-in (HMAC-SHA-256 with the site's secret): the
same number always gets the same stand-in, so distinct-caller counts and callback matching
(a missed call's number against a later outbound call's) are unchanged, and nobody without the
key can tell which number it was.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "anon:"
# Calls: numbers replaced by a stand-in; the rest erased (None), the numbers' search keys (their
# digits, forwards and reversed: the number itself) included.
CALL_NUMBER_FIELDS = ("calling_number", "called_number", "transfer_target")
CALL_ERASED_FIELDS = ("caller_ref_id", "caller_label", "caller_title", "notes", "calling_digits",
                      "calling_digits_rev", "called_digits", "called_digits_rev")
# Work orders: the caller's number replaced; names, places, free text erased.
ORDER_NUMBER_FIELDS = ("caller_number",)
ORDER_ERASED_FIELDS = ("caller_name", "caller_unit_room", "product_serial", "place", "latitude",
                       "longitude", "findings", "manager_opinion", "caller_digits", "caller_digits_rev")
# Not nullable: set to "". ``search_terms`` holds the character pairs of the name, number,
# place and description.
ORDER_EMPTIED_FIELDS = ("description", "search_terms")
# An order's history notes (free text) are emptied; actions, times and data stay.
EVENT_EMPTIED_FIELDS = ("note",)


# Intake messages: the sender (a number, an address, an app's user id) replaced; the text, the
# sender's network address, the channel's details and the delivery error erased. Channel,
# direction, times, outcome and the order it became stay (the channel figures read them).
INTAKE_STAND_IN_FIELDS = ("sender",)
INTAKE_ERASED_FIELDS = ("sender_digits", "client_address", "meta", "error")
INTAKE_EMPTIED_FIELDS = ("text",)


# Switchboard messages: the caller's number replaced; the caller's name, the content and the
# recipient's name marked erased (the statistics count a message as complete when they were
# given: the mark keeps that); why it was voided erased. Where an SMS or e-mail copy went: the
# address replaced, the error erased.
MESSAGE_STAND_IN_FIELDS = ("caller_number",)
MESSAGE_ERASED_FIELDS = ("void_reason",)
MESSAGE_MARKED_FIELDS = ("caller_name", "content", "recipient_label")
MESSAGE_SEND_STAND_IN_FIELDS = ("address",)
MESSAGE_SEND_ERASED_FIELDS = ("error",)
# Wake-up calls: the link to the guest and the stay erased, the note emptied (the room, times and
# outcome stay: the wake-up figures read them); the floor staff's task texts emptied.
WAKEUP_ERASED_FIELDS = ("guest_id", "stay_id")
WAKEUP_EMPTIED_FIELDS = ("note",)
WAKEUP_TASK_EMPTIED_FIELDS = ("text",)
# Hotel bookings: the number called from replaced; the customer's name and mobile marked erased
# (a mobile column holds 20 characters: too short for a stand-in), the guests' names and the
# special requests emptied. Hotel, dates, rooms, prices and states stay (the booking figures).
# Their history keeps actions and times, not the read-backs or changed values; their SMS keep
# kind, state and times.
BOOKING_STAND_IN_FIELDS = ("caller_number",)
BOOKING_MARKED_FIELDS = ("customer_name", "mobile")
BOOKING_EMPTIED_FIELDS = ("special_requests",)
BOOKING_EVENT_ERASED_FIELDS = ("read_back", "detail")
BOOKING_MESSAGE_MARKED_FIELDS = ("mobile",)
BOOKING_MESSAGE_ERASED_FIELDS = ("text", "error")
# Meeting bookings: the contact's mobile replaced, the contact's name marked erased (not
# nullable), the needs emptied and the reason of a refusal or cancellation erased. Hotel, kind,
# dates, attendees, rooms, money, states, operator and times stay (the meeting figures).
MEETING_STAND_IN_FIELDS = ("mobile",)
MEETING_MARKED_FIELDS = ("contact",)
MEETING_EMPTIED_FIELDS = ("needs",)
MEETING_ERASED_FIELDS = ("reason",)
# Flight bookings: the mobile replaced, the customer marked erased, the delivery address erased;
# the passengers' names marked erased and their ID numbers erased (when not already, by
# flight_id_retention_days); the history's read-backs (names, numbers) and reasons (the
# customer's words) erased. Cities, dates,
# flight number, trip, payment, status, operator and times stay (the flight figures).
FLIGHT_STAND_IN_FIELDS = ("mobile",)
FLIGHT_MARKED_FIELDS = ("customer",)
FLIGHT_ERASED_FIELDS = ("delivery_address",)
FLIGHT_PASSENGER_MARKED_FIELDS = ("name",)
FLIGHT_PASSENGER_ERASED_FIELDS = ("id_number",)
FLIGHT_EVENT_ERASED_FIELDS = ("read_back", "reason")
# Guest-service requests: the stay (and so the guest) and the notes erased; the item, room,
# team, times, state and the follow-up's result stay (the centre's analysis reads them).
GUEST_SERVICE_ERASED_FIELDS = ("stay_id", "follow_up_note")
GUEST_SERVICE_EMPTIED_FIELDS = ("note",)
# Call charges (only settled ones: one still to post needs its stay): the number dialled replaced
# (a public emergency number, domain/charges/special.EMERGENCY, is no one's and is kept: the
# special-calls list reads it), the stay (and so the guest) and the reason of a write-off or a
# refusal (free text) erased. The call or request charged, time, extension, room, department,
# person of a company number, kind, destination and rate, talk time, amounts, state and the
# posting's results stay: the long-distance figures, the statement and the folio totals read them.
CHARGE_STAND_IN_FIELDS = ("dialled",)
CHARGE_ERASED_FIELDS = ("stay_id", "reason")
# Lost and found (only closed ones: returned or disposed of): the finder's name marked erased
# (not nullable), the owner it was returned to erased, the description (free text, not nullable)
# emptied. Where it was found and kept, the times, the disposal date and who recorded it stay.
LOST_ITEM_MARKED_FIELDS = ("found_by",)
LOST_ITEM_ERASED_FIELDS = ("returned_to",)
LOST_ITEM_EMPTIED_FIELDS = ("description",)
ERASED = "anon:erased"


def is_stand_in(value: str | None) -> bool:
    return bool(value) and str(value).startswith(PREFIX)


def stand_in(number: str | None, key: bytes) -> str | None:
    """The keyed stand-in of ``number`` (an empty number stays as it is; a stand-in is kept)."""
    if not number or is_stand_in(number):
        return number
    if not key:
        raise ValueError("an anonymisation key is required")
    digest = hmac.new(key, number.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:24]


def changes(row: dict[str, object], key: bytes, *, stand_ins: tuple[str, ...] = (),
            erased: tuple[str, ...] = (), emptied: tuple[str, ...] = (),
            marked: tuple[str, ...] = ()) -> dict[str, object]:
    """The new values of an expired record's personal fields (only those that change): ``stand_ins``
    replaced by their keyed stand-in, ``erased`` set to None, ``emptied`` to "", ``marked`` (free
    text whose presence a statistic counts) to ``ERASED`` when not empty."""
    out: dict[str, object] = {}
    for f in stand_ins:
        new = stand_in(row.get(f), key)  # type: ignore[arg-type]
        if new != row.get(f):
            out[f] = new
    for f in erased:
        if row.get(f) is not None:
            out[f] = None
    for f in emptied:
        if row.get(f):
            out[f] = ""
    for f in marked:
        if str(row.get(f) or "").strip() and row.get(f) != ERASED:
            out[f] = ERASED
    return out


def call_changes(row: dict[str, object], key: bytes) -> dict[str, object]:
    """The new values of an expired call's personal fields (only those that change)."""
    return changes(row, key, stand_ins=CALL_NUMBER_FIELDS, erased=CALL_ERASED_FIELDS)


def order_changes(row: dict[str, object], key: bytes) -> dict[str, object]:
    """The new values of an expired work order's personal fields (only those that change)."""
    return changes(row, key, stand_ins=ORDER_NUMBER_FIELDS, erased=ORDER_ERASED_FIELDS,
                   emptied=ORDER_EMPTIED_FIELDS)


def intake_changes(row: dict[str, object], key: bytes) -> dict[str, object]:
    """The new values of an expired intake message's personal fields (only those that change)."""
    return changes(row, key, stand_ins=INTAKE_STAND_IN_FIELDS, erased=INTAKE_ERASED_FIELDS,
                   emptied=INTAKE_EMPTIED_FIELDS)


def intake_files(meta: object) -> list[str]:
    """The stored names of the files that came with a message (its ``meta["attachments"]``)."""
    if not isinstance(meta, dict):
        return []
    return [str(a["stored"]) for a in meta.get("attachments") or [] if isinstance(a, dict) and a.get("stored")]
