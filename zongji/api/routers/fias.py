"""The hotel PMS link over FIAS (issue 16): its status, for the admin page and monitoring.

- ``GET /api/fias/status``: the link's state (``never`` before ``zongji fias`` first ran, then
  ``connecting`` / ``up`` / ``down``), since when, the last record each way, the last error, the
  last database resync, whether the down alert was raised, and the outbox (records waiting for
  the PMS, the oldest's time). Shift leaders, supervisors and admins. Live topic ``fias_link``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from zongji.api.deps import ReadDB, get_settings, require_roles
from zongji.api.errors import error_responses
from zongji.domain.roles import LEADER_ROLES
from zongji.services.fias import link_status
from zongji.store.models import User

router = APIRouter(prefix="/api/fias", tags=["fias"], responses=error_responses())
Leader = Annotated[User, Depends(require_roles(LEADER_ROLES))]


@router.get("/status", summary="The PMS link's status and the records waiting for the PMS")
def status(request: Request, user: Leader, db: ReadDB) -> dict[str, Any]:
    return link_status.status(db, get_settings(request))
