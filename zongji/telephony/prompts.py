"""Voice prompts as WAV files for the SIP gateway.

Prompts are generated offline with ``espeak-ng`` (Mandarin and English voices), converted to
mono 16-bit PCM at the telephony rate (16 kHz by default, 8 kHz possible) and cached under
``<data_dir>/prompts/cache/`` by a hash of the text, voice and format, so the same greeting is
synthesized once. An admin may upload a recorded WAV for any prompt key
(``<data_dir>/prompts/custom/<key>.wav``); an upload always wins over synthesis.

Keys of the wake-up greeting: ``wakeup-0700`` (the whole greeting, all languages) or
``wakeup-0700-zh`` / ``wakeup-0700-en`` (one language); ``wakeup-zh`` / ``wakeup-en`` are not
time-specific and therefore not used for wake-ups (the guest must hear the current time).
"""

from __future__ import annotations

import array
import datetime as dt
import hashlib
import io
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
import wave
from pathlib import Path
from typing import Sequence

from zongji.domain.wakeups import DEFAULT_POLICY, prompt_text
from zongji.errors import ZongjiError

VOICES = {"zh": "cmn", "en": "en-gb"}
SPEEDS = {"zh": 160, "en": 160}  # words per minute: a little slower than espeak's 175
GAP_SECONDS = 0.5  # silence between languages
LEAD_SECONDS = 0.3  # silence before the greeting (the first RTP packets after answer)
MAX_UPLOAD_SECONDS = 180
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class PromptError(ZongjiError):
    status_code = 422


class PromptUnavailable(ZongjiError):
    """The speech synthesizer is missing or failed."""

    status_code = 503


# --------------------------------------------------------------------------------------------
# PCM helpers (pure Python: no numpy, no audioop — removed in Python 3.13)


def _to_mono16(frames: bytes, channels: int, width: int) -> array.array:
    if width == 2:
        a = array.array("h")
        a.frombytes(frames)
        if sys.byteorder == "big":
            a.byteswap()
    elif width == 1:  # unsigned 8-bit
        a = array.array("h", ((b - 128) << 8 for b in frames))
    elif width == 4:
        b = array.array("i")
        b.frombytes(frames)
        if sys.byteorder == "big":
            b.byteswap()
        a = array.array("h", (x >> 16 for x in b))
    else:
        raise PromptError(f"unsupported sample width {width * 8} bits", field="file")
    if channels == 1:
        return a
    return array.array("h", (int(sum(a[i:i + channels]) / channels)
                             for i in range(0, len(a) - channels + 1, channels)))


def _lowpass(samples: array.array, cutoff: float, taps: int = 31) -> array.array:
    """Windowed-sinc FIR low-pass; cutoff as a fraction of the sample rate (0 < cutoff < 0.5)."""
    mid = taps // 2
    h = []
    for n in range(taps):
        k = n - mid
        v = 2 * cutoff if k == 0 else math.sin(2 * math.pi * cutoff * k) / (math.pi * k)
        h.append(v * (0.54 - 0.46 * math.cos(2 * math.pi * n / (taps - 1))))
    s = sum(h)
    h = [x / s for x in h]
    x = samples
    n = len(x)
    out = array.array("h", bytes(2 * n))
    for i in range(n):
        acc = 0.0
        lo = i - mid
        for j in range(taps):
            idx = lo + j
            if 0 <= idx < n:
                acc += h[j] * x[idx]
        out[i] = max(-32768, min(32767, int(round(acc))))
    return out


try:  # C speed where the standard library still has it (removed in Python 3.13)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop as _audioop
except ImportError:  # pragma: no cover - Python 3.13+
    _audioop = None


def resample(samples: array.array, src_rate: int, dst_rate: int) -> array.array:
    if src_rate == dst_rate or not samples:
        return array.array("h", samples)
    if _audioop is not None:
        # weightB=1: ratecv's simple averaging filter, a gentle low-pass when downsampling.
        weight_b = 1 if dst_rate < src_rate else 0
        out = array.array("h")
        out.frombytes(_audioop.ratecv(samples.tobytes(), 2, 1, src_rate, dst_rate, None,
                                      1, weight_b)[0])
        return out
    return resample_py(samples, src_rate, dst_rate)


