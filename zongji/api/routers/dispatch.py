"""Dispatch suggestion API (issue 11, point 5): the top units for a draft or an order, the
acceptance rate, the model's state and an on-demand retraining."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import ConfigDict, Field

from zongji.api.deps import IdPath, IsoOnly, ReadDB, WriteDB, actor_of, require_roles
from zongji.api.errors import area_router, refusals
from zongji.api.models import ApiModel
from zongji.domain.roles import CONSOLE_ROLES, LEADER_ROLES, OFFICE_ROLES, STATS_ROLES
from zongji.services.dispatch import acceptance, model_state, suggestions
from zongji.services.stats.reports import check_range
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import User, utcnow

router = area_router(prefix="/api", tags=["dispatch"])
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Leader = Annotated[User, Depends(require_roles(LEADER_ROLES))]
Stats = Annotated[User, Depends(require_roles(STATS_ROLES))]
Office = Annotated[User, Depends(require_roles(OFFICE_ROLES))]
Day = Annotated[dt.date, IsoOnly, Query(description="A local date, YYYY-MM-DD (inclusive)")]


class DraftIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=4000, description="What the caller said (the order's description)")
    category: str | None = Field(default=None, max_length=200)
    place: str | None = Field(default=None, max_length=4000)
    line_code: str | None = Field(default=None, max_length=40)


@router.post("/dispatch/suggest", summary="The top units (and a category) for an order being written")
def suggest_draft(body: DraftIn, user: Console, request: Request, db: ReadDB) -> dict[str, Any]:
    return suggestions.for_draft(db, request.app.state.settings, text=body.text, category=body.category,
                                 place=body.place, line_code=body.line_code)


@router.get("/work-orders/{order_id}/dispatch-suggestion",
            summary="The top units for an order, with their reasons (kept as shown until it is dispatched)",
            openapi_extra=refusals(order_id="an order the user may see"))
def suggest_order(order_id: IdPath, user: Leader, request: Request, db: WriteDB) -> dict[str, Any]:
    return suggestions.for_order(db, Viewer.of(user), order_id, request.app.state.settings, utcnow())


@router.get("/dispatch/acceptance", summary="How often dispatchers took the suggestion",
            openapi_extra=refusals(date_from="in the years Zongji keeps",
                                   date_to="not before date_from, within the report's longest range"))
def acceptance_rate(user: Stats, request: Request, db: WriteDB, date_from: Day, date_to: Day) -> dict[str, Any]:
    check_range(date_from, date_to)
    tz = request.app.state.settings.tz
    since = dt.datetime.combine(date_from, dt.time(0), tzinfo=tz)
    until = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
            **acceptance.rate(db, since, until, utcnow())}


@router.get("/dispatch/model", summary="The dispatch model of each centre: revision, when trained, orders used")
def model(user: Stats, db: ReadDB) -> dict[str, Any]:
    return {"items": model_state.states(db)}


@router.post("/dispatch/retrain", status_code=202, summary="Retrain the dispatch model now (in the worker)")
def retrain(user: Office, db: WriteDB) -> dict[str, Any]:
    return model_state.retrain_soon(db, utcnow(), actor=actor_of(user), user_id=user.id)
