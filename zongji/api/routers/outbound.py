"""Outbound call lists (issue 14 point 4, R-S13, R-S12).

- ``POST /api/outbound/lists`` ``{"name", "source": "customers"|"work_orders", "filter"|"place",
  "category", "since", "purpose", "message", "questions", "automatic"}`` (shift leader and up).
- ``POST /api/outbound/lists/import`` (multipart ``file`` + form ``name``): an XLSX list with a
  per-row rejection report.
- ``GET /api/outbound/lists``; ``GET …/{id}``: reached / not reached / open / no number;
  ``GET …/{id}/export``: the same as XLSX.
- ``POST …/{id}/next``: take the next entry (one key), claimed with a lease; 204 when none is due.
- ``POST /api/outbound/callbacks`` ``{"kind": "long_call"|"cannot_hear", "number", "read_back",
  "call_id", "name"}`` (issue 14 point 5); ``GET /api/outbound/callbacks``: those not yet done;
  ``POST /api/outbound/entries/{id}/take``: take one entry (the alerted callback).
- ``POST /api/outbound/entries/{id}/result`` ``{"result", "note", "answers", "call_back_at"}``;
  ``POST …/{id}/release``; ``POST …/{id}/dial`` ``{"extension"}``: click-to-call the entry one holds
  through the PBX adapter (the result on the live topic ``outbound_list``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Form, Request, Response, UploadFile
from pydantic import ConfigDict, Field

from zongji.api.deps import IdPath, ReadDB, WriteDB, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.outbound import RESULTS
from zongji.domain.roles import CONSOLE_ROLES
from zongji.services import xlsx_upload
from zongji.services.outbound import building, callbacks, click_to_call, working
from zongji.store.models import User, utcnow

router = area_router(prefix="/api/outbound", tags=["outbound"], responses=error_responses({404: "no such list or entry"}))
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Question(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=300)
    choices: list[str] = Field(default_factory=list, max_length=20)


class ListIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    source: Literal["customers", "work_orders"]
    filter: str = Field("", max_length=100)
    place: str = Field("", max_length=200)
    category: str = Field("", max_length=200)
    since: str = Field("", max_length=10)
    purpose: Literal["notice", "survey", "follow_up"] = "notice"
    message: str = Field("", max_length=2000)
    questions: list[Question] = Field(default_factory=list, max_length=20)
    automatic: bool = False


class ResultIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    result: Literal[RESULTS]  # type: ignore[valid-type]
    note: str = Field("", max_length=2000)
    answers: dict[str, str] | None = None
    call_back_at: str | None = Field(None, max_length=40)


@router.post("/lists", status_code=201, summary="Build a list from customers or work orders (shift leader and up)",
             openapi_extra=refusals(place="place or category is required for work orders",
                                    name="not only spaces",
                                    questions="each question's text and choices not only spaces",
                                    message="an automatic list needs the message to speak",
                                    since="a date (YYYY-MM-DD)"))
def build(body: ListIn, user: Console, db: WriteDB) -> dict[str, Any]:
    return building.from_query(db, user, body.model_dump(mode="json"), now=utcnow())


@router.post("/lists/import", status_code=201, summary="Build a list from an XLSX workbook (姓名, 电话, 地址)",
             openapi_extra=refusals(file="an XLSX workbook of at most 2 MB with the columns 姓名 and 电话"))
def import_list(file: UploadFile, user: Console, db: WriteDB, name: Annotated[str, Form(min_length=1, max_length=100)],
                message: Annotated[str, Form(max_length=2000)] = "",
                purpose: Annotated[Literal["notice", "survey", "follow_up"], Form()] = "notice") -> dict[str, Any]:
    return building.from_xlsx(db, user, {"name": name, "message": message, "purpose": purpose},
                              xlsx_upload.read_upload(file.file), now=utcnow())


@router.get("/lists", summary="The outbound lists with their counts per state")
def all_lists(user: Console, db: ReadDB) -> list[dict[str, Any]]:
    return working.lists(db)


@router.get("/lists/{list_id}", summary="The reached, not-reached, open and no-number entries")
def report(list_id: IdPath, user: Console, db: WriteDB) -> dict[str, Any]:
    return working.report(db, user, list_id)


@router.get("/lists/{list_id}/export", summary="The list's results as XLSX")
def export(list_id: IdPath, user: Console, db: WriteDB) -> Response:
    body = working.export_xlsx(db, user, list_id)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="outbound-{list_id}.xlsx"'})


@router.post("/lists/{list_id}/next", summary="Take the next entry to call (claimed with a lease)",
             responses={204: {"description": "nothing is due"}})
def take_next(list_id: IdPath, request: Request, user: Console, db: WriteDB) -> Any:
    entry = working.take_next(db, user, list_id, now=utcnow(), settings=request.app.state.settings)
    return Response(status_code=204) if entry is None else entry


@router.post("/entries/{entry_id}/result", summary="Record the result of a call",
             openapi_extra=refusals(result="one of " + ", ".join(RESULTS), call_back_at="a future time with its zone"))
def record(entry_id: IdPath, body: ResultIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    return working.record(db, user, entry_id, body.model_dump(mode="json"), now=utcnow(),
                          settings=request.app.state.settings)


@router.post("/entries/{entry_id}/release", summary="Give an entry back without a result")
def release(entry_id: IdPath, user: Console, db: WriteDB) -> dict[str, Any]:
    return working.release(db, user, entry_id, now=utcnow())


class DialIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    extension: str | None = Field(None, max_length=20)


@router.post("/entries/{entry_id}/dial", summary="Click-to-call the entry one holds through the PBX",
             responses=error_responses({409: "you do not hold this entry"}),
             openapi_extra=refusals(extension="yours, or a work number on your account"))
def dial(entry_id: IdPath, body: DialIn, user: Console, db: WriteDB) -> dict[str, Any]:
    return click_to_call.dial(db, user, entry_id, extension=body.extension, now=utcnow())


class CallbackIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["long_call", "cannot_hear"]
    number: str = Field(min_length=1, max_length=40)
    read_back: bool = False
    call_id: int | None = Field(None, ge=1)
    name: str = Field("", max_length=100)


@router.post("/callbacks", status_code=201, summary="A callback from the console (long call / caller cannot hear)",
             openapi_extra=refusals(read_back="must be true for a long call: read the number back first",
                                    number="a phone number"))
def create_callback(body: CallbackIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    return callbacks.create(db, user, body.model_dump(mode="json"), now=utcnow(), settings=request.app.state.settings)


@router.get("/callbacks", summary="The callbacks not yet done, soonest due first")
def open_callbacks(user: Console, db: ReadDB) -> list[dict[str, Any]]:
    return callbacks.open_callbacks(db)


@router.post("/entries/{entry_id}/take", summary="Take this entry (claimed with a lease)")
def take(entry_id: IdPath, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    return working.take(db, user, entry_id, now=utcnow(), settings=request.app.state.settings)
