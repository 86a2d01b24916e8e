"""Statistics (issue 10): the figures' definitions and the live wallboard.

- ``GET /api/stats/figures``: every figure with its zh/en label and definition (what is counted,
  what is not), and the settings its definition refers to.
- ``GET /api/stats/wallboard``: the wallboard's figures now, for the lines the user works for
  (shift leader, supervisor, admin).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from zongji.api.deps import ReadDB, get_settings, require_roles
from zongji.api.errors import error_responses
from zongji.domain.roles import CONSOLE_ROLES, STATS_ROLES
from zongji.domain.stats.kpi import FIGURES
from zongji.services.stats import policy as stats_policy
from zongji.services.stats import wallboard
from zongji.settings import Settings
from zongji.store.models import User

router = APIRouter(prefix="/api/stats", tags=["statistics"], responses=error_responses())

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
