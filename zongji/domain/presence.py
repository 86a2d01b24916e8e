"""Whether an operator takes calls now (issue 10, point 2: operators on a call / free / away).
Pure.

An operator or shift leader logged in to the console is *available* unless they said they are
*away* (示忙) and why: a break, a meal, training, a meeting, or other work off the phones. On a
call counts before away (someone who set "away" during a call is on the call until it ends); the
wallboard shows how many are on a call, free and away, and the evaluation how long each was away.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from zongji.domain.roles import Role


class AwayReason(StrEnum):
    BREAK = "break"  # 小休
    MEAL = "meal"  # 用餐
    TRAINING = "training"  # 培训
    MEETING = "meeting"  # 会议
    OTHER_WORK = "other_work"  # 其他工作 (e.g. callbacks off the queue)


REASON_ZH = {AwayReason.BREAK: "小休", AwayReason.MEAL: "用餐", AwayReason.TRAINING: "培训",
             AwayReason.MEETING: "会议", AwayReason.OTHER_WORK: "其他工作"}
# Who takes calls and so may be away from them.
PHONE_ROLES = frozenset({Role.OPERATOR, Role.SHIFT_LEADER})


def may_be_away(role: str) -> bool:
    return role in PHONE_ROLES


def seconds_within(started: dt.datetime, ended: dt.datetime | None, start: dt.datetime, end: dt.datetime,
                   now: dt.datetime) -> float:
    """How much of ``[start, end)`` an away period ``[started, ended or now)`` covers."""
    stop = min(ended or now, end)
    return max(0.0, (stop - max(started, start)).total_seconds())


def board_counts(logged_in: set[int], on_call: set[int], away: set[int]) -> dict[str, int]:
    """Logged-in operators split as the wallboard shows them: on a call first, then away, then free."""
    talking = logged_in & on_call
    resting = (logged_in & away) - talking
    return {"logged_in": len(logged_in), "on_call": len(talking), "away": len(resting),
            "free": len(logged_in) - len(talking) - len(resting)}
