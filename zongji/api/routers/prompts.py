"""Recorded voice prompts (issue 5 point 3, R-H9): an admin or supervisor uploads a WAV that
replaces the synthesized prompt for a segment, for one language or all.

- ``GET /api/prompts`` → ``{"sample_rate", "languages", "items": [{key, segment, language,
  seconds, sample_rate, bytes}]}``
- ``POST /api/prompts`` multipart: ``segment`` (e.g. ``wakeup-0700``: the wake-up greeting at
  07:00), ``language`` (``zh`` | ``en`` | empty = the whole greeting), ``file`` (a PCM WAV; any
  rate 8–96 kHz, mono or stereo, 8/16/32-bit, is converted to mono 16-bit at the telephony rate
  ``wakeup_prompt_rate``; at most 180 s) → 201 the stored prompt. Refusals are 422 naming the
  field (``file``: not a WAV, not PCM, unusable rate, too long; ``segment``; ``language``).
- ``DELETE /api/prompts/{key}`` → 204 (the synthesized prompt is used again); 404 unknown key.

Every change is audited (``prompt.upload``, ``prompt.remove``). CLI: ``zongji prompts``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Path, Request, Response, UploadFile

from zongji.api.deps import ReadDB, WriteDB, actor_of, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.domain.roles import ADMIN_ROLES
from zongji.services import prompts as service
from zongji.store.models import User
from zongji.telephony.prompts import VOICES

Admin = Annotated[User, Depends(require_roles(ADMIN_ROLES))]
Key = Annotated[str, Path(min_length=1, max_length=70, description="Prompt key, e.g. wakeup-0700-zh")]

router = area_router(prefix="/api/prompts", tags=["prompts"], responses=error_responses({
    401: "Not logged in", 403: "Supervisors and admins only", 404: "No such uploaded prompt",
    422: "Not a usable WAV, or a bad segment or language (the field is named)"}))


@router.get("")
def list_prompts(user: Admin, request: Request, db: ReadDB) -> dict[str, Any]:
    s = request.app.state.settings
    return {"sample_rate": s.wakeup_prompt_rate, "languages": sorted(VOICES),
            "items": service.list_uploads(service.store_for(s))}


@router.post("", status_code=201, openapi_extra=refusals(
    file="a WAV (RIFF/WAVE) file, mono, of the prompt rate", segment="a prompt key: 1–64 of a-z 0-9 - _ .",
    language="one of the prompt languages"))
def upload_prompt(user: Admin, request: Request, db: WriteDB, file: UploadFile,
                  segment: Annotated[str, Form(max_length=64)],
                  language: Annotated[str, Form(max_length=8)] = "") -> dict[str, Any]:
    data = file.file.read(service.MAX_UPLOAD_BYTES + 1)
    return service.upload(db, service.store_for(request.app.state.settings), segment=segment,
                          language=language.strip() or None, data=data, actor=actor_of(user))


@router.delete("/{key}", status_code=204, openapi_extra=refusals(segment="a prompt key: 1–64 of a-z 0-9 - _ ."))
def remove_prompt(key: Key, user: Admin, request: Request, db: WriteDB) -> Response:
    service.remove(db, service.store_for(request.app.state.settings), key=key, actor=actor_of(user))
    return Response(status_code=204)
