"""The directory for the console (R-H7, R-H2, R-P12): search, caller identification, lists.

- ``GET /api/directory/search?q=&limit=`` departments, staff, rooms, in-house guests, customers
  and common numbers; exact extension/number hits and name prefix hits first. Guests: never a
  room number, "not_staying" guests are never found, every guest returned is audited as read.
- ``GET /api/directory/identify?number=&at=`` who is calling (CallerIdentity, docs/contracts.md);
  a guest identified is audited as read.
- ``GET /api/directory/departments?kind=&organisation_id=`` departments and handling units with
  extension, phone, working hours (and whether open now) and duties.
- ``GET /api/directory/common-numbers?category=`` the common-numbers directory.

Console roles only.
"""

from __future__ import annotations

import datetime as dt
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from pydantic import Field

from zongji.api.guest_privacy import GuestPrivacyRoute
from zongji.api.deps import ID_MAX, IsoOnly, ReadDB, WriteDB, get_settings, require_roles, unit_of_work
from zongji.api.models import ApiModel
from zongji.api.errors import area_router, error_responses, refusals
from zongji.domain.roles import ADMIN_ROLES, CONSOLE_ROLES
from zongji.errors import ZongjiError
from zongji.services import directory as directory_service
from zongji.services import scope as scope_service
from zongji.services.dispatch import districts as district_service
from zongji.services.switchboard import contacts as switchboard_contacts
from zongji.services.switchboard.dnd import mark_dnd
from zongji.settings import Settings
from zongji.store.models import User, utcnow

_TEXT = r"^[^\x00]*$"
_ID_MAX = ID_MAX

Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]



_ERRORS = error_responses()

router = area_router(prefix="/api/directory", tags=["directory"], responses=_ERRORS,
                   route_class=GuestPrivacyRoute)


class SearchResultOut(ApiModel):
    kind: str  # person, department, room, guest, customer, common_number
    id: int
    name: str
    title: str | None = None
    department: str | None = None
    extension: str | None = None
    phones: list[str] = []
    category: str | None = None
    vip: bool = False
    note: str | None = None
    dnd: bool = False  # do-not-disturb on for this guest, room or person (issue 8)


class SearchOut(ApiModel):
    results: list[SearchResultOut]


class CallerIdentityOut(ApiModel):
    kind: str
    ref_id: int | None = None
    name: str | None = None
    title: str | None = None
    vip: bool = False
    label: str
    department: str | None = None
    detail: str | None = None
    privacy_level: str | None = None
    room_number: str | None = None
    normalized_number: str


class OrganisationRefOut(ApiModel):
    id: int
    name: str
    kind: str


class PersonRefOut(ApiModel):
    id: int
    name: str


class DepartmentOut(ApiModel):
    id: int
    name: str
    name_en: str | None = None
    kind: str
    organisation: OrganisationRefOut
    extension: str | None = None
    phone: str | None = None
    working_hours: dict[str, Any] | None = None
    open_now: bool | None = None
    duties: str | None = None
    district: str | None = Field(None, description="The district whose local government (属地) this unit is")
    after_hours_contact: PersonRefOut | None = Field(
        None, description="Who takes its calls when closed (urgent calls to its staff too)")


class AfterHoursIn(ApiModel):
    person_id: int | None = Field(..., ge=1, le=_ID_MAX, description="A person of the directory; null clears it")


class DistrictIn(ApiModel):
    district: str | None = Field(..., max_length=district_service.MAX_DISTRICT, pattern=_TEXT,
                                 description="The district (e.g. 东区); null or blank: not a district's government")


class DepartmentsOut(ApiModel):
    items: list[DepartmentOut]


class CommonNumberOut(ApiModel):
    id: int
    category: str
    name: str
    number: str
    note: str | None = None


class CommonNumbersOut(ApiModel):
    items: list[CommonNumberOut]
    categories: list[str]


@asynccontextmanager
async def running(app):
    yield


@router.get("/search", response_model=SearchOut)
def search(
    request: Request,
    user: Console,
    session: ReadDB,
    q: Annotated[str, Query(min_length=1, max_length=directory_service.MAX_QUERY_LENGTH,
                            pattern=_TEXT, description="Name, pinyin, initials, number or extension")],
    limit: Annotated[int, Query(ge=1, le=directory_service.MAX_LIMIT)] = 20,
) -> SearchOut:
    scope = scope_service.scope_of(session, user)
    # Read without SQLite's write lock; the guests shown (if any) are audited in a short write.
    results = directory_service.search(session, q, limit=limit, user=user, audit=False,
                                       organisation_ids=scope.organisation_filter if scope else None)
    mark_dnd(session, results, utcnow())
    if directory_service.shows_guests(results):
        with unit_of_work(request) as w:
            directory_service.audit_search(w, results, user=user, q=q)
    return SearchOut(results=[SearchResultOut(**r) for r in results])


