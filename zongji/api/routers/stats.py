"""Statistics (issue 10): the figures' definitions and the live wallboard.

- ``GET /api/stats/figures``: every figure with its zh/en label and definition (what is counted,
  what is not), and the settings its definition refers to.
- ``GET /api/stats/wallboard``: the wallboard's figures now, for the lines the user works for
  (shift leader, supervisor, admin).
- ``GET /api/stats/forecast``: the operators each half-hour of next week needs (Erlang C), from
  the last weeks' calls (shift leader, supervisor, admin).
- ``GET /api/stats/orders``: the work-order figures of a range of days by day, unit (the units'
  ranking), type, channel or category (console roles; a unit handler their unit's orders).
- ``GET /api/stats/operators`` (and ``.xlsx``): each operator's period — calls answered, handle
  time, transfers, messages and their completeness, orders, callbacks, satisfaction — with the
  evaluator's comment (``PUT /api/stats/operators/{user_id}/comment``).
- ``GET /api/stats/wakeups`` (and ``.xlsx``): the wake-ups of each day — due, reached, confirmed on
  the first call, at the door, by an operator, escalated, cancelled, minutes late (R-H14).
- ``GET /api/stats/calls`` and ``/api/stats/calls.xlsx``: the call figures of a range of days by
  day, week, month, line, operator, category or half-hour of the week (console roles; an operator
  sees the calls they answered).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from fastapi import Depends, Query
from fastapi.responses import Response

from zongji.api.deps import IdPath, IsoOnly, ReadDB, WriteDB, actor_of, get_settings, require_roles
from zongji.api.models import ApiModel
from zongji.api.errors import area_router, error_responses, refusals
from zongji.services import audit
from zongji.domain.roles import CONSOLE_ROLES, STATS_ROLES, Role
from zongji.domain.stats.kpi import FIGURES
from zongji.services.stats import policy as stats_policy
from zongji.services.stats import forecast, operators, order_reports, reports, wakeup_reports, wallboard
from zongji.settings import Settings
from zongji.store.models import User

router = area_router(prefix="/api/stats", tags=["statistics"], responses=error_responses())

Watcher = Annotated[User, Depends(require_roles(STATS_ROLES))]
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Cfg = Annotated[Settings, Depends(get_settings)]


@router.get("/figures", summary="Every figure with its label and definition")
def figures(user: Console, settings: Cfg) -> dict[str, Any]:
    p = stats_policy.policy_from(settings)
    return {"figures": [wallboard.figure_out(f) for f in FIGURES],
            "policy": {"short_abandon_seconds": p.short_abandon_seconds,
                       "service_level_seconds": p.service_level_seconds,
                       "abandon_treatment": str(p.abandon_treatment),
                       "basically_satisfied_weight": p.basically_satisfied_weight}}


@router.get("/wallboard", summary="The live wallboard's figures now")
def get_wallboard(user: Watcher, db: ReadDB, settings: Cfg) -> dict[str, Any]:
    return wallboard.snapshot(db, user, settings)


Day = Annotated[dt.date, IsoOnly, Query(description="A local date, YYYY-MM-DD (inclusive)")]
Group = Annotated[Literal["day", "week", "month", "line", "operator", "category", "interval"], Query(
    description="One row per day, week, month, line, operator, category, or half-hour of the week (interval)")]
_RANGE = refusals(date_from="in the years Zongji keeps",
                  date_to=f"not before date_from, at most {reports.MAX_DAYS} days after it")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _locale(user: User) -> str:
    return user.locale if user.locale in ("zh-CN", "en") else "zh-CN"


WORKBOOK = {200: {"content": {XLSX: {}}, "description": "An XLSX workbook"}}


def _workbook(db: Any, user: User, entity: str, data: dict[str, Any], body: bytes, stem: str,
              **detail: str) -> Response:
    """An export: audited (who took which figures of which days), named after its range."""
    audit.record(db, actor=actor_of(user), user_id=user.id, action="export", entity=entity,
                 detail={"date_from": data["date_from"], "date_to": data["date_to"], **detail})
    name = "-".join((stem, data["date_from"], data["date_to"], *detail.values())) + ".xlsx"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/calls", summary="Call figures of a range of days, grouped", openapi_extra=_RANGE)
def call_report(user: Console, db: ReadDB, settings: Cfg, date_from: Day, date_to: Day,
                group: Group = "day") -> dict[str, Any]:
    return reports.call_report(db, user, settings, date_from=date_from, date_to=date_to, group=group,
                               locale=_locale(user))


@router.get("/calls.xlsx", summary="The call report as an XLSX workbook", response_class=Response,
            responses=WORKBOOK, openapi_extra=_RANGE)
def call_report_xlsx(user: Console, db: WriteDB, settings: Cfg, date_from: Day, date_to: Day,
                     group: Group = "day") -> Response:
    data = reports.call_report(db, user, settings, date_from=date_from, date_to=date_to, group=group,
                               locale=_locale(user))
    return _workbook(db, user, "call_report", data, reports.report_xlsx(data, _locale(user), "calls"), "calls",
                     group=group)


@router.get("/forecast", summary="Operators needed per half-hour of next week (Erlang C)")
def staffing_forecast(
    user: Watcher, db: ReadDB, settings: Cfg,
    weeks: Annotated[int, Query(ge=1, le=12, description="Whole weeks of history to average")] = 4,
    target_seconds: Annotated[float, Query(gt=0, le=600, description="Answered within this many seconds")] = 20,
    target_level: Annotated[float, Query(gt=0, lt=1, description="Share answered within target_seconds")] = 0.8,
    shrinkage: Annotated[float, Query(ge=0, lt=1, description="Share of paid time off the phones")] = 0.3,
    max_occupancy: Annotated[float, Query(gt=0, le=1, description="Most of their time operators talk")] = 0.85,
) -> dict[str, Any]:
    return forecast.staffing(db, user, settings, weeks=weeks, target_seconds=target_seconds,
                             target_level=target_level, shrinkage=shrinkage, max_occupancy=max_occupancy)


Reader = Annotated[User, Depends(require_roles(CONSOLE_ROLES | {Role.UNIT_HANDLER}))]
OrderGroup = Annotated[Literal["day", "unit", "type", "channel", "category"], Query(
    description="One row per day of creation, handling unit (ranked), type, channel or category")]


@router.get("/orders", summary="Work-order figures of a range of days, grouped", openapi_extra=_RANGE)
def order_report(user: Reader, db: ReadDB, settings: Cfg, date_from: Day, date_to: Day,
                 group: OrderGroup = "unit") -> dict[str, Any]:
    return order_reports.order_report(db, user, settings, date_from=date_from, date_to=date_to, group=group,
                                      locale=_locale(user))


@router.get("/orders.xlsx", summary="The work-order report as an XLSX workbook", response_class=Response,
            responses=WORKBOOK, openapi_extra=_RANGE)
def order_report_xlsx(user: Reader, db: WriteDB, settings: Cfg, date_from: Day, date_to: Day,
                      group: OrderGroup = "unit") -> Response:
    data = order_reports.order_report(db, user, settings, date_from=date_from, date_to=date_to, group=group,
                                      locale=_locale(user))
    return _workbook(db, user, "order_report", data, reports.report_xlsx(data, _locale(user), "orders"), "orders",
                     group=group)


@router.get("/operators", summary="Each operator's period: calls, messages, orders, satisfaction",
            openapi_extra=_RANGE)
def operator_evaluation(user: Console, db: ReadDB, settings: Cfg, date_from: Day, date_to: Day) -> dict[str, Any]:
    return operators.evaluation(db, user, settings, date_from=date_from, date_to=date_to)


@router.get("/operators.xlsx", summary="The operators' evaluation as an XLSX workbook", response_class=Response,
            responses=WORKBOOK, openapi_extra=_RANGE)
def operator_evaluation_xlsx(user: Console, db: WriteDB, settings: Cfg, date_from: Day, date_to: Day) -> Response:
    data = operators.evaluation(db, user, settings, date_from=date_from, date_to=date_to)
    return _workbook(db, user, "operator_evaluation", data, reports.evaluation_xlsx(data, _locale(user)), "operators")


class CommentIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    date_from: Annotated[dt.date, IsoOnly]
    date_to: Annotated[dt.date, IsoOnly]
    comment: str = Field(min_length=1, max_length=operators.COMMENT_MAX, pattern=r"^[^\x00]*[^\s\x00][^\x00]*$")


@router.put("/operators/{user_id}/comment", summary="Comment on an operator's period (shift leader, supervisor, admin)",
            openapi_extra=refusals(user_id="an operator the user evaluates, not themselves",
                                   date_from="in the years Zongji keeps", date_to="not before date_from"))
def comment_operator(user_id: IdPath, body: CommentIn, user: Watcher, db: WriteDB) -> dict[str, Any]:
    return operators.set_comment(db, user, user_id, date_from=body.date_from, date_to=body.date_to, text=body.comment)


@router.get("/wakeups", summary="Wake-ups of each day of a range", openapi_extra=_RANGE)
def wakeup_report(user: Console, db: ReadDB, settings: Cfg, date_from: Day, date_to: Day) -> dict[str, Any]:
    return wakeup_reports.wakeup_report(db, settings, date_from=date_from, date_to=date_to)


@router.get("/wakeups.xlsx", summary="The wake-up report as an XLSX workbook", response_class=Response,
            responses=WORKBOOK, openapi_extra=_RANGE)
def wakeup_report_xlsx(user: Console, db: WriteDB, settings: Cfg, date_from: Day, date_to: Day) -> Response:
    data = wakeup_reports.wakeup_report(db, settings, date_from=date_from, date_to=date_to)
    return _workbook(db, user, "wakeup_report", data, reports.report_xlsx(data, _locale(user), "wakeups"), "wakeups")