def resample_py(samples: array.array, src_rate: int, dst_rate: int) -> array.array:
    """Pure-Python resampler (windowed-sinc low-pass, then linear interpolation)."""
    if src_rate == dst_rate or not samples:
        return array.array("h", samples)
    if dst_rate < src_rate:
        samples = _lowpass(samples, 0.45 * dst_rate / src_rate)
    n_out = int(len(samples) * dst_rate / src_rate)
    step = src_rate / dst_rate
    last = len(samples) - 1
    out = array.array("h", bytes(2 * n_out))
    for i in range(n_out):
        pos = i * step
        j = int(pos)
        frac = pos - j
        a = samples[j]
        b = samples[j + 1] if j < last else a
        out[i] = int(a + (b - a) * frac)
    return out


def _write_wav(path: Path, samples: array.array, rate: int) -> None:
    data = array.array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f, wave.open(f, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(data.tobytes())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_wav(data: bytes | Path) -> tuple[array.array, int]:
    """Mono 16-bit samples and the rate of a PCM WAV (bytes or a path)."""
    try:
        src = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else open(data, "rb")
        with src, wave.open(src, "rb") as w:
            ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            frames = w.readframes(n)
    except (wave.Error, EOFError) as exc:
        raise PromptError(f"not a PCM WAV file: {exc}", field="file") from exc
    if rate <= 0 or not frames:
        raise PromptError("the WAV file has no sound", field="file")
    return _to_mono16(frames, ch, width), rate


def wav_info(path: Path) -> dict:
    with wave.open(str(path), "rb") as w:
        return {"channels": w.getnchannels(), "sample_width": w.getsampwidth(),
                "rate": w.getframerate(), "seconds": w.getnframes() / w.getframerate()}


# --------------------------------------------------------------------------------------------
# The store


class PromptStore:
    def __init__(self, data_dir: Path | str, *, sample_rate: int = 16000,
                 espeak: str = "espeak-ng", voices: dict[str, str] | None = None):
        if sample_rate not in (8000, 16000):
            raise ValueError("sample_rate must be 8000 or 16000 (SIP narrowband or wideband)")
        self.root = Path(data_dir) / "prompts"
        self.cache_dir = self.root / "cache"
        self.custom_dir = self.root / "custom"
        self.sample_rate = sample_rate
        self.espeak = espeak
        self.voices = {**VOICES, **(voices or {})}

    # ---- admin uploads

    @staticmethod
    def check_key(key: str) -> str:
        if not _KEY_RE.match(key or ""):
            raise PromptError("A prompt key is 1–64 lower-case letters, digits, '-', '_' or '.'.",
                              field="key")
        return key

    def override_for(self, key: str) -> Path | None:
        p = self.custom_dir / f"{self.check_key(key)}.wav"
        return p if p.is_file() else None

    def upload(self, key: str, data: bytes) -> Path:
        """Store an admin's recording for ``key``, converted to the telephony format."""
        self.check_key(key)
        samples, rate = read_wav(data)
        if len(samples) / rate > MAX_UPLOAD_SECONDS:
            raise PromptError(f"A prompt may last at most {MAX_UPLOAD_SECONDS} seconds.",
                              field="file")
        path = self.custom_dir / f"{key}.wav"
        _write_wav(path, resample(samples, rate, self.sample_rate), self.sample_rate)
        return path

    def remove_upload(self, key: str) -> bool:
        p = self.override_for(key)
        if p is None:
            return False
        p.unlink()
        return True

    def uploads(self) -> list[str]:
        if not self.custom_dir.is_dir():
            return []
        return sorted(p.stem for p in self.custom_dir.glob("*.wav"))

    # ---- synthesis

    def _hash(self, *parts: str) -> str:
        h = hashlib.sha256("\x1f".join((str(self.sample_rate), *parts)).encode("utf-8"))
        return h.hexdigest()[:24]

    def synthesize(self, text: str, lang: str) -> Path:
        """A cached WAV of ``text`` spoken in ``lang`` ("zh" or "en")."""
        if lang not in self.voices:
            raise PromptError(f"no voice for language {lang!r}", field="language")
        if not text.strip():
            raise PromptError("empty prompt text", field="text")
        voice = self.voices[lang]
        speed = SPEEDS.get(lang, 160)
        path = self.cache_dir / f"{self._hash('tts', voice, str(speed), text)}.wav"
        if path.is_file():
            return path
        exe = shutil.which(self.espeak)
        if exe is None:
            raise PromptUnavailable(f"{self.espeak} is not installed: cannot synthesize prompts")
        try:
            proc = subprocess.run([exe, "-v", voice, "-s", str(speed), "--stdout", text],
                                  capture_output=True, timeout=60, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PromptUnavailable("speech synthesis timed out") from exc
        if proc.returncode != 0 or not proc.stdout:
            raise PromptUnavailable(f"{self.espeak} failed: {proc.stderr.decode(errors='replace')[:200]}")
        samples, rate = read_wav(_fix_stream_header(proc.stdout))
        _write_wav(path, resample(samples, rate, self.sample_rate), self.sample_rate)
        return path

    def concat(self, parts: Sequence[Path], *, gap: float = GAP_SECONDS,
               lead: float = LEAD_SECONDS) -> Path:
        """One WAV of ``parts`` in order, with silence between them (cached)."""
        key = self._hash("concat", str(gap), str(lead), *(self._file_id(p) for p in parts))
        path = self.cache_dir / f"{key}.wav"
        if path.is_file():
            return path
        out = array.array("h", bytes(2 * int(lead * self.sample_rate)))
        silence = array.array("h", bytes(2 * int(gap * self.sample_rate)))
        for i, p in enumerate(parts):
            samples, rate = read_wav(Path(p))
            if i:
                out.extend(silence)
            out.extend(resample(samples, rate, self.sample_rate))
        _write_wav(path, out, self.sample_rate)
        return path

    @staticmethod
    def _file_id(p: Path) -> str:
        st = Path(p).stat()
        return f"{Path(p).resolve()}:{st.st_size}:{st.st_mtime_ns}"

    def prompt(self, key: str, texts: Sequence[tuple[str, str]]) -> Path:
        """The WAV for a prompt: the admin's upload for ``key`` if any, else per language the
        upload for ``key-<lang>`` or the synthesized text, joined in order."""
        over = self.override_for(key)
        if over is not None:
            return over
        parts = []
        for lang, text in texts:
            parts.append(self.override_for(f"{key}-{lang}") or self.synthesize(text, lang))
        if len(parts) == 1 and LEAD_SECONDS == 0:
            return parts[0]
        return self.concat(parts)

    def wakeup_prompt(self, t: dt.time, languages: Sequence[str] = ("zh", "en"),
                      policy=None) -> Path:
        """The wake-up greeting for local time ``t`` in the given languages."""
        policy = policy or DEFAULT_POLICY
        texts = [(lang, prompt_text(t, lang, policy, spoken=True)) for lang in languages]
        return self.prompt(f"wakeup-{t.hour:02d}{t.minute:02d}", texts)


def _fix_stream_header(data: bytes) -> bytes:
    """espeak-ng --stdout writes a WAV header with unknown (0x7fffffff) sizes: fix them."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return data
    # Find the "data" chunk and set its size (and RIFF's) to what we actually have.
    pos = 12
    buf = bytearray(data)
    while pos + 8 <= len(buf):
        cid = bytes(buf[pos:pos + 4])
        size = int.from_bytes(buf[pos + 4:pos + 8], "little")
        if cid == b"data":
            real = len(buf) - pos - 8
            real -= real % 2
            buf[pos + 4:pos + 8] = real.to_bytes(4, "little")
            buf[4:8] = (pos + 8 + real - 8).to_bytes(4, "little")
            return bytes(buf[:pos + 8 + real])
        pos += 8 + size + (size & 1)
    return data
