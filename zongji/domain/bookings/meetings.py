"""Meeting bookings (R-T4, issue 17 point 3): the requirements form, the quote with its line
items (amounts in fen), the deposit deadline (2 working days on the business calendar) and the
booking's states as ``RULES`` / :func:`apply` like ``domain/work_orders``. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from zongji.domain.business_calendar import BusinessCalendar
from zongji.domain.roles import CONSOLE_ROLES, LEADER_ROLES, Role

MEETING_KINDS = ("conference", "training", "banquet", "exhibition", "other")

# States (the one page shows them in this order).
REQUESTED = "requested"        # the requirements form was taken
QUOTED = "quoted"              # a proposal and quote was made
HOTEL_CONFIRMED = "hotel_confirmed"  # the hotel confirmed; the deposit is due
DEPOSIT_PAID = "deposit_paid"
REFUSED = "refused"            # the hotel refused
CANCELLED = "cancelled"
STATES = (REQUESTED, QUOTED, HOTEL_CONFIRMED, DEPOSIT_PAID, REFUSED, CANCELLED)
FINAL_STATES = frozenset({DEPOSIT_PAID, REFUSED, CANCELLED})

# action -> (states it is allowed in, new state, roles)
RULES: dict[str, tuple[frozenset[str], str, frozenset[Role]]] = {
    "quote": (frozenset({REQUESTED, QUOTED}), QUOTED, CONSOLE_ROLES),
    "confirm": (frozenset({QUOTED}), HOTEL_CONFIRMED, CONSOLE_ROLES),
    "refuse": (frozenset({REQUESTED, QUOTED}), REFUSED, CONSOLE_ROLES),
    "pay_deposit": (frozenset({HOTEL_CONFIRMED}), DEPOSIT_PAID, CONSOLE_ROLES),
    "cancel": (frozenset({REQUESTED, QUOTED, HOTEL_CONFIRMED}), CANCELLED, LEADER_ROLES | {Role.OPERATOR}),
}


class MeetingBookingError(ValueError):
    def __init__(self, message: str, field: str, code: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True)
class MeetingRequest:
    hotel_name: str
    hotel_id: int | None
    kind: str
    needs: str
    start_date: date
    end_date: date
    attendees: int
    rooms: int
    budget_fen: int | None
    contact: str
    mobile: str


def _required(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise MeetingBookingError(f"{field} is required", field, "required")
    if len(text) > limit:
        raise MeetingBookingError(f"{field} is too long", field, "too_long")
    return text


def check_request(*, hotel_name: str, hotel_id: int | None, kind: str, needs: str, start_date: date,
                  end_date: date, attendees: int, rooms: int, budget_fen: int | None, contact: str,
                  mobile: str, today: date | None = None) -> MeetingRequest:
    if kind not in MEETING_KINDS:
        raise MeetingBookingError("Unknown kind of meeting", "kind", "choice")
    if end_date < start_date:
        raise MeetingBookingError("The meeting ends before it starts", "end_date", "before_start")
    if today is not None and start_date < today:
        raise MeetingBookingError("The meeting date is in the past", "start_date", "past")
    if attendees < 1:
        raise MeetingBookingError("At least one attendee", "attendees", "positive")
    if rooms < 0:
        raise MeetingBookingError("Rooms cannot be negative", "rooms", "not_negative")
    if budget_fen is not None and budget_fen < 0:
        raise MeetingBookingError("The budget cannot be negative", "budget_fen", "not_negative")
    return MeetingRequest(_required(hotel_name, "hotel_name", 120), hotel_id, kind, (needs or "").strip()[:2000],
                          start_date, end_date, attendees, rooms, budget_fen,
                          _required(contact, "contact", 60), _required(mobile, "mobile", 30))


@dataclass(frozen=True)
class QuoteLine:
    label: str
    quantity: int
    unit_fen: int

    @property
    def amount_fen(self) -> int:
        return self.quantity * self.unit_fen


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    deposit_percent: int

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def deposit_fen(self) -> int:
        # Rounded half up to the fen.
        return (self.total_fen * self.deposit_percent + 50) // 100

    def to_json(self) -> dict:
        return {"lines": [{"label": ln.label, "quantity": ln.quantity, "unit_fen": ln.unit_fen,
                           "amount_fen": ln.amount_fen} for ln in self.lines],
                "total_fen": self.total_fen, "deposit_percent": self.deposit_percent,
                "deposit_fen": self.deposit_fen}


def make_quote(lines: list[tuple[str, int, int]], deposit_percent: int) -> Quote:
    if not lines:
        raise MeetingBookingError("A quote needs at least one line", "lines", "required")
    out = []
    for i, (label, qty, unit) in enumerate(lines):
        if not (label or "").strip():
            raise MeetingBookingError("Each line needs a label", f"lines.{i}.label", "required")
        if qty < 1:
            raise MeetingBookingError("Quantity must be at least 1", f"lines.{i}.quantity", "positive")
        if unit < 0:
            raise MeetingBookingError("Price cannot be negative", f"lines.{i}.unit_fen", "not_negative")
        out.append(QuoteLine(label.strip()[:120], qty, unit))
    if not 0 <= deposit_percent <= 100:
        raise MeetingBookingError("Deposit percent is 0 to 100", "deposit_percent", "range")
    return Quote(tuple(out), deposit_percent)


def deposit_due(calendar: BusinessCalendar, confirmed_at: datetime, working_days: int = 2) -> datetime:
    """The deposit is due ``working_days`` working days after the hotel's confirmation (R-T4),
    with the business calendar's meaning of "N working days" (holidays and 调休 respected)."""
    return calendar.add_working_days(confirmed_at, working_days)


