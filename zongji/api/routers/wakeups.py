"""Wake-up calls (R-H9): the console's booking and night list, and the API for a PMS or a
guest-facing channel.

Console (session cookie; operator, shift leader, supervisor, admin):

- ``POST /api/wakeups/preview``: the read-back text and occurrences, nothing saved.
- ``POST /api/wakeups``: book (``readback_confirmed`` must be true) → 201 ``{"items": [...]}``.
  Both take ``call_id`` instead of ``room`` to book for the caller on the caller card: the room is
  the one they call from, or their stay's when identified as an in-house guest by another number;
  then (R-H4) the answers carry no room number (read-back "您的房间 / Your room", ``room_shown``
  false). ``zongji/services/caller_wakeup.py``.
- ``GET /api/wakeups?date=YYYY-MM-DD``: the night list (board) in time order, open tasks, the
  pre-flight check. ``GET /api/wakeups/{id}``.
- ``PATCH /api/wakeups/{id}``, ``POST /api/wakeups/{id}/cancel``, ``POST /api/wakeups/{id}/reached``.
- ``GET /api/wakeups/alerts``: what every console shows until dealt with (open tasks, failed
  pre-flight test), with the server's ``now`` for the minutes late so far.
- ``GET /api/wakeups/tasks``, ``POST /api/wakeups/tasks/{id}/done`` (guest awake),
  ``POST /api/wakeups/tasks/{id}/no-response`` (nobody answers the door: call the duty manager):
  knock-on-door and manual-call tasks. Knock-on-door tasks are addressed to the guest-service
  centre (setting ``wakeup_knock_unit``): its unit handlers see and close those, and only those;
  any other unit handler gets 403 (R-H9).
- ``GET /api/wakeups/handover``: the wake-ups section of the handover log.

Integrations (``Authorization: Bearer <integration token>`` with scope ``wakeup``):

- ``POST /api/v1/wakeups`` book, ``GET/PATCH/DELETE /api/v1/wakeups/{id}``.

Every change is audited and pushed to every console (FeedItem topic ``wakeup``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request
from pydantic import Field

from zongji.api.guest_privacy import GuestPrivacyRoute
from zongji.api.deps import ID_MAX, IsoOnly, ReadDB, WriteDB, actor_of, integration_actor, require_roles
from zongji.api.models import ApiModel
from zongji.api.errors import area_router, error_responses, refusals
from zongji.domain.roles import CONSOLE_ROLES, Role
from zongji.errors import Forbidden, Invalid
from zongji.services import caller_wakeup
from zongji.services import wakeups as service
from zongji.store.models import User, utcnow

_ID_MAX = ID_MAX
_TEXT = r"^[^\x00]*$"

Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
TaskReader = Annotated[User, Depends(require_roles(CONSOLE_ROLES | {Role.UNIT_HANDLER}))]
WakeupId = Annotated[int, Path(ge=1, le=_ID_MAX, description="Wake-up id")]
TaskId = Annotated[int, Path(ge=1, le=_ID_MAX, description="Task id")]
Lang = Literal["zh", "en"]


_ERRORS = error_responses({
    401: "Not logged in, or no valid token",
    403: "Not for this role (door tasks: the guest-service centre's handlers only)",
    404: "No such wake-up",
    409: "Conflicts with the wake-up's state",
    422: "Invalid input or refused booking (past time, empty room, after departure)",
})

console_router = area_router(prefix="/api/wakeups", tags=["wakeups"], responses=_ERRORS,
                             route_class=GuestPrivacyRoute)
api_router = area_router(prefix="/api/v1/wakeups", tags=["wakeups (integration)"], responses=_ERRORS)


class WakeupIn(ApiModel):
    room: str = Field(min_length=1, max_length=20, pattern=_TEXT)
    wake_at: dt.datetime | None = Field(None, description="Instant with offset; or give time")
    time: str | None = Field(None, max_length=10, pattern=_TEXT,
                             description="0700 / 7:00: the next time the clock shows it")
    date: dt.date | None = Field(None, description="With time: that local date")
    repeat_daily: bool = False
    until: dt.date | None = Field(None, description="Last day of a daily repeat (default: departure)")
    languages: list[Lang] = Field(default_factory=lambda: ["zh", "en"], min_length=1, max_length=2)
    note: str = Field("", max_length=500, pattern=_TEXT)
    readback_confirmed: bool = False
    confirm_duplicate: bool = Field(False, description="Book although the room has an open wake-up at that "
                                    "time (409 duplicate_wakeup otherwise; the preview lists them)")

    def booking(self) -> service.Booking:
        return service.Booking(room=self.room, wake_at=self.wake_at, time=self.time, date=self.date,
                               repeat_daily=self.repeat_daily, until=self.until,
                               languages=tuple(dict.fromkeys(self.languages)), note=self.note,
                               readback_confirmed=self.readback_confirmed,
                               confirm_duplicate=self.confirm_duplicate)


class ConsoleWakeupIn(WakeupIn):
    room: str | None = Field(None, min_length=1, max_length=20, pattern=_TEXT,
                             description="The room; or give call_id")
    call_id: int | None = Field(None, ge=1, le=_ID_MAX,
                                description="Book for this call's caller (their own room; see above)")


class WakeupPatch(ApiModel):
    wake_at: dt.datetime | None = None
    time: str | None = Field(None, max_length=10, pattern=_TEXT)
    languages: list[Lang] | None = Field(None, min_length=1, max_length=2)
    note: str | None = Field(None, max_length=500, pattern=_TEXT)


class CancelIn(ApiModel):
    series: bool = False


class ReachedIn(ApiModel):
    by: Literal["door", "operator", "phone"] = "door"


def _settings(request: Request):
    return request.app.state.settings


def _now() -> dt.datetime:
    return utcnow()


# --------------------------------------------------------------------------- console


def _console_booking(db, body: ConsoleWakeupIn) -> tuple[service.Booking, caller_wakeup.CallerRoom | None]:
    if body.call_id is None:
        if not body.room:
            raise Invalid("Give the room number.", field="room")
        return body.booking(), None
    if body.room:
        raise Invalid("Give the room or the call, not both.", field="room")
    found = caller_wakeup.caller_room(db, body.call_id, at=_now())
    b = body.booking()
    b.room = found.room
    if not found.shown:
        b.addressed = "guest"  # the room found from the guest's stay: never shown to operators
    return b, found


_BOOKING_RULES = refusals(
    readback_confirmed="the wake-up read back to the guest first (console bookings)",
    confirm_duplicate="a second wake-up for the same room and minute confirmed",
    room="a room of the hotel, given unless call_id is", call_id="a call from a guest's room", time="a time of day", date="today or later, in the years Zongji keeps")


@console_router.post("/preview", openapi_extra=_BOOKING_RULES)
def preview(body: ConsoleWakeupIn, user: Console, request: Request, db: ReadDB) -> dict[str, Any]:
    b, found = _console_booking(db, body)
    out = service.preview(db, b, now=_now(), settings=_settings(request))
    if found is not None and not found.shown:
        return caller_wakeup.hide_room_in_preview(out, found.room)
    return out


@console_router.post("", status_code=201, openapi_extra=_BOOKING_RULES)
def book(body: ConsoleWakeupIn, user: Console, request: Request, db: WriteDB) -> dict[str, Any]:
    st = _settings(request)
    b, found = _console_booking(db, body)
    rows = service.book(db, b, actor=actor_of(user), user_id=user.id, now=_now(),
                        settings=st, channel="console")
    db.flush()
    items = [service.wakeup_out(w, st.tz) for w in rows]
    if found is not None and not found.shown:
        items = caller_wakeup.hide_room_in_items(items)
    return {"items": items}


@console_router.get("")
def board(user: Console, request: Request, db: ReadDB,
          date: Annotated[dt.date | None, IsoOnly, Query(description="Local date; default today")] = None
          ) -> dict[str, Any]:
    st = _settings(request)
    day = date or _now().astimezone(st.tz).date()
    return service.board(db, day=day, settings=st)


def _task_unit(db, user: User, request: Request) -> int | None:
    """None for console roles (every task); for a unit handler the id of the guest-service
    centre if that is their unit (they see the tasks addressed to it), else 403."""
    if user.role != Role.UNIT_HANDLER:
        return None
    unit = service.knock_unit(db, _settings(request))
    if unit is None or user.department_id != unit.id:
        raise Forbidden("Wake-up door tasks are for the guest-service centre's handlers only.",
                        field="unit")
    return unit.id


@console_router.get("/alerts")
def alerts(user: Console, request: Request, db: ReadDB) -> dict[str, Any]:
    return service.alerts(db, now=_now(), settings=_settings(request))


@console_router.get("/tasks")
def list_tasks(user: TaskReader, request: Request, db: ReadDB,
               kind: Annotated[Literal["knock_on_door", "manual_call"] | None, Query()] = None,
               state: Annotated[Literal["open", "done", "cancelled"] | None, Query()] = "open"
               ) -> dict[str, Any]:
    st = _settings(request)
    unit_id = _task_unit(db, user, request)
    if unit_id is not None and kind not in (None, "knock_on_door"):
        raise Forbidden("the guest-service centre sees the knock-on-door tasks", field="kind")
    if unit_id is not None:
        kind = "knock_on_door"
    return {"now": _now().astimezone(st.tz).isoformat(),
            "items": service.tasks(db, tz=st.tz, state=state, kind=kind, unit_id=unit_id)}


@console_router.post("/tasks/{task_id}/done")
def task_done(task_id: TaskId, user: TaskReader, request: Request, db: WriteDB) -> dict[str, Any]:
    """The guest is awake: the wake-up is done with its minutes late (R-H9)."""
    st = _settings(request)
    w = service.complete_task(db, task_id, actor=actor_of(user), user_id=user.id, now=_now(),
                              settings=st, unit_id=_task_unit(db, user, request))
    return service.wakeup_out(w, st.tz)


@console_router.post("/tasks/{task_id}/no-response")
def task_no_response(task_id: TaskId, user: TaskReader, request: Request,
                     db: WriteDB) -> dict[str, Any]:
    """Nobody answers the door: the duty manager is to be called; recorded with the minutes late."""
    st = _settings(request)
    task = service.task_no_response(db, task_id, actor=actor_of(user), user_id=user.id,
                                    now=_now(), settings=st, unit_id=_task_unit(db, user, request))
    return service.task_out(task, st.tz, service.get(db, task.wakeup_id))


@console_router.post("/tasks/{task_id}/no-answer")
def manual_call_no_answer(task_id: TaskId, user: Console, request: Request, db: WriteDB) -> dict[str, Any]:
    """The operator's manual call (telephony down) was not answered: send the floor staff to knock.
    Answers the new knock-on-door task."""
    st = _settings(request)
    knock = service.manual_call_no_answer(db, task_id, actor=actor_of(user), user_id=user.id, now=_now(),
                                          settings=st)
    return service.task_out(knock, st.tz, service.get(db, knock.wakeup_id))


@console_router.get("/handover")
def handover(user: Console, request: Request, db: ReadDB) -> dict[str, Any]:
    return service.handover_section(db, now=_now(), settings=_settings(request))


@console_router.get("/{wakeup_id}")
def get_one(wakeup_id: WakeupId, user: Console, request: Request, db: ReadDB) -> dict[str, Any]:
    return service.wakeup_out(service.get(db, wakeup_id), _settings(request).tz)


@console_router.patch("/{wakeup_id}", openapi_extra=_BOOKING_RULES)
def change(wakeup_id: WakeupId, body: WakeupPatch, user: Console, request: Request,
           db: WriteDB) -> dict[str, Any]:
    st = _settings(request)
    w = service.change(db, wakeup_id, actor=actor_of(user), user_id=user.id, now=_now(),
                       settings=st, wake_at=body.wake_at, time=body.time,
                       languages=tuple(body.languages) if body.languages else None, note=body.note)
    return service.wakeup_out(w, st.tz)


@console_router.post("/{wakeup_id}/cancel")
def cancel(wakeup_id: WakeupId, body: CancelIn, user: Console, request: Request,
           db: WriteDB) -> dict[str, Any]:
    st = _settings(request)
    rows = service.cancel(db, wakeup_id, actor=actor_of(user), user_id=user.id, now=_now(),
                          settings=st, series=body.series)
    return {"items": [service.wakeup_out(w, st.tz) for w in rows]}


@console_router.post("/{wakeup_id}/reached")
def reached(wakeup_id: WakeupId, body: ReachedIn, user: Console, request: Request,
            db: WriteDB) -> dict[str, Any]:
    st = _settings(request)
    w = service.mark_reached(db, wakeup_id, by=body.by, actor=actor_of(user), user_id=user.id,
                             now=_now(), settings=st)
    return service.wakeup_out(w, st.tz)


# --------------------------------------------------------------------------- integrations


TokenActor = Annotated[str, Depends(integration_actor("wakeup"))]


@api_router.post("", status_code=201, openapi_extra=_BOOKING_RULES)
def api_book(body: WakeupIn, actor: TokenActor, request: Request, db: WriteDB) -> dict[str, Any]:
    st = _settings(request)
    rows = service.book(db, body.booking(), actor=actor, now=_now(), settings=st, channel="api")
    db.flush()
    return {"items": [service.wakeup_out(w, st.tz) for w in rows]}


@api_router.get("/{wakeup_id}")
def api_get(wakeup_id: WakeupId, actor: TokenActor, request: Request, db: ReadDB) -> dict[str, Any]:
    return service.wakeup_out(service.get(db, wakeup_id), _settings(request).tz)


@api_router.patch("/{wakeup_id}", openapi_extra=_BOOKING_RULES)
def api_change(wakeup_id: WakeupId, body: WakeupPatch, actor: TokenActor, request: Request,
               db: WriteDB) -> dict[str, Any]:
    st = _settings(request)
    w = service.change(db, wakeup_id, actor=actor, now=_now(), settings=st, wake_at=body.wake_at,
                       time=body.time, languages=tuple(body.languages) if body.languages else None,
                       note=body.note)
    return service.wakeup_out(w, st.tz)


@api_router.delete("/{wakeup_id}")
def api_cancel(wakeup_id: WakeupId, actor: TokenActor, request: Request, db: WriteDB,
               series: Annotated[bool, Query()] = False) -> dict[str, Any]:
    st = _settings(request)
    rows = service.cancel(db, wakeup_id, actor=actor, now=_now(), settings=st, series=series)
    return {"items": [service.wakeup_out(w, st.tz) for w in rows]}


router = area_router()
router.routes.extend([*console_router.routes, *api_router.routes])  # as they are (errors.area_router)