@router.get("/identify", response_model=CallerIdentityOut,
            openapi_extra=refusals(at="with its UTC offset, in the years Zongji keeps"))
def identify(
    request: Request,
    user: Console,
    session: ReadDB,
    number: Annotated[str, Query(max_length=64, pattern=_TEXT, description="The calling number as received")],
    at: Annotated[dt.datetime | None, IsoOnly, Query(description="When (ISO-8601 with offset); default now")] = None,
) -> CallerIdentityOut:
    if at is not None and at.tzinfo is None:
        raise ZongjiError("give a time with its UTC offset, e.g. 2024-06-01T09:00:00+08:00", field="at")
    if at is not None and not 1900 <= at.year <= 2999:
        raise ZongjiError("time out of range", field="at")
    identity = directory_service.identify_caller(session, number, at=at)
    if identity.kind == "guest" and identity.ref_id is not None:  # read without the write lock; audited apart
        with unit_of_work(request) as w:
            directory_service.audit_guest_reads(w, [identity.ref_id], user=user, via="identify",
                                                detail={"number": identity.normalized_number})
    return CallerIdentityOut(**identity.to_dict())


@router.get("/departments", response_model=DepartmentsOut)
def departments(
    user: Console,
    session: ReadDB,
    settings: Annotated[Settings, Depends(get_settings)],
    kind: Annotated[str | None, Query(pattern=r"^(department|handling_unit)$")] = None,
    organisation_id: Annotated[int | None, Query(ge=1, le=_ID_MAX)] = None,
) -> DepartmentsOut:
    scope = scope_service.scope_of(session, user)
    items = directory_service.list_departments(session, kind=kind, organisation_id=organisation_id,
                                               organisation_ids=scope.organisation_filter if scope else None,
                                               tz=settings.timezone)
    return DepartmentsOut(items=[DepartmentOut(**d) for d in items])


@router.put("/departments/{department_id}/after-hours-contact", response_model=DepartmentOut)
def set_after_hours_contact(
    department_id: Annotated[int, Path(ge=1, le=_ID_MAX)],
    body: AfterHoursIn,
    user: Annotated[User, Depends(require_roles(ADMIN_ROLES))],
    session: WriteDB,
    settings: Annotated[Settings, Depends(get_settings)],
) -> DepartmentOut:
    """Name who takes the department's calls when it is closed (lunch, night, holidays): calls
    to it go there, and an urgent call to one of its staff (U) too (issue 8). Supervisor, admin."""
    d = switchboard_contacts.set_after_hours_contact(session, user, department_id, body.person_id)
    return _department_out(session, d.organisation_id, d.id, settings)


@router.put("/departments/{department_id}/district", response_model=DepartmentOut)
def set_district(
    department_id: Annotated[int, Path(ge=1, le=_ID_MAX)],
    body: DistrictIn,
    user: Annotated[User, Depends(require_roles(ADMIN_ROLES))],
    session: WriteDB,
    settings: Annotated[Settings, Depends(get_settings)],
) -> DepartmentOut:
    """Name the district whose local government (属地) a handling unit is, or clear it: the
    dispatch suggestion learns the district governments' matters together and names the one of
    the order's district; the model is retrained at once (issue 11). Supervisor, admin."""
    d = district_service.set_district(session, user, department_id, body.district, utcnow())
    return _department_out(session, d.organisation_id, d.id, settings)


def _department_out(session, organisation_id: int, department_id: int, settings: Settings) -> DepartmentOut:
    """One department as the list gives it (open now, after-hours contact, district)."""
    item = next(x for x in directory_service.list_departments(session, organisation_id=organisation_id,
                                                                tz=settings.timezone) if x["id"] == department_id)
    return DepartmentOut(**item)


@router.get("/common-numbers", response_model=CommonNumbersOut)
def common_numbers(
    user: Console,
    session: ReadDB,
    category: Annotated[str | None, Query(max_length=40, pattern=_TEXT)] = None,
    organisation_id: Annotated[int | None, Query(ge=1, le=_ID_MAX)] = None,
) -> CommonNumbersOut:
    scope = scope_service.scope_of(session, user)
    items = directory_service.list_common_numbers(session, category=category or None,
                                                  organisation_id=organisation_id,
                                                  organisation_ids=scope.organisation_filter if scope else None)
    return CommonNumbersOut(
        items=[CommonNumberOut(**n) for n in items],
        categories=directory_service.common_number_categories(session),
    )
