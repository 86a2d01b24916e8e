"""Admin of what work orders run on (issue 4): the business calendar (holidays, adjusted working
days, importable years, per-unit days), SLA policies, the category tree and unit contacts.

Everyone logged in may read; supervisors and admins may change. Every change is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import ConfigDict, Field

from zongji.api.deps import ID_MAX, CurrentUser, ReadDB, WriteDB, require_roles
from zongji.api.models import ApiModel
from zongji.api.errors import area_router, refusals
from zongji.domain import time_range
from zongji.domain.roles import ADMIN_ROLES
from zongji.services import calendar_changes, unit_contacts
from zongji.services import sla as sla_store
from zongji.services.work_orders import categories
from zongji.errors import Invalid
from zongji.store.models import User, utcnow

router = area_router(prefix="/api", tags=["work orders admin"])
Admin = Annotated[User, Depends(require_roles(ADMIN_ROLES))]


class DayIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    is_working: bool
    name: str = Field(default="", max_length=100)
    windows: list[Annotated[list[Annotated[str, Field(max_length=5)]], Field(min_length=2, max_length=2)]] | None = Field(
        default=None, max_length=8, description='Working windows, each ["HH:MM", "HH:MM"]')
    unit_id: int | None = Field(default=None, ge=1, le=ID_MAX)


class ImportIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1900, le=2200)
    csv: str | None = Field(default=None, max_length=200_000,
                            description="lines date,is_working,name (班/休， yes/no, 1/0)")
    xlsx_base64: str | None = Field(default=None, max_length=3_000_000,
                                    description="an .xlsx file (base64): first sheet, columns date, 班/休， name")


class PoliciesIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    policies: list[dict[str, Any]] = Field(max_length=200)


class CategoryRow(ApiModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=200)
    name_zh: str = Field(max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    unit: str | None = Field(default=None, max_length=100)
    sort: int | None = Field(default=None, ge=-2**31, le=2**31 - 1)  # an INTEGER column


class CategoriesIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[CategoryRow] | None = Field(default=None, max_length=5000)
    csv: str | None = Field(default=None, max_length=500_000, description="code,name_zh,name_en,unit")


class ContactIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
    sms_mobile: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9]{5,20}$")


_Day = Annotated[str, Path(json_schema_extra={"format": "date"}, description="YYYY-MM-DD")]
_DAY_RULE = refusals(day="outside the years Zongji keeps",
                     windows="pairs of HH:MM times, each window ending after it starts")


def _actor(user: User) -> str:
    return f"user:{user.username}"


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid("use YYYY-MM-DD", field="day") from None
    if not time_range.in_range(day):
        raise Invalid(time_range.out_of_range_message("day"), field="day")
    return day


@router.get("/calendar/status")
def calendar_status(request: Request, user: CurrentUser, db: ReadDB) -> dict[str, Any]:
    """Whether next year's holiday notice is due and missing (in the site's time zone), and
    which of this year and the next are provisional (holidays by rule, adjusted days unknown)."""
    settings = request.app.state.settings
    return sla_store.calendar_status(db, settings.tz, utcnow(), settings.calendar_reminder_from)


@router.get("/calendar/{year}")
def get_year(year: Annotated[int, Path(ge=1900, le=2200)], request: Request, user: CurrentUser, db: ReadDB,
             unit_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None) -> dict[str, Any]:
    return sla_store.calendar_year(db, year, request.app.state.settings.tz, unit_id)


@router.put("/calendar/days/{day}", openapi_extra=_DAY_RULE)
def put_day(day: _Day, body: DayIn, request: Request, user: Admin, db: WriteDB) -> dict[str, Any]:
    row, report = calendar_changes.set_day(
        db, tz=request.app.state.settings.tz, day=_date(day), is_working=body.is_working, name=body.name,
        windows=body.windows, unit_id=body.unit_id, actor=_actor(user), user_id=user.id)
    return {"day": row.day.isoformat(), "is_working": row.is_working, "name": row.name, "unit_id": row.unit_id,
            "windows": (row.windows or {}).get("windows"), **report}


@router.delete("/calendar/days/{day}", status_code=204, openapi_extra=_DAY_RULE)
def delete_day(day: _Day, request: Request, user: Admin, db: WriteDB,
               unit_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None) -> Response:
    calendar_changes.delete_day(db, tz=request.app.state.settings.tz, day=_date(day), unit_id=unit_id,
                                actor=_actor(user), user_id=user.id)
    return Response(status_code=204)


@router.delete("/calendar/years/{year}")
def withdraw_year(year: Annotated[int, Path(ge=1900, le=2200)], request: Request, user: Admin,
                  db: WriteDB) -> dict[str, Any]:
    """Withdraw an imported year: back to the provisional rule (deadlines recomputed)."""
    return calendar_changes.withdraw_year(db, year=year, actor=_actor(user), user_id=user.id,
                                          tz=request.app.state.settings.tz)


@router.post("/calendar/import", openapi_extra=refusals(
    csv="give either csv or xlsx_base64; rows of date,kind,name", xlsx_base64="an .xlsx workbook in base64",
    year="in the years Zongji keeps"))
def import_year(body: ImportIn, request: Request, user: Admin, db: WriteDB) -> dict[str, Any]:
    if body.xlsx_base64:
        entries = sla_store.parse_import_xlsx(body.xlsx_base64)
    elif body.csv is not None:
        entries = sla_store.parse_import(body.csv)
    else:
        raise sla_store.CalendarInvalid("give the days as csv or an .xlsx file", field="csv")
    return calendar_changes.import_year(db, year=body.year, entries=entries, actor=_actor(user), user_id=user.id,
                                        tz=request.app.state.settings.tz)


@router.get("/sla-policies")
def get_policies(user: CurrentUser, db: ReadDB) -> dict[str, Any]:
    return sla_store.policies_out(db)


@router.put("/sla-policies", openapi_extra=refusals(policies="each policy with the fields GET /api/sla-policies shows"))
def put_policies(body: PoliciesIn, user: Admin, db: WriteDB) -> dict[str, Any]:
    sla_store.save_policies(db, body.policies, actor=_actor(user), user_id=user.id)
    return sla_store.policies_out(db)


@router.delete("/sla-policies", status_code=204)
def reset_policies(user: Admin, db: WriteDB) -> Response:
    sla_store.reset_policies(db, actor=_actor(user), user_id=user.id)
    return Response(status_code=204)


@router.get("/work-order-categories")
def list_categories(user: CurrentUser, db: ReadDB) -> dict[str, Any]:
    return {"categories": [categories.category_out(c) for c in categories.categories(db)]}


@router.post("/work-order-categories/import", openapi_extra=refusals(rows="give either rows or csv"))
def import_categories(body: CategoriesIn, user: Admin, db: WriteDB) -> dict[str, Any]:
    rows: list[dict[str, Any]] = [r.model_dump() for r in body.rows or []]
    if body.csv:
        reader = csv.reader(io.StringIO(body.csv.lstrip("\ufeff")))
        for r in reader:
            if not r or not any(c.strip() for c in r) or r[0].strip().lower() in {"code", "编码"}:
                continue
            rows.append({"code": r[0], "name_zh": r[1] if len(r) > 1 else "", "name_en": r[2] if len(r) > 2 else None,
                         "unit": r[3] if len(r) > 3 else None})
    if not rows:
        raise Invalid("give rows or csv", field="rows")
    n = categories.import_categories(db, rows, actor=_actor(user), user_id=user.id)
    return {"imported": n, "categories": [categories.category_out(c) for c in categories.categories(db)]}


@router.get("/units/contacts")
def list_contacts(user: Admin, db: ReadDB) -> dict[str, Any]:
    """Handling units (and departments) with their notification e-mail and SMS mobile."""
    return unit_contacts.list_contacts(db)


@router.put("/units/{unit_id}/contact")
def put_contact(unit_id: Annotated[int, Path(ge=1, le=ID_MAX)], body: ContactIn, user: Admin, db: WriteDB) -> dict[str, Any]:
    return unit_contacts.set_contact(db, unit_id, email=body.email, sms_mobile=body.sms_mobile, actor=_actor(user),
                                     user_id=user.id)
