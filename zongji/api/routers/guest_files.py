"""Customer files (issue 13 point 7, R-G6).

- ``GET /api/guests/{guest_id}/file``: class, preferences, stays (rooms only for the roles that
  see rooms, R-H4), calls, service requests, complaints, satisfaction. Console roles; audited.
- ``PUT /api/guests/{guest_id}/profile`` with ``{"grade", "preferences": [{"topic", "text"}],
  "note"}``: shift leaders, supervisors, admins.
- ``GET /api/guests/surveys``: stays checked out in the last ``GUEST_SURVEY_DAYS`` days without a
  satisfaction survey; ``POST /api/guests/stays/{stay_id}/survey`` with ``{"result": "answered" |
  "no_answer" | "declined", "score": 1–5, "comment"}``: console roles and the guest-service
  centre's staff.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends
from pydantic import Field

from zongji.api.deps import CurrentUser, IdPath, ReadDB, WriteDB, actor_of, get_settings, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.roles import CONSOLE_ROLES, LEADER_ROLES
from zongji.errors import Forbidden
from zongji.services import guest_files
from zongji.services.guestsvc import centre
from zongji.settings import Settings
from zongji.store.models import User, utcnow

router = area_router(prefix="/api/guests", tags=["customer files"], responses=error_responses())
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Leader = Annotated[User, Depends(require_roles(LEADER_ROLES))]
Cfg = Annotated[Settings, Depends(get_settings)]


class PreferenceIn(ApiModel):
    topic: Literal["pillow", "newspaper", "room_location", "bed", "diet", "amenities", "language", "other"]
    text: str = Field(min_length=1, max_length=100)


class ProfileIn(ApiModel):
    grade: Literal["key", "general", "potential"]
    preferences: list[PreferenceIn] = Field(default_factory=list, max_length=20)
    note: str | None = Field(None, max_length=2000)


class SurveyIn(ApiModel):
    result: Literal["answered", "no_answer", "declined"]
    score: int | None = Field(None, ge=1, le=5)
    comment: str | None = Field(None, max_length=1000)


def _surveyor(db: Any, user: User, settings: Settings) -> None:
    """Surveys are made by the console roles and the guest-service centre's staff (R-G6)."""
    if user.role not in CONSOLE_ROLES and not centre.is_centre_staff(db, user, settings):
        raise Forbidden("the switchboard and the guest-service centre only")


@router.get("/surveys", summary="Stays checked out lately that are due a satisfaction survey")
def due_surveys(user: CurrentUser, db: ReadDB, settings: Cfg) -> list[dict[str, Any]]:
    _surveyor(db, user, settings)
    return guest_files.surveys_due(db, settings, utcnow(), days=settings.guest_survey_days)


@router.get("/{guest_id}/file", summary="A guest's customer file", openapi_extra=refusals(guest_id="a guest"))
def get_file(guest_id: IdPath, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return guest_files.file_of(db, guest_id, user, settings, via="file")


@router.put("/{guest_id}/profile", summary="A guest's class, preferences and note",
            openapi_extra=refusals(guest_id="a guest"))
def put_profile(guest_id: IdPath, body: ProfileIn, user: Leader, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    guest_files.set_profile(db, guest_id, grade=body.grade, preferences=[p.model_dump() for p in body.preferences],
                            note=body.note, actor=actor_of(user))
    return guest_files.file_of(db, guest_id, user, settings, via="profile")


@router.post("/stays/{stay_id}/survey", summary="Record the satisfaction survey after a stay",
             openapi_extra=refusals(stay_id="a stay that has ended, not surveyed yet", score="1 to 5 when answered"))
def post_survey(stay_id: IdPath, body: SurveyIn, user: CurrentUser, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    _surveyor(db, user, settings)
    row = guest_files.record_survey(db, stay_id, result=body.result, score=body.score, comment=body.comment,
                                    actor=actor_of(user))
    return {"id": row.id, "stay_id": row.stay_id, "result": row.result, "score": row.score}
