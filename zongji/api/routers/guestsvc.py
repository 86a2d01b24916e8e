"""The guest-service centre (客房服务中心, issue 13). Who may do what is decided in
``zongji.services.guestsvc.centre``: the centre's page is for its staff (the handlers of the
``guestsvc_centre_unit`` department) and the roles that see rooms; a floor attendant acts on the
requests routed to them; the console's roles make a request from a guest's call.

- ``GET /api/guestsvc/catalogue``; ``POST|PUT /api/guestsvc/catalogue[/{id}]`` (the centre, the office);
- ``GET /api/guestsvc/roster?day=&shift=``; ``PUT /api/guestsvc/roster``; ``DELETE /api/guestsvc/roster/{id}``;
- ``POST /api/guestsvc/requests`` ``{item_id, room | call_id, quantity, note}`` → 201;
- ``GET /api/guestsvc/requests`` the centre's board (open, to follow up, loans out, dishes);
- ``GET /api/guestsvc/my-requests`` the attendant's own;
- ``POST /api/guestsvc/requests/{id}/accept|done|cancel``; ``…/follow-up {result, note}``;
  ``…/return {check}`` (a loan); ``…/dishes-collected`` (room service);
- ``POST /api/guestsvc/sign-in``; ``GET /api/guestsvc/records``; ``POST /api/guestsvc/keys``,
  ``…/keys/{id}/return``; ``POST /api/guestsvc/lost-found``, ``…/lost-found/{id}/close``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from pydantic import ConfigDict, Field

from zongji.api.deps import ID_MAX, CurrentUser, IdPath, IsoOnly, ReadDB, WriteDB
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.guestsvc import catalogue as cat
from zongji.domain.roles import CONSOLE_ROLES
from zongji.errors import Forbidden, Invalid
from zongji.services.guestsvc import analysis, centre, records, requests
from zongji.store.models import utcnow

router = area_router(prefix="/api/guestsvc", tags=["guest-service centre"],
                   responses=error_responses({404: "No such record"}))


class ItemIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    name_zh: str = Field(min_length=1, max_length=80)
    name_en: str = Field("", max_length=80)
    team: Literal[tuple(cat.Team)]  # type: ignore[valid-type]
    kind: Literal[tuple(cat.Kind)] = "service"  # type: ignore[valid-type]
    charged: bool = False
    price_yuan: float | None = Field(None, ge=0, le=100000, description="A charged item's price of one, if fixed")
    target_minutes: int | None = Field(None, ge=1, le=cat.MAX_TARGET_MINUTES)
    position: int = Field(0, ge=0, le=10000)
    active: bool = True


class CoverIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    day: Annotated[dt.date, IsoOnly]
    shift: int = Field(ge=0, le=9)
    attendant_id: int = Field(ge=1, le=ID_MAX)
    floors: str = Field(min_length=1, max_length=200)


class RequestIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    item_id: int = Field(ge=1, le=ID_MAX)
    room: str | None = Field(None, max_length=20)
    call_id: int | None = Field(None, ge=1, le=ID_MAX, description="A guest's call on the console: its room")
    quantity: int = Field(1, ge=1, le=99)
    note: str = Field("", max_length=1000)


class ActIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    amount_yuan: float | None = Field(None, ge=0, le=100000,
                                      description="Done: what a charged request costs the guest (minibar, room service)")


class FollowUpIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    result: Literal["satisfied", "not_satisfied", "no_answer"]
    note: str = Field("", max_length=1000)


class ReturnIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    check: Literal["ok", "damaged", "incomplete"] = "ok"


class KeyIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    key_label: str = Field(min_length=1, max_length=80)
    holder: str = Field(min_length=1, max_length=100)


class LostIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    description: str = Field(min_length=1, max_length=200)
    found_where: str = Field(min_length=1, max_length=120)
    found_by: str = Field(min_length=1, max_length=100)
    kept_where: str = Field(min_length=1, max_length=120)


class CloseLostIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    returned_to: str | None = Field(None, max_length=120)
    disposed: bool = False


def _settings(request: Request):
    return request.app.state.settings


def _one(db, user, request: Request, r, now: dt.datetime | None = None) -> dict[str, Any]:
    s = _settings(request)
    return requests.shown(db, user, s, requests.request_out(db, r, now or utcnow(), s))


# --------------------------------------------------------------------------- catalogue and roster


@router.get("/catalogue", summary="The service catalogue")
def catalogue(user: CurrentUser, db: ReadDB, include_inactive: bool = False) -> dict[str, Any]:
    return {"items": [centre.item_out(i) for i in centre.items(db, active_only=not include_inactive)],
            "teams": [{"code": t.value, "zh": cat.TEAM_NAMES[t][0], "en": cat.TEAM_NAMES[t][1]} for t in cat.Team]}


@router.post("/catalogue", status_code=201, summary="Add a catalogue item",
             openapi_extra=refusals(name_zh="not blank"))
def add_item(body: ItemIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    centre.require_manager(db, user, _settings(request))
    return {"item": centre.item_out(centre.save_item(db, body.model_dump(), actor=f"user:{user.username}",
                                                     settings=_settings(request)))}


@router.put("/catalogue/{item_id}", summary="Change a catalogue item")
def change_item(item_id: IdPath, body: ItemIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    centre.require_manager(db, user, _settings(request))
    return {"item": centre.item_out(centre.save_item(db, body.model_dump(), actor=f"user:{user.username}",
                                                     settings=_settings(request), item_id=item_id))}


@router.get("/roster", summary="Who covers which floors in a shift (default: the shift now)")
def roster(user: CurrentUser, request: Request, db: ReadDB,
           day: Annotated[dt.date | None, IsoOnly, Query()] = None,
           shift: Annotated[int | None, Query(ge=0, le=9)] = None) -> dict[str, Any]:
    s = _settings(request)
    centre.require_centre(db, user, s)
    slot = centre.shift_now(utcnow(), s)
    d, i = day or slot.day, slot.index if shift is None else shift
    return {"day": d.isoformat(), "shift": i, "shifts": len(centre.starts(s)),
            "covers": [centre.cover_out(db, c) for c in centre.covers(db, d, i)],
            "attendants": [{"id": u.id, "name": u.display_name} for u in centre.attendants(db, s)]}


@router.put("/roster", summary="Put an attendant on floors for a shift",
            openapi_extra=refusals(floors="floors and ranges such as 3-5,7", attendant_id="the centre's handler",
                                   shift="one of the shifts of SHIFT_STARTS"))
def set_cover(body: CoverIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    s = _settings(request)
    centre.require_manager(db, user, s)
    row = centre.set_cover(db, day=body.day, shift=body.shift, attendant_id=body.attendant_id, floors=body.floors,
                           actor=f"user:{user.username}", settings=s)
    return {"cover": centre.cover_out(db, row)}


@router.delete("/roster/{cover_id}", status_code=204, summary="Remove a roster entry")
def remove_cover(cover_id: IdPath, user: CurrentUser, request: Request, db: WriteDB) -> None:
    centre.require_manager(db, user, _settings(request))
    centre.remove_cover(db, cover_id, actor=f"user:{user.username}")


# --------------------------------------------------------------------------- requests


@router.post("/requests", status_code=201, summary="Record a guest's request",
             openapi_extra=refusals(room="a room with a guest in house", call_id="a guest's call",
                                    item_id="an active catalogue item"))
def create_request(body: RequestIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    s = _settings(request)
    if body.call_id is not None:
        if user.role not in CONSOLE_ROLES:
            raise Forbidden("requests from a call are made on the console")
    else:
        centre.require_centre(db, user, s)
    if body.call_id is None and not (body.room or "").strip():
        raise Invalid("the room, or the guest's call", field="room")
    now = utcnow()
    r = requests.create(db, user, s, item_id=body.item_id, room=body.room, call_id=body.call_id,
                        quantity=body.quantity, note=body.note, now=now)
    return {"request": _one(db, user, request, r, now)}


@router.get("/requests", summary="The centre's board")
def board(user: CurrentUser, request: Request, db: ReadDB) -> dict[str, Any]:
    s = _settings(request)
    centre.require_centre(db, user, s)
    now = utcnow()

    def out(rows):
        return [requests.shown(db, user, s, requests.request_out(db, r, now, s)) for r in rows]

    return {"open": out(requests.open_requests(db)), "follow_up": out(requests.follow_ups_due(db)),
            "loans_out": out(requests.loans_out(db)), "dishes_out": out(requests.dishes_out(db)),
            "response_minutes": s.guestsvc_response_minutes}


@router.get("/my-requests", summary="The attendant's requests")
def mine(user: CurrentUser, request: Request, db: ReadDB) -> dict[str, Any]:
    s = _settings(request)
    now = utcnow()
    return {"requests": [requests.shown(db, user, s, requests.request_out(db, r, now, s))
                         for r in requests.for_attendant(db, user.id)]}


@router.post("/requests/{request_id}/follow-up", summary="The centre's call back: the guest's answer")
def follow_up(request_id: IdPath, body: FollowUpIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    now = utcnow()
    r = requests.follow_up(db, request_id, user, _settings(request), result=body.result, note=body.note, now=now)
    return {"request": _one(db, user, request, r, now)}


@router.post("/requests/{request_id}/return", summary="A borrowed item is back, checked")
def return_loan(request_id: IdPath, body: ReturnIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    now = utcnow()
    r = requests.return_loan(db, request_id, user, _settings(request), check=body.check, now=now)
    return {"request": _one(db, user, request, r, now)}


@router.post("/requests/{request_id}/dishes-collected", summary="Room service: the dishes are collected")
def dishes(request_id: IdPath, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    now = utcnow()
    r = requests.dishes_collected(db, request_id, user, _settings(request), now=now)
    return {"request": _one(db, user, request, r, now)}


# --------------------------------------------------------------------------- the centre's records


@router.post("/sign-in", status_code=201, summary="Sign in for the shift running now")
def sign_in(user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    s = _settings(request)
    centre.require_centre(db, user, s)
    row = records.sign_in(db, user, s, utcnow())
    return {"day": row.day.isoformat(), "shift": row.shift}


@router.get("/analysis", summary="What guests asked for, borrowed and called about, against the targets (R-G3)",
            openapi_extra=refusals(day="in the years Zongji keeps"))
def analysis_report(user: CurrentUser, request: Request, db: ReadDB,
                    period: Literal["week", "month"] = "week",
                    day: Annotated[dt.date | None, IsoOnly, Query(description="A day of the period (default: today)")] = None
                    ) -> dict[str, Any]:
    s = _settings(request)
    centre.require_centre(db, user, s)
    return analysis.report(db, s, period=period, day=day or utcnow().astimezone(s.tz).date())


@router.get("/records", summary="Sign-ins today, keys out, lost and found kept")
def centre_records(user: CurrentUser, request: Request, db: ReadDB) -> dict[str, Any]:
    s = _settings(request)
    centre.require_centre(db, user, s)
    now = utcnow()
    today = now.astimezone(s.tz).date()
    slot = centre.shift_now(now, s)
    return {"sign_ins": records.sign_ins(db, slot.day, s),
            "keys_out": [records.key_out(k, s.tz) for k in records.keys_out(db)],
            "lost_found": [records.lost_out(x, s.tz, today) for x in records.lost_open(db)]}


@router.post("/keys", status_code=201, summary="Issue a work key")
def issue_key(body: KeyIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    s = _settings(request)
    centre.require_centre(db, user, s)
    return {"key": records.key_out(records.issue_key(db, user, s, key_label=body.key_label, holder=body.holder,
                                                     now=utcnow()), s.tz)}


@router.post("/keys/{key_id}/return", summary="A work key is back")
def return_key(key_id: IdPath, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    s = _settings(request)
    centre.require_centre(db, user, s)
    return {"key": records.key_out(records.return_key(db, key_id, user, utcnow()), s.tz)}


@router.post("/lost-found", status_code=201, summary="Record a found item")
def record_found(body: LostIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    s = _settings(request)
    centre.require_centre(db, user, s)
    now = utcnow()
    x = records.record_found(db, user, s, now=now, **body.model_dump())
    return {"item": records.lost_out(x, s.tz, now.astimezone(s.tz).date())}


@router.post("/lost-found/{item_id}/close", summary="Returned to its owner, or disposed of after its date",
             openapi_extra=refusals(disposed="not before the disposal date", returned_to="whom, unless disposed"))
def close_found(item_id: IdPath, body: CloseLostIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    s = _settings(request)
    centre.require_centre(db, user, s)
    now = utcnow()
    x = records.close_found(db, item_id, user, s, returned_to=body.returned_to, disposed=body.disposed, now=now)
    return {"item": records.lost_out(x, s.tz, now.astimezone(s.tz).date())}


# Last: its path would take the paths above as an action.
@router.post("/requests/{request_id}/{action}", summary="Accept, done or cancel a request",
             openapi_extra=refusals(state="the request's state allows it",
                                    amount_yuan="only when a charged request is done"))
def act(request_id: IdPath, action: Literal["accept", "done", "cancel"], user: CurrentUser, request: Request,
        db: WriteDB, body: ActIn | None = None) -> dict[str, Any]:
    now = utcnow()
    amount = None if body is None or body.amount_yuan is None else int(round(body.amount_yuan * 100))
    r = requests.act(db, request_id, action, user, _settings(request), now=now, amount_fen=amount)
    return {"request": _one(db, user, request, r, now)}
