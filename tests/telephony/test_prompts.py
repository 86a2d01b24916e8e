"""WAV prompts: espeak-ng synthesis in Chinese and English, cache by text, admin uploads win."""

from __future__ import annotations

import array
import datetime as dt
import io
import math
import shutil
import wave

import pytest

from zongji.telephony.prompts import (PromptError, PromptStore, PromptUnavailable, read_wav,
                                      resample, resample_py, wav_info)

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")


def make_wav(seconds: float = 0.5, rate: int = 44100, channels: int = 2, width: int = 2,
             freq: float = 440.0) -> bytes:
    n = int(seconds * rate)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        frames = bytearray()
        for i in range(n):
            v = int(12000 * math.sin(2 * math.pi * freq * i / rate))
            sample = v.to_bytes(2, "little", signed=True) if width == 2 else bytes([(v >> 8) + 128])
            frames += sample * channels
        w.writeframes(bytes(frames))
    return buf.getvalue()


@needs_espeak
@pytest.mark.parametrize("rate", [8000, 16000])
def test_wakeup_prompt_is_bilingual_mono_pcm_at_sip_rate(tmp_path, rate):
    store = PromptStore(tmp_path, sample_rate=rate)
    wav = store.wakeup_prompt(dt.time(7, 0))
    info = wav_info(wav)
    assert info == {**info, "channels": 1, "sample_width": 2, "rate": rate}
    zh = wav_info(store.synthesize("早上好，现在是早上七点。请按一确认，按二稍后再叫。", "zh"))
    en = wav_info(store.synthesize("Good morning, it is 7 o'clock. Press 1 to confirm, 2 to snooze.", "en"))
    # both languages, one after the other, with a lead-in and a gap
    assert info["seconds"] == pytest.approx(zh["seconds"] + en["seconds"] + 0.8, abs=0.05)
    assert zh["seconds"] > 1.5 and en["seconds"] > 1.5
    samples, _ = read_wav(wav)
    assert max(abs(s) for s in samples) > 1000  # not silence


@needs_espeak
def test_synthesis_is_cached_by_text(tmp_path):
    store = PromptStore(tmp_path)
    a = store.synthesize("Good morning.", "en")
    mtime = a.stat().st_mtime_ns
    assert store.synthesize("Good morning.", "en") == a and a.stat().st_mtime_ns == mtime
    assert store.synthesize("Good evening.", "en") != a
    assert store.wakeup_prompt(dt.time(7, 0)) == store.wakeup_prompt(dt.time(7, 0))
    assert store.wakeup_prompt(dt.time(7, 0)) != store.wakeup_prompt(dt.time(7, 30))
    assert a.parent == tmp_path / "prompts" / "cache"


def test_admin_upload_overrides_synthesis_and_is_converted(tmp_path):
    store = PromptStore(tmp_path, espeak="no-such-espeak")
    path = store.upload("wakeup-0700", make_wav(rate=44100, channels=2))
    assert wav_info(path) == {**wav_info(path), "channels": 1, "rate": 16000, "sample_width": 2}
    assert wav_info(path)["seconds"] == pytest.approx(0.5, abs=0.01)
    # no synthesizer needed: the upload is used as it is
    assert store.wakeup_prompt(dt.time(7, 0)) == path
    assert store.uploads() == ["wakeup-0700"]
    assert store.remove_upload("wakeup-0700") and store.uploads() == []
    with pytest.raises(PromptUnavailable):
        store.wakeup_prompt(dt.time(7, 0))


@needs_espeak
def test_per_language_upload_replaces_one_language(tmp_path):
    store = PromptStore(tmp_path)
    store.upload("wakeup-0700-zh", make_wav(seconds=1.0, rate=8000, channels=1, width=1))
    wav = store.wakeup_prompt(dt.time(7, 0))
    en = wav_info(store.synthesize(
        "Good morning, it is 7 o'clock. Press 1 to confirm, 2 to snooze.", "en"))
    assert wav_info(wav)["seconds"] == pytest.approx(1.0 + en["seconds"] + 0.8, abs=0.05)


@pytest.mark.parametrize("data,key", [
    (b"not a wav at all", "welcome"),
    (make_wav(), "Bad Key!"),
    (make_wav(), ""),
])
def test_bad_uploads_are_refused(tmp_path, data, key):
    with pytest.raises(PromptError) as e:
        PromptStore(tmp_path).upload(key, data)
    assert e.value.field in ("file", "key")


def test_rate_must_suit_sip(tmp_path):
    with pytest.raises(ValueError):
        PromptStore(tmp_path, sample_rate=44100)


@pytest.mark.parametrize("fn", [resample, resample_py])
def test_resample_keeps_duration_and_pitch(fn):
    samples, rate = read_wav(make_wav(seconds=0.2, rate=22050, channels=1, freq=300))
    out = fn(samples, rate, 8000)
    assert len(out) == pytest.approx(1600, abs=2)
    crossings = sum(1 for a, b in zip(out, out[1:]) if a < 0 <= b)
    assert crossings == pytest.approx(60, abs=2)  # 300 Hz for 0.2 s
    assert isinstance(out, array.array)
