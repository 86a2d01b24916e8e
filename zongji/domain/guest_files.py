"""Customer files (R-G6): a guest's class (key, general, potential), the preferences every desk
should know, and the satisfaction survey after a stay. Pure rules: what may be stored."""

from __future__ import annotations

from typing import Any

GRADES = ("key", "general", "potential")
TOPICS = ("pillow", "newspaper", "room_location", "bed", "diet", "amenities", "language", "other")
SURVEY_RESULTS = ("answered", "no_answer", "declined")
MAX_PREFERENCES = 20


class FileError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def clean_preferences(raw: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """Preferences as stored: a known topic and a text (1–100 characters), at most 20, in order;
    a topic may repeat (two newspapers)."""
    out: list[dict[str, str]] = []
    for i, item in enumerate(raw or []):
        topic = str((item or {}).get("topic") or "").strip()
        text = str((item or {}).get("text") or "").strip()
        if topic not in TOPICS:
            raise FileError(f"topic is one of {', '.join(TOPICS)}", field=f"preferences.{i}.topic")
        if not text or len(text) > 100:
            raise FileError("say the preference in 1 to 100 characters", field=f"preferences.{i}.text")
        out.append({"topic": topic, "text": text})
    if len(out) > MAX_PREFERENCES:
        raise FileError(f"at most {MAX_PREFERENCES} preferences", field="preferences")
    return out


def check_survey(result: str, score: int | None) -> None:
    if result not in SURVEY_RESULTS:
        raise FileError(f"result is one of {', '.join(SURVEY_RESULTS)}", field="result")
    if result == "answered" and (score is None or not 1 <= score <= 5):
        raise FileError("a score from 1 to 5", field="score")
    if result != "answered" and score is not None:
        raise FileError("a score only when the guest answered", field="score")
