"""Wake-up report (issue 10, point 1; R-H9, R-H14 the switchboard's daily statistics): per day
of the range, the wake-ups due, reached, confirmed on the first call, reached by the floor staff
(a knock) or by an operator's call, escalated, cancelled, and how late they were reached.

Counted over the wake-ups whose time fell in the range (local days); a wake-up cancelled before
its time is counted apart and in no rate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.services.stats.reports import check_range
from zongji.settings import Settings
from zongji.store.wakeup_models import Wakeup, WakeupAttempt

COLUMNS = (
    ("due", "到时叫醒", "Wake-ups due", "count"),
    ("reached", "已叫醒", "Reached", "count"),
    ("first_call_rate", "首次呼叫确认率", "Confirmed on the first call", "rate"),
    ("by_door", "敲门叫醒", "Reached at the door", "count"),
    ("by_operator", "人工电话叫醒", "Reached by an operator's call", "count"),
    ("escalated", "已上报", "Escalated", "count"),
    ("cancelled", "已取消", "Cancelled", "count"),
    ("average_minutes_late", "平均迟到分钟", "Average minutes late", "minutes"),
    ("late_over_5", "迟到超过5分钟", "Late by more than 5 minutes", "count"),
)
DEFINITIONS = {
    "due": ("叫醒时间在期内且未在到时前取消的叫醒。", "Wake-ups whose time fell in the period, not cancelled before it."),
    "reached": ("客人已被叫醒（电话确认、敲门或话务员电话）。", "The guest was reached: by the call, at the door or by an operator."),
    "first_call_rate": ("第一次自动呼叫即按键确认的叫醒 ÷ 到时叫醒。",
                        "Wake-ups confirmed with a key on the first automatic call ÷ wake-ups due."),
    "by_door": ("由楼层服务员敲门叫醒。", "Reached by the floor staff knocking."),
    "by_operator": ("由话务员人工电话叫醒。", "Reached by an operator calling by hand."),
    "escalated": ("未能叫醒而上报的叫醒。", "Wake-ups escalated because the guest could not be reached."),
    "cancelled": ("到时前取消的叫醒，不计入其他各项。", "Cancelled before their time: counted in nothing else."),
    "average_minutes_late": ("已叫醒的叫醒比预定时间晚的平均分钟数。", "Mean minutes after the booked time at which guests were reached."),
    "late_over_5": ("比预定时间晚5分钟以上才叫醒的叫醒。", "Reached more than 5 minutes after the booked time."),
}


def wakeup_report(session: Session, settings: Settings, *, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    check_range(date_from, date_to)
    tz = settings.tz
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    first_answered = dict(session.execute(
        select(WakeupAttempt.wakeup_id, func.min(WakeupAttempt.number))
        .join(Wakeup, Wakeup.id == WakeupAttempt.wakeup_id)
        .where(Wakeup.wake_at >= start, Wakeup.wake_at < end, WakeupAttempt.answered_at.is_not(None))
        .group_by(WakeupAttempt.wakeup_id)).all())
    days: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    total: dict[str, float] = defaultdict(float)
    for w in session.execute(select(Wakeup.id, Wakeup.wake_at, Wakeup.status, Wakeup.reached_at, Wakeup.reached_by,
                                    Wakeup.escalated_at, Wakeup.cancelled_at, Wakeup.minutes_late).where(
            Wakeup.wake_at >= start, Wakeup.wake_at < end)):
        day = w.wake_at.astimezone(tz).date().isoformat()
        for c in (days[day], total):
            if w.cancelled_at is not None and w.cancelled_at <= w.wake_at:
                c["cancelled"] += 1
                continue
            c["due"] += 1
            if w.reached_at is not None:
                c["reached"] += 1
                late = w.minutes_late if w.minutes_late is not None else max(
                    0, int((w.reached_at - w.wake_at).total_seconds() // 60))
                c["late_sum"] += late
                c["late_over_5"] += int(late > 5)
                c["by_door"] += int(w.reached_by == "door")
                c["by_operator"] += int(w.reached_by == "operator")
                c["first_call"] += int(w.reached_by == "phone" and first_answered.get(w.id) == 1)
            c["escalated"] += int(w.escalated_at is not None)

    def figures(c: dict[str, float]) -> dict[str, Any]:
        return {"due": int(c["due"]), "reached": int(c["reached"]),
                "first_call_rate": c["first_call"] / c["due"] if c["due"] else None,
                "by_door": int(c["by_door"]), "by_operator": int(c["by_operator"]), "escalated": int(c["escalated"]),
                "cancelled": int(c["cancelled"]),
                "average_minutes_late": round(c["late_sum"] / c["reached"], 1) if c["reached"] else None,
                "late_over_5": int(c["late_over_5"])}

    return {
        "date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "group": "day",
        "rows": [{"key": d, "label": d, "figures": figures(days[d])} for d in sorted(days)],
        "total": figures(total),
        "figures": [{"key": k, "label_zh": zh, "label_en": en, "unit": unit,
                     "definition_zh": DEFINITIONS[k][0], "definition_en": DEFINITIONS[k][1]} for k, zh, en, unit in COLUMNS],
    }
