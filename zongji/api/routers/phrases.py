"""Forbidden phrases (R-P10, R-S16; issue 11, point 7).

- ``GET /api/phrases?line_id=``: the list (anyone logged in; the pages check as typed);
- ``POST /api/phrases``, ``PUT /api/phrases/{id}``, ``DELETE /api/phrases/{id}``: supervisors
  and admins edit it;
- ``POST /api/phrases/check`` ``{text, line_id, context}``: the hits of a text, each naming the
  phrase, its position and the suggested script; nothing is stored (saves record their hits).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import ConfigDict, Field

from zongji.api.deps import ID_MAX, CurrentUser, IdPath, ReadDB, WriteDB, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.roles import ADMIN_ROLES
from zongji.domain.service_language.phrases import MAX_PHRASE_CHARS, PhraseKind
from zongji.services import phrases
from zongji.store.models import User

router = area_router(prefix="/api/phrases", tags=["phrases"], responses=error_responses())
Editor = Annotated[User, Depends(require_roles(ADMIN_ROLES))]


class PhraseIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    phrase: str = Field(min_length=1, max_length=MAX_PHRASE_CHARS)
    suggestion: str = Field(default="", max_length=500)
    kind: PhraseKind = PhraseKind.HURTFUL
    exceptions: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(default_factory=list, max_length=30)
    line_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    active: bool = True


class PhrasePatch(ApiModel):
    model_config = ConfigDict(extra="forbid")
    phrase: str | None = Field(default=None, min_length=1, max_length=MAX_PHRASE_CHARS)
    suggestion: str | None = Field(default=None, max_length=500)
    kind: PhraseKind | None = None
    exceptions: list[Annotated[str, Field(min_length=1, max_length=30)]] | None = Field(default=None, max_length=30)
    active: bool | None = None


class CheckIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=20000)
    line_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    context: str = Field(default="other", max_length=30)


@router.get("", summary="The forbidden phrases (of one line and of every line)")
def list_phrases(user: CurrentUser, db: ReadDB,
                 line_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None) -> dict[str, Any]:
    return {"phrases": phrases.listing(db, line_id)}


@router.post("", status_code=201, summary="Add a forbidden phrase", openapi_extra=refusals(
    phrase="literal characters besides the * and ? wildcards", line_id="an existing line"))
def add_phrase(body: PhraseIn, user: Editor, db: WriteDB) -> dict[str, Any]:
    return phrases.add(db, user, body.model_dump(mode="json"))


@router.put("/{phrase_id}", summary="Change a forbidden phrase", openapi_extra=refusals(
    phrase_id="a phrase of the list", phrase="literal characters besides the * and ? wildcards"))
def update_phrase(phrase_id: IdPath, body: PhrasePatch, user: Editor, db: WriteDB) -> dict[str, Any]:
    return phrases.update(db, user, phrase_id, body.model_dump(mode="json", exclude_unset=True))


@router.delete("/{phrase_id}", status_code=204, summary="Remove a forbidden phrase",
               openapi_extra=refusals(phrase_id="a phrase of the list"))
def delete_phrase(phrase_id: IdPath, user: Editor, db: WriteDB) -> None:
    phrases.remove(db, user, phrase_id)


@router.post("/check", summary="The forbidden phrases in a text, with the scripts to say instead")
def check_phrases(body: CheckIn, user: CurrentUser, db: ReadDB) -> dict[str, Any]:
    return {"hits": phrases.check(db, body.text, body.line_id)}
