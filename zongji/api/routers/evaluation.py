"""Evaluation items (质检项, R-O5; issue 11, point 7) and an operator's own reviews.

- ``GET /api/evaluation/items``: every item (key, labels, points, order, active) and the active
  items' sum the totals are out of (anyone at the console);
- ``PUT /api/evaluation/items`` ``{items: [...]}``: a supervisor or admin replaces the list; old
  reviews keep the items they were scored on;
- ``GET /api/evaluation/mine``: the reviews of the calls the user answered (我的质检), newest first.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ConfigDict, Field

from zongji.api.deps import ReadDB, WriteDB, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain import quality as rules
from zongji.domain.roles import ADMIN_ROLES, CONSOLE_ROLES
from zongji.services.stats import quality
from zongji.store.models import User

router = area_router(prefix="/api/evaluation", tags=["evaluation"], responses=error_responses())
Editor = Annotated[User, Depends(require_roles(ADMIN_ROLES))]
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]


class ItemIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=rules.KEY_PATTERN.pattern, description="Stable key the scores use")
    label_zh: str = Field(min_length=1, max_length=rules.LABEL_MAX)
    label_en: str = Field(default="", max_length=rules.LABEL_MAX)
    points: int = Field(ge=1, le=rules.POINTS_MAX)
    order: int | None = Field(default=None, ge=0, le=1000, description="Position; default: the list's order")
    active: bool = True


class ItemsIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] = Field(min_length=1, max_length=rules.ITEMS_MAX)


@router.get("/items", summary="The evaluation items calls are scored on")
def get_items(user: Console, db: ReadDB) -> dict[str, Any]:
    return quality.items_out(db)


@router.put("/items", summary="Replace the evaluation items (supervisor, admin)",
            openapi_extra=refusals(items="distinct keys, at least one active item"))
def put_items(user: Editor, body: ItemsIn, db: WriteDB) -> dict[str, Any]:
    new = []
    for i, it in enumerate(body.items):
        d = it.model_dump()
        if d["order"] is None:
            d["order"] = i + 1
        new.append(d)
    return quality.save_items(db, user, new)


@router.get("/mine", summary="The reviews of the calls I answered (我的质检)")
def mine(user: Console, request: Request, db: ReadDB) -> dict[str, Any]:
    return quality.my_reviews(db, user, request.app.state.settings.tz)
