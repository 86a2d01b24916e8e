"""The responsibility catalogue (事项 → responsible unit; issue 11, point 2; R-P12).

Everyone on the hotline console reads; the hotline office (supervisors, admins) edits. The
catalogue is that of the user's city hotline organisation.

- ``GET /api/catalogue/search?q=&limit=&include_inactive=``: the matters that fit what the caller
  says, best first (active ones only unless asked);
- ``GET /api/catalogue/matters?active=`` (with the units a matter may name, and whether the
  user may edit), ``GET /api/catalogue/matters/{id}``;
- ``POST /api/catalogue/matters``, ``PUT /api/catalogue/matters/{id}``;
  ``DELETE /api/catalogue/matters/{id}`` makes a matter inactive (it is kept);
- ``POST /api/catalogue/import``: an XLSX workbook (事项, 主办单位, 协办单位, 依据, 示例, 关键词,
  分类代码), answered with ``{added, updated, rejected: [{row, field, code, reason}]}``;
- ``GET /api/catalogue/export.xlsx``: the catalogue in the same layout.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Response, UploadFile
from pydantic import ConfigDict, Field

from zongji.api.deps import ID_MAX, CurrentUser, IdPath, ReadDB, WriteDB, get_settings, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.roles import OFFICE_ROLES
from zongji.services import audit, xlsx_upload
from zongji.services.catalogue import matters, search, workbook
from zongji.settings import Settings
from zongji.store.models import User

router = area_router(prefix="/api/catalogue", tags=["catalogue"], responses=error_responses())
Office = Annotated[User, Depends(require_roles(OFFICE_ROLES))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Name = Annotated[str, Field(min_length=1, max_length=200)]
UnitId = Annotated[int, Field(ge=1, le=ID_MAX)]


class MatterIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    matter: Name
    unit_id: UnitId
    assisting_unit_ids: list[UnitId] = Field(default_factory=list, max_length=30)
    basis: str = Field(default="", max_length=5000)
    examples: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=50)
    keywords: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=50)
    category: str | None = Field(default=None, max_length=100)
    active: bool = True


class MatterPatch(ApiModel):
    model_config = ConfigDict(extra="forbid")
    matter: Name | None = None
    unit_id: UnitId | None = None
    assisting_unit_ids: list[UnitId] | None = Field(default=None, max_length=30)
    basis: str | None = Field(default=None, max_length=5000)
    examples: list[Annotated[str, Field(max_length=500)]] | None = Field(default=None, max_length=50)
    keywords: list[Annotated[str, Field(max_length=50)]] | None = Field(default=None, max_length=50)
    category: str | None = Field(default=None, max_length=100)
    active: bool | None = None


_EDIT = refusals(matter="a name not blank and not another matter's", unit_id="a unit of the hotline",
                 assisting_unit_ids="units of the hotline", category="an existing work-order category")


@router.get("/search", summary="The matters that fit what the caller says, best first")
def search_matters(user: CurrentUser, db: ReadDB, settings: Annotated[Settings, Depends(get_settings)],
                   q: Annotated[str, Query(max_length=500)] = "",
                   limit: Annotated[int, Query(ge=1, le=search.MAX_LIMIT)] = 10,
                   include_inactive: bool = False) -> dict[str, Any]:
    return {"items": search.search(db, user, q, limit, active=None if include_inactive else True,
                                   ranking=search.ranking_of(settings))}


@router.get("/matters", summary="The catalogue's matters")
def list_matters(user: CurrentUser, db: ReadDB, active: bool | None = None) -> dict[str, Any]:
    return {"items": matters.listing(db, user, active=active), "units": matters.unit_choices(db, user),
            "may_edit": user.role in OFFICE_ROLES}


@router.post("/matters", status_code=201, summary="Add a matter", openapi_extra=_EDIT)
def add_matter(body: MatterIn, user: Office, db: WriteDB) -> dict[str, Any]:
    return matters.create(db, user, body.model_dump(mode="json"))


@router.get("/matters/{matter_id}", summary="One matter",
            openapi_extra=refusals(matter_id="a matter of your catalogue"))
def get_matter(matter_id: IdPath, user: CurrentUser, db: ReadDB) -> dict[str, Any]:
    return matters.get(db, user, matter_id)


@router.put("/matters/{matter_id}", summary="Change a matter",
            openapi_extra={"x-refusals": {**_EDIT["x-refusals"], "matter_id": "a matter of your catalogue"}})
def update_matter(matter_id: IdPath, body: MatterPatch, user: Office, db: WriteDB) -> dict[str, Any]:
    return matters.update(db, user, matter_id, body.model_dump(mode="json", exclude_unset=True))


@router.delete("/matters/{matter_id}", summary="Make a matter inactive (it is kept)",
               openapi_extra=refusals(matter_id="a matter of your catalogue"))
def delete_matter(matter_id: IdPath, user: Office, db: WriteDB) -> dict[str, Any]:
    return matters.deactivate(db, user, matter_id)


@router.post("/import", summary="Import matters from an XLSX workbook (事项, 主办单位, 协办单位, 依据, 示例, 关键词, 分类代码)",
             openapi_extra=refusals(file="an XLSX workbook of at most 2 MB whose first row names the columns"))
def import_matters(file: UploadFile, user: Office, db: WriteDB) -> dict[str, Any]:
    return workbook.import_xlsx(db, user, xlsx_upload.read_upload(file.file))


@router.get("/export.xlsx", summary="The catalogue as an XLSX workbook (the import's layout)",
            response_class=Response, responses={200: {"content": {XLSX: {}}, "description": "An XLSX workbook"}})
def export_matters(user: CurrentUser, db: WriteDB) -> Response:
    body = workbook.export_xlsx(db, user)
    audit.record(db, actor=f"user:{user.username}", user_id=user.id, action="export", entity="catalogue_matter")
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="catalogue.xlsx"'})
