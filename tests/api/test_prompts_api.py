"""Recorded prompts an admin uploads (issue 5 point 3, R-H9): API and ``zongji prompts`` CLI
(SQLite and PostgreSQL). An upload is converted to the telephony format, replaces the
synthesized greeting the dialler plays, is audited, and bad files are refused naming the field."""

from __future__ import annotations

import array
import datetime as dt
import io
import math
import wave

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from zongji.cli import app as cli
from zongji.settings import get_settings
from zongji.store.models import AuditEntry
from zongji.telephony.prompts import PromptStore


def _wav(rate: int = 44100, seconds: float = 0.5, channels: int = 2, width: int = 2) -> bytes:
    n = int(rate * seconds)
    samples = array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / rate))
                                for i in range(n) for _ in range(channels)))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(samples.tobytes() if width == 2 else bytes(n * channels * width))
    return buf.getvalue()


def _alaw(rate: int = 8000) -> bytes:
    """A WAV header with format 6 (a-law): a common telephony recording, not PCM."""
    data = bytes(800)
    fmt = (6).to_bytes(2, "little") + (1).to_bytes(2, "little") + rate.to_bytes(4, "little") \
        + rate.to_bytes(4, "little") + (1).to_bytes(2, "little") + (8).to_bytes(2, "little")
    body = b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt \
        + b"data" + len(data).to_bytes(4, "little") + data
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def _post(client, segment="wakeup-0700", language="zh", data=None, name="greeting.wav"):
    fields = {"segment": segment}
    if language is not None:
        fields["language"] = language
    return client.post("/api/prompts", data=fields,
                       files={"file": (name, data if data is not None else _wav(), "audio/wav")})


def test_admin_uploads_lists_and_removes_a_recording_used_for_the_wakeup_greeting(
        client, login, settings, session_factory):
    login("admin")
    r = _post(client)  # 44.1 kHz stereo: converted
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["key"], out["segment"], out["language"]) == ("wakeup-0700-zh", "wakeup-0700", "zh")
    assert out["sample_rate"] == settings.wakeup_prompt_rate == 16000
    assert abs(out["seconds"] - 0.5) < 0.05

    listed = client.get("/api/prompts").json()
    assert [p["key"] for p in listed["items"]] == ["wakeup-0700-zh"]
    assert listed["sample_rate"] == 16000 and listed["languages"] == ["en", "zh"]

    # The file the dialler's store hands to the gateway: mono 16-bit at the telephony rate.
    store = PromptStore(settings.data_dir, sample_rate=settings.wakeup_prompt_rate)
    path = store.override_for("wakeup-0700-zh")
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000)
    # Only the Chinese part is replaced; a whole-greeting upload wins over everything.
    r = _post(client, language="")
    assert r.status_code == 201 and r.json()["key"] == "wakeup-0700"
    assert store.wakeup_prompt(dt.time(7, 0), ("zh", "en")) == store.override_for("wakeup-0700")

    assert client.delete("/api/prompts/wakeup-0700").status_code == 204
    assert client.delete("/api/prompts/wakeup-0700").status_code == 404
    assert [p["key"] for p in client.get("/api/prompts").json()["items"]] == ["wakeup-0700-zh"]
    with session_factory() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).where(
            AuditEntry.action.like("prompt.%")).order_by(AuditEntry.id))]
    assert actions == ["prompt.upload", "prompt.upload", "prompt.remove"]


@pytest.mark.parametrize("case, field, words", [
    ("not_wav", "file", "WAV"),
    ("alaw", "file", "PCM"),
    ("low_rate", "file", "Sample rate 4000"),
    ("empty", "file", "empty"),
    ("bad_language", "language", "language"),
    ("bad_segment", "segment", "key"),
])
def test_bad_uploads_are_refused_naming_the_field(client, login, case, field, words):
    login("admin")
    kw = {"not_wav": {"data": b"ID3\x03not a wav at all"},
          "alaw": {"data": _alaw()},
          "low_rate": {"data": _wav(rate=4000, channels=1)},
          "empty": {"data": b""},
          "bad_language": {"language": "fr"},
          "bad_segment": {"segment": "Wake Up 7点"}}[case]
    r = _post(client, **kw)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == field and words in body["message"], body
    assert client.get("/api/prompts").json()["items"] == []


def test_prompts_are_for_supervisors_and_admins_only(client, login):
    login("operator")
    assert client.get("/api/prompts").status_code == 403
    assert _post(client).status_code == 403


def test_cli_uploads_lists_and_removes(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("ZONGJI_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("ZONGJI_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        from zongji.store.db import make_engine
        from zongji.store.schema import metadata

        metadata.create_all(make_engine(settings.resolved_database_url))
        runner = CliRunner()
        good = tmp_path / "en.wav"
        good.write_bytes(_wav(rate=8000, channels=1))
        bad = tmp_path / "alaw.wav"
        bad.write_bytes(_alaw())
        r = runner.invoke(cli, ["prompts", "upload", "wakeup-0730", str(good), "--language", "en"])
        assert r.exit_code == 0, r.output
        assert "wakeup-0730-en" in r.output and "16000 Hz" in r.output
        r = runner.invoke(cli, ["prompts", "list"])
        assert "wakeup-0730-en" in r.output
        r = runner.invoke(cli, ["prompts", "upload", "wakeup-0730", str(bad)])
        assert r.exit_code == 2 and "error (file)" in r.output and "PCM" in r.output
        r = runner.invoke(cli, ["prompts", "remove", "wakeup-0730-en"])
        assert r.exit_code == 0
        r = runner.invoke(cli, ["prompts", "list"])
        assert "no uploaded prompts" in r.output
    finally:
        get_settings.cache_clear()