@dataclass(frozen=True)
class MeetingState:
    status: str
    deposit_due_at: datetime | None = None
    refusal_reason: str | None = None
    hotel_confirmation: str | None = None


def allowed_actions(state: MeetingState, role: Role | str) -> list[str]:
    return [name for name, (froms, _to, roles) in RULES.items()
            if state.status in froms and Role(role) in roles]


def apply(state: MeetingState, action: str, role: Role | str, *, calendar: BusinessCalendar | None = None,
          at: datetime | None = None, reason: str | None = None, confirmation: str | None = None,
          deposit_working_days: int = 2) -> MeetingState:
    """The new state after ``action`` or :class:`MeetingBookingError` (code ``illegal`` /
    ``forbidden``)."""
    rule = RULES.get(action)
    if rule is None:
        raise MeetingBookingError(f"Unknown action {action!r}", "action", "unknown")
    froms, to, roles = rule
    if Role(role) not in roles:
        raise MeetingBookingError("This role may not do that", "action", "forbidden")
    if state.status not in froms:
        raise MeetingBookingError(f"Not allowed while {state.status}", "action", "illegal")
    if action == "confirm":
        if calendar is None or at is None or at.tzinfo is None:
            raise MeetingBookingError("Confirmation needs an aware time", "at", "required")
        return replace(state, status=to, hotel_confirmation=(confirmation or "").strip() or None,
                       deposit_due_at=deposit_due(calendar, at, deposit_working_days))
    if action in ("refuse", "cancel"):
        text = (reason or "").strip()
        if not text:
            raise MeetingBookingError("A reason is required", "reason", "required")
        return replace(state, status=to, refusal_reason=text[:500])
    return replace(state, status=to)


# The deposit's reminder, as the booking's page shows it.
REMINDER_NONE = "none"          # no deposit due yet (not confirmed), or the booking ended without one
REMINDER_WAITING = "waiting"    # due at deposit_due_at; the reminder goes when it passes unpaid
REMINDER_OVERDUE = "overdue"    # the deadline passed; the reminder is about to go
REMINDER_SENT = "reminded"  # the deadline passed unpaid and the reminder went
REMINDER_PAID = "paid"


def deposit_reminder_state(status: str, due_at: datetime | None, reminded_at: datetime | None,
                           paid_at: datetime | None, now: datetime) -> str:
    if paid_at is not None or status == DEPOSIT_PAID:
        return REMINDER_PAID
    if due_at is None or status != HOTEL_CONFIRMED:
        return REMINDER_NONE
    if reminded_at is not None:
        return REMINDER_SENT
    return REMINDER_OVERDUE if now >= due_at else REMINDER_WAITING
