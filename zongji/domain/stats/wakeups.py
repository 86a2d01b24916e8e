"""The wake-up figures (issue 10, point 1; R-H9, R-H14: the switchboard's daily statistics). Pure.

Counted over the wake-ups whose time fell in the period; one cancelled before its time is counted
apart and in nothing else. "Late" is the minutes after the booked time at which the guest was
reached; the late limit is a setting (5 minutes by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from zongji.domain.stats.kpi import rate


@dataclass(frozen=True)
class WakeupFacts:
    wake_at: dt.datetime
    reached_at: dt.datetime | None = None
    reached_by: str | None = None  # "phone" | "door" | "operator"
    first_call_answered: bool = False  # the first automatic call was answered and confirmed
    escalated: bool = False
    cancelled_at: dt.datetime | None = None
    minutes_late: int | None = None  # as recorded; else from the times


@dataclass(frozen=True)
class WakeupCounts:
    due: int = 0
    reached: int = 0
    first_call: int = 0
    by_door: int = 0
    by_operator: int = 0
    escalated: int = 0
    cancelled: int = 0
    late_minutes: int = 0
    late: int = 0  # reached more than the late limit after the booked time


def count_wakeups(wakeups: Iterable[WakeupFacts], late_limit_minutes: float) -> WakeupCounts:
    c = dict.fromkeys(WakeupCounts.__dataclass_fields__, 0)
    for w in wakeups:
        if w.cancelled_at is not None and w.cancelled_at <= w.wake_at:
            c["cancelled"] += 1
            continue
        c["due"] += 1
        if w.reached_at is not None:
            c["reached"] += 1
            late = w.minutes_late if w.minutes_late is not None else max(
                0, int((w.reached_at - w.wake_at).total_seconds() // 60))
            c["late_minutes"] += late
            c["late"] += int(late > late_limit_minutes)
            c["by_door"] += int(w.reached_by == "door")
            c["by_operator"] += int(w.reached_by == "operator")
            c["first_call"] += int(w.reached_by == "phone" and w.first_call_answered)
        c["escalated"] += int(w.escalated)
    return WakeupCounts(**c)


def figures(c: WakeupCounts) -> dict[str, Any]:
    return {"due": c.due, "reached": c.reached, "first_call_rate": rate(c.first_call, c.due), "by_door": c.by_door,
            "by_operator": c.by_operator, "escalated": c.escalated, "cancelled": c.cancelled,
            "average_minutes_late": None if not c.reached else round(c.late_minutes / c.reached, 1), "late": c.late}


def columns(late_limit_minutes: float) -> list[dict[str, str]]:
    """Each figure's key, zh/en label, unit and definition (the late limit written in)."""
    n = f"{late_limit_minutes:g}"
    rows = (
        ("due", "到时叫醒", "Wake-ups due", "count", "叫醒时间在期内且未在到时前取消的叫醒。",
         "Wake-ups whose time fell in the period, not cancelled before it."),
        ("reached", "已叫醒", "Reached", "count", "客人已被叫醒（电话确认、敲门或话务员电话）。",
         "The guest was reached: by the call, at the door or by an operator."),
        ("first_call_rate", "首次呼叫确认率", "Confirmed on the first call", "rate",
         "第一次自动呼叫即按键确认的叫醒 ÷ 到时叫醒。", "Wake-ups confirmed with a key on the first automatic call ÷ wake-ups due."),
        ("by_door", "敲门叫醒", "Reached at the door", "count", "由楼层服务员敲门叫醒。", "Reached by the floor staff knocking."),
        ("by_operator", "人工电话叫醒", "Reached by an operator's call", "count", "由话务员人工电话叫醒。",
         "Reached by an operator calling by hand."),
        ("escalated", "已上报", "Escalated", "count", "未能叫醒而上报的叫醒。",
         "Wake-ups escalated because the guest could not be reached."),
        ("cancelled", "已取消", "Cancelled", "count", "到时前取消的叫醒，不计入其他各项。",
         "Cancelled before their time: counted in nothing else."),
        ("average_minutes_late", "平均迟到分钟", "Average minutes late", "minutes",
         "已叫醒的叫醒比预定时间晚的平均分钟数。", "Mean minutes after the booked time at which guests were reached."),
        ("late", f"迟到超过{n}分钟", f"Late by more than {n} minutes", "count",
         f"比预定时间晚{n}分钟以上才叫醒的叫醒（分钟数为设置）。",
         f"Reached more than {n} minutes after the booked time (the minutes are a setting)."),
    )
    return [{"key": k, "label_zh": zh, "label_en": en, "unit": unit, "definition_zh": dzh, "definition_en": den}
            for k, zh, en, unit, dzh, den in rows]
