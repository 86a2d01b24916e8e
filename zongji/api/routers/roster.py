"""The roster (排班; issue 10, point 5): shift leaders, supervisors and admins.

- ``GET /api/roster?date_from=&date_to=``: the shifts of a range of local days;
- ``POST /api/roster`` ``{"shifts": [{"user_id", "starts_at", "ends_at"}]}``: add shifts;
- ``POST /api/roster/import``: an XLSX workbook (工号, 日期, 开始, 结束), rejected rows listed;
- ``DELETE /api/roster/{shift_id}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Query, Request, UploadFile
from pydantic import AwareDatetime, ConfigDict, Field

from zongji.api.deps import ID_MAX, IdPath, IsoOnly, ReadDB, WriteDB, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.roles import STATS_ROLES
from zongji.services import roster, xlsx_upload
from zongji.services.stats.reports import check_range
from zongji.store.models import User

router = area_router(prefix="/api/roster", tags=["roster"], responses=error_responses())
Keeper = Annotated[User, Depends(require_roles(STATS_ROLES))]
Day = Annotated[dt.date, IsoOnly, Query(description="A local date, YYYY-MM-DD (inclusive)")]


class ShiftIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    user_id: int = Field(ge=1, le=ID_MAX)
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class ShiftsIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    shifts: list[ShiftIn] = Field(min_length=1, max_length=500)


def _tz(request: Request):
    return request.app.state.settings.tz


@router.get("", summary="Shifts of a range of days", openapi_extra=refusals(
    date_from="in the years Zongji keeps", date_to="not before date_from, at most 366 days after it"))
def list_shifts(user: Keeper, request: Request, db: ReadDB, date_from: Day, date_to: Day) -> dict[str, Any]:
    check_range(date_from, date_to)
    tz = _tz(request)
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return {"shifts": roster.listing(db, user, start, end, tz)}


@router.post("", status_code=201, summary="Add shifts", openapi_extra=refusals(
    shifts="each an operator or shift leader's, ending after it starts, at most 16 hours"))
def add_shifts(body: ShiftsIn, user: Keeper, request: Request, db: WriteDB) -> dict[str, Any]:
    return {"shifts": roster.add(db, user, [s.model_dump() for s in body.shifts], _tz(request))}


@router.post("/import", summary="Import shifts from an XLSX workbook (工号, 日期, 开始, 结束)",
             openapi_extra=refusals(file="an XLSX workbook of at most 2 MB with the four columns"))
def import_shifts(file: UploadFile, user: Keeper, request: Request, db: WriteDB) -> dict[str, Any]:
    return roster.import_xlsx(db, user, xlsx_upload.read_upload(file.file), _tz(request))


@router.delete("/{shift_id}", status_code=204, summary="Remove a shift",
               openapi_extra=refusals(shift_id="a shift of the roster"))
def delete_shift(shift_id: IdPath, user: Keeper, db: WriteDB) -> None:
    roster.remove(db, user, shift_id)
