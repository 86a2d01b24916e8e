"""Recorded voice prompts an admin uploads (issue 5 point 3: "or recorded files an admin
uploads"). A recording replaces the synthesized (espeak-ng) prompt for its segment: the whole
greeting (``wakeup-0700``) or one language of it (``wakeup-0700`` + ``zh`` → ``wakeup-0700-zh``),
see zongji.telephony.prompts. Stored under ``<data_dir>/prompts/custom/`` converted to the
telephony format (mono 16-bit PCM at ``wakeup_prompt_rate``); every change is audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from zongji.errors import NotFound, ZongjiError
from zongji.services import audit
from zongji.settings import Settings
from zongji.telephony.prompts import VOICES, PromptError, PromptStore, wav_info

# The largest upload accepted (a 180-second 48 kHz stereo 16-bit WAV is about 33 MB).
MAX_UPLOAD_BYTES = 40 * 1024 * 1024
# Sample rates converted to the telephony rate; anything else is refused.
MIN_RATE, MAX_RATE = 8000, 96000


class PromptRefused(ZongjiError):
    status_code = 422


def store_for(settings: Settings) -> PromptStore:
    return PromptStore(settings.data_dir, sample_rate=settings.wakeup_prompt_rate)


def key_for(segment: str, language: str | None) -> str:
    """The prompt key of a segment, for one language (``zh``/``en``) or all (None / "")."""
    segment = (segment or "").strip().lower()
    try:
        PromptStore.check_key(segment)
    except PromptError as exc:
        raise PromptRefused(str(exc), field="segment") from None
    if language:
        if language not in VOICES:
            raise PromptRefused(f"language must be one of {', '.join(sorted(VOICES))} "
                                "(or empty for all languages)", field="language")
        return f"{segment}-{language}"
    return segment


def _split(key: str) -> tuple[str, str | None]:
    for lang in VOICES:
        if key.endswith(f"-{lang}"):
            return key[: -len(lang) - 1], lang
    return key, None


def describe(store: PromptStore, key: str) -> dict[str, Any]:
    path = store.custom_dir / f"{key}.wav"
    info = wav_info(path)
    segment, language = _split(key)
    return {"key": key, "segment": segment, "language": language,
            "seconds": round(info["seconds"], 2), "sample_rate": info["rate"],
            "bytes": path.stat().st_size}


def list_uploads(store: PromptStore) -> list[dict[str, Any]]:
    return [describe(store, k) for k in store.uploads()]


def _check_wav(data: bytes) -> None:
    """Refuse clearly, naming the field, what cannot be a telephony prompt."""
    if not data:
        raise PromptRefused("The file is empty.", field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise PromptRefused(f"A prompt file may be at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
                            field="file")
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise PromptRefused("The file must be a WAV (RIFF/WAVE) file.", field="file")
    # The fmt chunk: PCM (1) only — not a-law, µ-law, ADPCM, MP3 in WAV or float.
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if cid == b"fmt " and pos + 16 <= len(data):
            fmt = int.from_bytes(data[pos + 8:pos + 10], "little")
            rate = int.from_bytes(data[pos + 12:pos + 16], "little")
            if fmt == 0xFFFE and size >= 40:  # WAVE_FORMAT_EXTENSIBLE: the sub-format decides
                fmt = int.from_bytes(data[pos + 32:pos + 34], "little")
            if fmt != 1:
                raise PromptRefused(f"The WAV must be PCM (format 1); this one is format {fmt} "
                                    "(e.g. a-law, µ-law, ADPCM or float): save it as 16-bit PCM.",
                                    field="file")
            if not MIN_RATE <= rate <= MAX_RATE:
                raise PromptRefused(f"Sample rate {rate} Hz cannot be used: {MIN_RATE}–{MAX_RATE} Hz "
                                    "is converted to the telephony rate.", field="file")
            return
        pos += 8 + size + (size & 1)
    raise PromptRefused("The WAV file has no format (fmt) chunk.", field="file")


def upload(session: Session, store: PromptStore, *, segment: str, language: str | None,
           data: bytes, actor: str) -> dict[str, Any]:
    """Store a recording for a segment (and language), converted to the telephony format."""
    key = key_for(segment, language)
    _check_wav(data)
    try:
        store.upload(key, data)
    except PromptError as exc:
        raise PromptRefused(str(exc), field=exc.field or "file") from None
    out = describe(store, key)
    audit.record(session, actor=actor, action="prompt.upload", entity="prompt", entity_id=key,
                 detail={"seconds": out["seconds"], "bytes": len(data)})
    return out


def remove(session: Session, store: PromptStore, *, key: str, actor: str) -> None:
    segment, language = _split(key)
    key = key_for(segment, language)
    if not store.remove_upload(key):
        raise NotFound(f"No uploaded prompt {key!r}.", field="key")
    audit.record(session, actor=actor, action="prompt.remove", entity="prompt", entity_id=key)


def upload_file(session: Session, store: PromptStore, *, segment: str, language: str | None,
                path: Path, actor: str) -> dict[str, Any]:
    return upload(session, store, segment=segment, language=language, data=Path(path).read_bytes(),
                  actor=actor)
