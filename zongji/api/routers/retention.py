"""The retention report (issue 18 point 3).

- ``GET /api/retention/runs?limit=100&kind=calls``: the latest runs' reports per kind of record —
  what was deleted or anonymised, how many rows, the cut-off, started and finished (admins and
  supervisors).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query

from zongji.api.deps import ReadDB, require_roles
from zongji.api.errors import area_router, error_responses
from zongji.domain.retention.policy import Kind
from zongji.domain.roles import Role
from zongji.services.retention import runs
from zongji.store.models import User

router = area_router(prefix="/api/retention", tags=["retention"], responses=error_responses())
Overseer = Annotated[User, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]


@router.get("/runs", summary="The retention runs' reports, newest first")
def list_runs(user: Overseer, db: ReadDB,
              limit: Annotated[int, Query(ge=1, le=runs.MAX_LIST)] = 100,
              kind: Kind | None = None) -> list[dict[str, Any]]:
    return runs.list_runs(db, limit=limit, kind=kind)
