"""Call charges (issue 13 point 4, R-H10; R-H14).

- ``GET /api/charges?view=missed|all&room=&date_from=&date_to=&limit=``: charges newest first —
  ``missed`` (default): not on a folio yet (queued, with the PMS, refused, no stay, no rate), the
  missed or skipped charges report; ``all``: every charge of the days given. With the counts of
  charges not posted. Shift leaders, supervisors, admins (they may see rooms, R-H4).
- ``GET /api/charges/for-call/{call_id}``: for the operator on a guest's call, the charges of the
  room the call comes from during the guest's stay (duration and amount to tell the guest; the
  room itself is not shown to an operator). Console roles.
- ``GET /api/charges/quote?number=&minutes=``: what a call to ``number`` would cost for
  ``minutes`` minutes (a guest who asks before dialling). Console roles.
- ``POST /api/charges/{charge_id}/requeue | post-by-hand | write-off`` with ``{"reason"}``: a
  person settles a charge not posted (a reason is required to write one off). Shift leaders,
  supervisors, admins; audited.
- ``GET /api/charges/long-distance?date_from=&date_to=`` (and ``.xlsx``): the IDD/DDD statistics
  of those days by day, room and department (R-H14). Shift leaders, supervisors, admins.
- ``GET /api/charges/policies``; ``PUT /api/charges/policies/{number}`` with ``{"split",
  "person_share_percent", "monthly_cap_fen", "warn_percent"}``; ``POST
  /api/charges/policies/{policy_id}/lift``: who pays a company number's calls and its monthly
  cap; at the cap its long distance is barred until the month ends or a supervisor lifts it
  (R-C6). ``GET /api/charges/statement?month=YYYY-MM`` (and ``.xlsx``): the month's statement per
  person and department with the unit's and the person's parts. Supervisors and admins.
- ``GET /api/charges/special?day=`` (and ``.xlsx``): the week's special calls (R-H14) — emergency
  numbers, destinations without a rate, charges of ``CHARGES_SPECIAL_YUAN`` or more, calls of
  ``CHARGES_SPECIAL_MINUTES`` or longer, charges written off — with why. Shift leaders and above.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import Field

from zongji.api.deps import IdPath, IsoOnly, ReadDB, WriteDB, actor_of, get_settings, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.roles import ADMIN_ROLES, CONSOLE_ROLES, LEADER_ROLES
from zongji.services import audit
from zongji.services.charges import policies, posting, quotes, reports
from zongji.settings import Settings
from zongji.store.models import User

router = area_router(prefix="/api/charges", tags=["call charges"], responses=error_responses())
Leader = Annotated[User, Depends(require_roles(LEADER_ROLES))]
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Admin = Annotated[User, Depends(require_roles(ADMIN_ROLES))]
Cfg = Annotated[Settings, Depends(get_settings)]
Day = Annotated[dt.date | None, IsoOnly, Query(description="A local date, YYYY-MM-DD (inclusive)")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SettleIn(ApiModel):
    reason: str | None = Field(None, max_length=200)


@router.get("", summary="Call charges: those not on a folio yet, or every charge of some days",
            openapi_extra=refusals(room="a room number", date_from="in the years Zongji keeps",
                                   date_to=f"not before date_from, at most {reports.MAX_DAYS} days"))
def list_charges(user: Leader, db: ReadDB, settings: Cfg, view: Literal["missed", "all"] = "missed",
                 room: Annotated[str | None, Query(max_length=20)] = None, date_from: Day = None,
                 date_to: Day = None, limit: Annotated[int, Query(ge=1, le=reports.LIST_MAX)] = 200) -> dict[str, Any]:
    return reports.listing(db, settings, view=view, room=room, date_from=date_from, date_to=date_to, limit=limit)


@router.get("/for-call/{call_id}", summary="The charges of the room a guest's call comes from, during the stay",
            openapi_extra=refusals(call_id="a call from a room"))
def charges_for_call(call_id: IdPath, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    out = quotes.for_call(db, settings, call_id)
    if out["items"]:
        audit.record(db, actor=actor_of(user), user_id=user.id, action="read", entity="call_charges",
                     detail={"call_id": call_id, "count": len(out["items"])})
    return out


@router.get("/quote", summary="What a call to a number would cost",
            openapi_extra=refusals(number="a number with digits"))
def quote(user: Console, db: ReadDB, settings: Cfg, number: Annotated[str, Query(min_length=1, max_length=40)],
          minutes: Annotated[int, Query(ge=1, le=600)] = 1) -> dict[str, Any]:
    return quotes.quote(db, settings, number, minutes)


def _settle(action: str, charge_id: int, body: SettleIn, user: User, db: Any, settings: Settings) -> dict[str, Any]:
    c = posting.act(db, charge_id, action, actor=actor_of(user), reason=body.reason,
                    now=dt.datetime.now(dt.UTC))
    return reports.charge_out(c, settings)


_SETTLE = refusals(action="only a charge not yet posted", reason="required to write a charge off")


@router.post("/{charge_id}/requeue", summary="Post a refused or stay-less charge again", openapi_extra=_SETTLE)
def requeue(charge_id: IdPath, body: SettleIn, user: Leader, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return _settle("requeue", charge_id, body, user, db, settings)


@router.post("/{charge_id}/post-by-hand", summary="Record a charge posted by hand at the front desk",
             openapi_extra=_SETTLE)
def post_by_hand(charge_id: IdPath, body: SettleIn, user: Leader, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return _settle("post_by_hand", charge_id, body, user, db, settings)


@router.post("/{charge_id}/write-off", summary="Write a charge off, with the reason", openapi_extra=_SETTLE)
def write_off(charge_id: IdPath, body: SettleIn, user: Leader, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return _settle("write_off", charge_id, body, user, db, settings)


_RANGE = refusals(date_from="in the years Zongji keeps",
                  date_to=f"not before date_from, at most {reports.MAX_DAYS} days after it", day="in the years Zongji keeps")


def _range(date_from: dt.date | None, date_to: dt.date | None, settings: Settings) -> tuple[dt.date, dt.date]:
    today = dt.datetime.now(settings.tz).date()
    return date_from or date_to or today, date_to or date_from or today


@router.get("/long-distance", summary="IDD and DDD calls by day, room and department", openapi_extra=_RANGE)
def long_distance(user: Leader, db: ReadDB, settings: Cfg, date_from: Day = None, date_to: Day = None) -> dict[str, Any]:
    start, end = _range(date_from, date_to, settings)
    return reports.long_distance(db, settings, date_from=start, date_to=end)


@router.get("/long-distance.xlsx", summary="The IDD and DDD statistics as an XLSX workbook", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "An XLSX workbook"}}, openapi_extra=_RANGE)
def long_distance_xlsx(request: Request, user: Leader, db: WriteDB, settings: Cfg, date_from: Day = None,
                       date_to: Day = None) -> Response:
    start, end = _range(date_from, date_to, settings)
    data = reports.long_distance(db, settings, date_from=start, date_to=end)
    audit.record(db, actor=actor_of(user), user_id=user.id, action="export", entity="call_charges",
                 detail={"date_from": data["date_from"], "date_to": data["date_to"]})
    body = reports.long_distance_xlsx(data, user.locale if user.locale in ("zh-CN", "en") else "zh-CN")
    name = f"long-distance-{data['date_from']}-{data['date_to']}.xlsx"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


class PolicyIn(ApiModel):
    split: Literal["unit", "person", "share"] = "unit"
    person_share_percent: int = Field(0, ge=0, le=100)
    monthly_cap_fen: int | None = Field(None, ge=0, le=100_000_000)
    warn_percent: int | None = Field(None, ge=1, le=100)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.get("/policies", summary="Company numbers: who pays their calls, their monthly caps")
def list_policies(user: Admin, db: ReadDB, settings: Cfg) -> list[dict[str, Any]]:
    return policies.listing(db, settings, _now())


@router.put("/policies/{number}", summary="Set who pays a company number's calls and its cap",
            openapi_extra=refusals(number="a number of the directory", split="only the unit pays a department's",
                                   person_share_percent="1 to 99 for a share"))
def put_policy(number: Annotated[str, Path(max_length=40)], body: PolicyIn, user: Admin, db: WriteDB,
               settings: Cfg) -> dict[str, Any]:
    p = policies.save(db, settings, number, split=body.split, person_share_percent=body.person_share_percent,
                      monthly_cap_fen=body.monthly_cap_fen, warn_percent=body.warn_percent, actor=actor_of(user),
                      now=_now())
    return policies.policy_out(p, db, settings, _now())


@router.post("/policies/{policy_id}/lift", summary="Lift a number's long-distance bar for the rest of the month",
             openapi_extra=refusals(policy_id="a barred number"))
def lift_bar(policy_id: IdPath, user: Admin, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    p = policies.lift(db, settings, policy_id, actor=actor_of(user), now=_now())
    return policies.policy_out(p, db, settings, _now())


Month = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (default: this month)")]


def _month(month: str | None, settings: Settings) -> str:
    return month or dt.datetime.now(settings.tz).strftime("%Y-%m")


@router.get("/statement", summary="A month's statement of company numbers' calls",
            openapi_extra=refusals(month="YYYY-MM, in the years Zongji keeps"))
def get_statement(user: Admin, db: ReadDB, settings: Cfg, month: Month = None) -> dict[str, Any]:
    return reports.statement(db, settings, month=_month(month, settings))


@router.get("/statement.xlsx", summary="The month's statement as an XLSX workbook", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "An XLSX workbook"}},
            openapi_extra=refusals(month="YYYY-MM"))
def get_statement_xlsx(user: Admin, db: WriteDB, settings: Cfg, month: Month = None) -> Response:
    data = reports.statement(db, settings, month=_month(month, settings))
    audit.record(db, actor=actor_of(user), user_id=user.id, action="export", entity="cost_statement",
                 detail={"month": data["month"]})
    body = reports.statement_xlsx(data, user.locale if user.locale in ("zh-CN", "en") else "zh-CN")
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="call-costs-{data["month"]}.xlsx"'})


@router.get("/special", summary="The week's special calls: emergency numbers, no rate, high charges, long calls",
            openapi_extra=_RANGE)
def get_special(user: Leader, db: ReadDB, settings: Cfg, day: Day = None) -> dict[str, Any]:
    return reports.special_calls(db, settings, day=day or dt.datetime.now(settings.tz).date())


@router.get("/special.xlsx", summary="The week's special calls as an XLSX workbook", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "An XLSX workbook"}}, openapi_extra=_RANGE)
def get_special_xlsx(user: Leader, db: WriteDB, settings: Cfg, day: Day = None) -> Response:
    data = reports.special_calls(db, settings, day=day or dt.datetime.now(settings.tz).date())
    audit.record(db, actor=actor_of(user), user_id=user.id, action="export", entity="special_calls",
                 detail={"date_from": data["date_from"]})
    body = reports.special_calls_xlsx(data, user.locale if user.locale in ("zh-CN", "en") else "zh-CN")
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="special-calls-{data["date_from"]}.xlsx"'})
