"""The hotel PMS link over FIAS (issue 16): its status, for the admin page and monitoring.

- ``GET /api/fias/status``: the link's state (``never`` before ``zongji fias`` first ran, then
  ``connecting`` / ``up`` / ``down``), since when, the last record each way, the last error, the
  last database resync, whether the down alert was raised, and the outbox (records waiting for
  the PMS, the oldest's time), postings by state. Shift leaders, supervisors and admins. Live
  topic ``fias_link``.
- ``GET /api/fias/postings[?state=queued|sent|posted|refused]``: charges for guests' folios not
  yet posted (or of one state), with the PMS's answer. Shift leaders, supervisors and admins.
- ``POST /api/fias/postings/{posting_id}/requeue``: send a refused posting again (supervisors,
  admins; audited).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Request

from zongji.api.deps import IdPath, ReadDB, WriteDB, get_settings, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.domain.roles import ADMIN_ROLES, LEADER_ROLES
from zongji.services.actors import actor
from zongji.services.fias import link_status, postings
from zongji.store.models import User

router = area_router(prefix="/api/fias", tags=["fias"], responses=error_responses())
Leader = Annotated[User, Depends(require_roles(LEADER_ROLES))]
Admin = Annotated[User, Depends(require_roles(ADMIN_ROLES))]


@router.get("/status", summary="The PMS link's status and the records waiting for the PMS")
def status(request: Request, user: Leader, db: ReadDB) -> dict[str, Any]:
    return link_status.status(db, get_settings(request))


@router.get("/postings", summary="Charges for guests' folios not yet posted, with the PMS's answer")
def list_postings(request: Request, user: Leader, db: ReadDB,
                  state: Literal["queued", "sent", "posted", "refused"] | None = None) -> list[dict[str, Any]]:
    return postings.listing(db, get_settings(request), state=state)


@router.post("/postings/{posting_id}/requeue", summary="Send a refused posting again",
             openapi_extra=refusals(posting_id="only a refused posting is sent again"))
def requeue_posting(request: Request, posting_id: IdPath, user: Admin, db: WriteDB) -> dict[str, Any]:
    p = postings.requeue(db, posting_id, actor=actor(user))
    return postings.posting_out(p, get_settings(request).tz)
