"""What is said and written to the people told: kind, exact place and situation, in Chinese
then English (issue 14 point 1)."""

from __future__ import annotations

KIND_WORDS = {
    "fire": ("火警", "Fire"), "medical": ("急救", "Medical emergency"),
    "security": ("治安事件", "Security incident"), "lift_entrapment": ("电梯困人", "Lift entrapment"),
    "power_failure": ("停电", "Power failure"), "water_failure": ("停水", "Water failure"),
    "gas": ("燃气泄漏", "Gas leak"), "other": ("紧急情况", "Emergency"),
}


def place_text(room: str = "", floor: str = "", area: str = "") -> str:
    parts = []
    if area:
        parts.append(area)
    if floor:
        parts.append(f"{floor}楼 floor {floor}")
    if room:
        parts.append(f"{room}房 room {room}")
    return ", ".join(parts)


def message_text(kind: str, place: str, situation: str, *, phase: str = "start",
                 text: str = "", ack_key: str = "1") -> str:
    """The message for a start (with the key to press), an update or the all-clear."""
    return " ".join(message_parts(kind, place, situation, phase=phase, text=text, ack_key=ack_key))


def message_parts(kind: str, place: str, situation: str, *, phase: str = "start", text: str = "",
                  ack_key: str = "1") -> tuple[str, str]:
    """The Chinese and the English message (spoken one after the other)."""
    zh, en = KIND_WORDS.get(kind, KIND_WORDS["other"])
    if phase == "update":
        return (f"紧急通报更新：{zh}，{place}。{text}。", f"Emergency update: {en}, {place}. {text}.")
    if phase == "close":
        return (f"紧急解除：{zh}，{place}。{text}。", f"All clear: {en}, {place}. {text}.")
    return (f"紧急通报：{zh}，地点 {place}。情况：{situation}。确认请按{ack_key}。",
            f"Emergency: {en} at {place}. {situation}. Press {ack_key} to acknowledge.")
