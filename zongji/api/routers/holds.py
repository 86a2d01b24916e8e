"""Hold with the caller's consent (R-P9; issue 11, point 8).

- ``POST /api/calls/{id}/hold`` ``{"consent": true}``: the caller agreed; the hold starts;
- ``POST /api/calls/{id}/hold/end``: the operator is back;
- ``POST /api/calls/{id}/hold/callback`` ``{"number"}``: past the limit the caller will be
  called back: the hold ends and a work order for the callback is created from the call;
- ``GET /api/calls/{id}/holds``: the call's holds and their seconds.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ConfigDict, Field

from zongji.api.deps import IdPath, ReadDB, WriteDB, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.roles import CONSOLE_ROLES
from zongji.services import holds
from zongji.store.models import User

router = area_router(prefix="/api/calls", tags=["calls"], responses=error_responses())
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]


class HoldIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    consent: bool


@router.post("/{call_id}/hold", summary="Put the caller on hold (they agreed)", openapi_extra=refusals(
    consent="true: the caller agreed", call_id="a call in progress"))
def hold(call_id: IdPath, body: HoldIn, user: Console, db: WriteDB) -> dict[str, Any]:
    return holds.start(db, user, call_id, consent=body.consent)


@router.post("/{call_id}/hold/end", summary="End the hold", openapi_extra=refusals(call_id="a call on hold"))
def end_hold(call_id: IdPath, user: Console, db: WriteDB) -> dict[str, Any]:
    return holds.end(db, user, call_id)


class CallbackIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    number: str | None = Field(default=None, max_length=32, description="The number read back; default the caller's")
    caller_name: str | None = Field(default=None, max_length=60, description="How to address the caller (default 来电人)")


@router.post("/{call_id}/hold/callback", status_code=201, summary="End the hold for a callback (work order)",
             openapi_extra=refusals(number="a telephone number", call_id="a call of a hotline (not a hotel's)"))
def hold_callback(call_id: IdPath, body: CallbackIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    return holds.end_for_callback(db, user, call_id, number=body.number, tz=request.app.state.settings.tz,
                                  caller_name=body.caller_name)


@router.get("/{call_id}/holds", summary="The call's holds")
def list_holds(call_id: IdPath, user: Console, db: ReadDB) -> dict[str, Any]:
    return {"holds": holds.of_call(db, user, call_id)}
