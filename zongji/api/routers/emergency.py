"""Emergency notification (issue 14, R-H11).

- ``GET /api/emergency/plans``; ``PUT /api/emergency/plans/{kind}`` (supervisor, admin): the
  plan per kind — who is told, in which wave, deputies, channels, tries, waits.
- ``POST /api/emergency/incidents``: start one (kind, room/floor/area, situation, reporter and
  number, ``read_back: true``); every console gets the red bar (live topic ``emergency``).
- ``GET /api/emergency/incidents`` (``?active=true``), ``GET …/{id}``: the board and timeline.
- ``POST …/{id}/updates`` ``{"text"}``, ``POST …/{id}/close`` ``{"all_clear"}``,
  ``POST …/{id}/recipients/{rid}/acknowledge`` ``{"note", "channel"}`` (on their behalf).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Body, Depends, Request
from pydantic import ConfigDict, Field

from zongji.api.deps import IdPath, ReadDB, WriteDB, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.emergency.plans import Kind
from zongji.domain.roles import ADMIN_ROLES, CONSOLE_ROLES
from zongji.services.emergency import incidents, plans
from zongji.store.models import User, utcnow

router = area_router(prefix="/api/emergency", tags=["emergency"], responses=error_responses({404: "no such emergency"}))
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Admin = Annotated[User, Depends(require_roles(ADMIN_ROLES))]


class StartIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind
    room: str = Field("", max_length=40)
    floor: str = Field("", max_length=20)
    area: str = Field("", max_length=100)
    situation: str = Field(min_length=1, max_length=1000)
    reporter: str = Field(min_length=1, max_length=100)
    reporter_number: str = Field("", max_length=40)
    read_back: bool = False


class TextIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500)


class CloseIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    all_clear: str = Field(min_length=1, max_length=500)


class AckIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=500)
    channel: Literal["in_person", "phone", "sms", "console"] = "in_person"


@router.get("/plans", summary="The emergency plans per kind")
def list_plans(user: Console, db: ReadDB) -> list[dict[str, Any]]:
    return plans.list_plans(db)


@router.put("/plans/{kind}", summary="Create or replace the plan of a kind (supervisor, admin)",
            openapi_extra=refusals(recipients="each person needs a name, and a number for phone or SMS",
                                   tries="1 to 10", deputy_wait_seconds="10 to 3600"))
def save_plan(kind: Kind, user: Admin, db: WriteDB, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return plans.save_plan(db, user, body, now=utcnow(), kind=kind.value)


@router.post("/incidents", status_code=201, summary="Start an emergency (after reading it back)",
             openapi_extra=refusals(read_back="must be true: read kind, place and situation back first",
                                    room="room, floor or area is required", kind="needs a plan"))
def start(body: StartIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    return incidents.start(db, user, body.model_dump(mode="json"), now=utcnow(),
                           settings=request.app.state.settings)


@router.get("/incidents", summary="Emergencies, newest first (active: only those running)")
def list_incidents(user: Console, db: ReadDB, active: bool = False) -> list[dict[str, Any]]:
    return incidents.active(db) if active else incidents.recent(db)


@router.get("/incidents/{incident_id}", summary="The board: each person's state and the timeline")
def board(incident_id: IdPath, user: Console, db: ReadDB) -> dict[str, Any]:
    return incidents.board(db, incident_id)


@router.post("/incidents/{incident_id}/updates", summary="An update to everyone already told")
def update(incident_id: IdPath, body: TextIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    return incidents.update(db, user, incident_id, body.text, now=utcnow(), settings=request.app.state.settings)


@router.post("/incidents/{incident_id}/close", summary="Close with the all-clear, sent to everyone told")
def close(incident_id: IdPath, body: CloseIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    return incidents.close(db, user, incident_id, body.all_clear, now=utcnow(),
                           settings=request.app.state.settings)


@router.post("/incidents/{incident_id}/recipients/{recipient_id}/acknowledge",
             summary="Acknowledge on someone's behalf (they came to the desk), with a note",
             openapi_extra=refusals(recipient_id="must be a person of this emergency"))
def acknowledge(incident_id: IdPath, recipient_id: IdPath, body: AckIn, user: Console,
                db: WriteDB) -> dict[str, Any]:
    return incidents.acknowledge_on_behalf(db, user, incident_id, recipient_id, note=body.note,
                                           channel=body.channel, now=utcnow())
