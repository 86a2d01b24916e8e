"""One definition per figure (issue 10, point 1). Pure.

Each figure has its name from the glossary, a zh/en label and a zh/en definition saying what is
counted and what is not — shown beside the number wherever it appears. The numbers that decide
(short abandons, the service-level target, how abandoned calls count in the service level, how
"basically satisfied" counts) are a ``StatsPolicy`` with the users' values as defaults. A rate
over nothing is ``None`` (shown as "—"), never a division by zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Hashable, Iterable, Sequence


class AbandonTreatment(StrEnum):
    """How calls abandoned within the target count in the service level (contact-centre usage)."""

    IGNORED = "ignored"  # left out of numerator and denominator
    AGAINST = "against"  # in the denominator only: they count as missed
    IN_FAVOUR = "in_favour"  # in both: they count as served


@dataclass(frozen=True)
class StatsPolicy:
    short_abandon_seconds: float = 5.0  # abandoned sooner: reported apart, out of every rate
    service_level_seconds: float = 15.0  # GB/T 33358-2016: answered within 15 s
    abandon_treatment: AbandonTreatment = AbandonTreatment.IGNORED
    basically_satisfied_weight: float = 1.0  # 满意率 = (satisfied + w × basically satisfied) ÷ surveyed


@dataclass(frozen=True)
class CallFacts:
    """One offered call as the statistics see it (inbound; outbound calls are never offered)."""

    ringing_at: dt.datetime
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None  # the console closed it: after-call work ends
    transferred: bool = False
    # Abandoned, then called back: an answered outbound call to the caller's number within the
    # set hours (24 by default, GB/T 33358-2016) — counts in the 24-hour answer rate.
    called_back: bool = False

    @property
    def wait_seconds(self) -> float | None:
        end = self.answered_at or self.ended_at
        return None if end is None else max(0.0, (end - self.ringing_at).total_seconds())

    @property
    def talk_seconds(self) -> float | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0.0, (self.ended_at - self.answered_at).total_seconds())

    @property
    def wrap_seconds(self) -> float:
        if self.ended_at is None or self.closed_at is None:
            return 0.0
        return max(0.0, (self.closed_at - self.ended_at).total_seconds())


@dataclass(frozen=True)
class CallCounts:
    offered: int = 0  # every inbound call that rang, short abandons included
    answered: int = 0
    abandoned: int = 0  # hung up before an answer, short abandons excluded
    short_abandoned: int = 0
    answered_within: int = 0  # answered within the service-level target
    abandoned_within: int = 0  # abandoned (not short) within the target
    answered_within_24h: int = 0  # answered, or abandoned and called back within 24 hours (GB/T 33358)
    wait_seconds: float = 0.0  # of answered calls
    longest_wait_seconds: float = 0.0  # of every offered call, waiting now or answered
    talk_seconds: float = 0.0
    wrap_seconds: float = 0.0
    transferred: int = 0
    waiting: int = 0  # still ringing: offered, but neither answered nor abandoned yet

    def __add__(self, other: "CallCounts") -> "CallCounts":
        """Counts of two periods (half-hours into a day, days into a month) add up."""
        return CallCounts(**{f: (max if f == "longest_wait_seconds" else _sum)(getattr(self, f), getattr(other, f))
                             for f in self.__dataclass_fields__})


def _sum(a, b):
    return a + b


def _one_call(c: CallFacts, policy: StatsPolicy) -> tuple:
    """What one call adds to ``CallCounts``, field by field (longest wait: its own wait)."""
    w = c.wait_seconds or 0.0
    if c.answered_at is not None:
        within = int(w <= policy.service_level_seconds)
        return (1, 1, 0, 0, within, 0, 1, w, w, c.talk_seconds or 0.0, c.wrap_seconds, int(c.transferred), 0)
    if c.ended_at is None:
        return (1, 0, 0, 0, 0, 0, 0, 0.0, w, 0.0, 0.0, 0, 1)
    if w < policy.short_abandon_seconds:
        return (1, 0, 0, 1, 0, 0, 0, 0.0, w, 0.0, 0.0, 0, 0)
    return (1, 0, 1, 0, 0, int(w <= policy.service_level_seconds), int(c.called_back), 0.0, w, 0.0, 0.0, 0, 0)


_LONGEST = 8  # the position of longest_wait_seconds in CallCounts


def count_calls_by(items: Iterable[tuple[Iterable[Hashable], CallFacts]],
                   policy: StatsPolicy = StatsPolicy()) -> dict[Hashable, CallCounts]:
    """``count_calls`` of several groups in one pass: each call counts in every group its keys
    name (a report by day and by operator at once, the aggregates' three dimensions)."""
    acc: dict[Hashable, list] = {}
    for keys, c in items:
        one = _one_call(c, policy)
        for k in keys:
            a = acc.get(k)
            if a is None:
                acc[k] = list(one)
                continue
            for i, v in enumerate(one):
                a[i] = (v if v > a[i] else a[i]) if i == _LONGEST else a[i] + v
    return {k: CallCounts(*a) for k, a in acc.items()}


def count_calls(calls: Iterable[CallFacts], policy: StatsPolicy = StatsPolicy()) -> CallCounts:
    return count_calls_by((((None,), c) for c in calls), policy).get(None, CallCounts())


def rate(part: float, whole: float) -> float | None:
    return None if whole <= 0 else part / whole


def counted(c: CallCounts) -> int:
    """Offered calls the rates count: short abandons are left out, and so are calls still ringing
    (judged once answered or abandoned)."""
    return c.offered - c.short_abandoned - c.waiting


def answer_rate(c: CallCounts) -> float | None:
    return rate(c.answered, counted(c))


def abandon_rate(c: CallCounts) -> float | None:
    return rate(c.abandoned, counted(c))


def service_level(c: CallCounts, treatment: AbandonTreatment = AbandonTreatment.IGNORED) -> float | None:
    n = counted(c)
    if treatment is AbandonTreatment.IGNORED:
        return rate(c.answered_within, n - c.abandoned_within)
    if treatment is AbandonTreatment.AGAINST:
        return rate(c.answered_within, n)
    return rate(c.answered_within + c.abandoned_within, n)


def answer_rate_24h(c: CallCounts) -> float | None:
    return rate(c.answered_within_24h, counted(c))


def average_speed_of_answer(c: CallCounts) -> float | None:
    return rate(c.wait_seconds, c.answered)


def average_talk_time(c: CallCounts) -> float | None:
    return rate(c.talk_seconds, c.answered)


def average_handle_time(c: CallCounts) -> float | None:
    return rate(c.talk_seconds + c.wrap_seconds, c.answered)


def transfer_rate(c: CallCounts) -> float | None:
    return rate(c.transferred, c.answered)


def call_figures(c: CallCounts, policy: StatsPolicy = StatsPolicy()) -> dict[str, float | int | None]:
    """Every call figure of ``FIGURES`` for the counts ``c``, by key (rates as fractions)."""
    return {
        "offered": c.offered, "answered": c.answered, "abandoned": c.abandoned,
        "short_abandoned": c.short_abandoned, "answer_rate": answer_rate(c), "abandon_rate": abandon_rate(c),
        "service_level": service_level(c, policy.abandon_treatment), "answer_rate_24h": answer_rate_24h(c),
        "asa": average_speed_of_answer(c), "longest_wait": c.longest_wait_seconds if c.offered else None,
        "att": average_talk_time(c), "aht": average_handle_time(c), "transfer_rate": transfer_rate(c),
    }


@dataclass(frozen=True)
class MessageFacts:
    """One message taken for someone (R-H5, R-C4)."""

    complete: bool  # who called, their number, the content, and read back to the caller
    first_delivered_at: dt.datetime | None
    taken_at: dt.datetime


@dataclass(frozen=True)
class MessageCounts:
    taken: int = 0  # voided messages (taken in error) are not counted
    complete: int = 0
    delivered: int = 0
    delivered_on_time: int = 0  # delivered within the set minutes of being taken


def count_messages(messages: Iterable[MessageFacts], within: dt.timedelta) -> MessageCounts:
    taken = complete = delivered = on_time = 0
    for m in messages:
        taken += 1
        complete += int(m.complete)
        if m.first_delivered_at is not None:
            delivered += 1
            on_time += int(m.first_delivered_at - m.taken_at <= within)
    return MessageCounts(taken, complete, delivered, on_time)


def message_completeness(m: MessageCounts) -> float | None:
    return rate(m.complete, m.taken)


def delivered_on_time_rate(m: MessageCounts) -> float | None:
    return rate(m.delivered_on_time, m.taken)


@dataclass(frozen=True)
class OrderCounts:
    created: int = 0
    closed_directly: int = 0
    dispatched: int = 0
    dispatched_within_hour: int = 0
    due: int = 0  # orders whose deadline fell in the period
    completed: int = 0
    completed_on_time: int = 0
    reminded: int = 0
    reopened: int = 0
    returned: int = 0
    callbacks_due: int = 0
    callbacks_done: int = 0
    surveyed: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0


def first_call_resolution(o: OrderCounts) -> float | None:
    return rate(o.closed_directly, o.created)


def dispatched_on_time_rate(o: OrderCounts) -> float | None:
    return rate(o.dispatched_within_hour, o.dispatched)


def completion_rate(o: OrderCounts) -> float | None:
    return rate(o.completed, o.due)


def on_time_completion_rate(o: OrderCounts) -> float | None:
    return rate(o.completed_on_time, o.due)


def reminder_rate(o: OrderCounts) -> float | None:
    return rate(o.reminded, o.dispatched)


def reopened_rate(o: OrderCounts) -> float | None:
    return rate(o.reopened, o.completed)


def returned_rate(o: OrderCounts) -> float | None:
    return rate(o.returned, o.dispatched)


def callback_rate(o: OrderCounts) -> float | None:
    return rate(o.callbacks_done, o.callbacks_due)


def satisfaction_rate(o: OrderCounts, policy: StatsPolicy = StatsPolicy()) -> float | None:
    return rate(o.satisfied + policy.basically_satisfied_weight * o.basically_satisfied, o.surveyed)


@dataclass(frozen=True)
class Figure:
    key: str
    name: str  # the glossary's English name
    label_zh: str
    label_en: str
    definition_zh: str
    definition_en: str
    unit: str  # "count" | "rate" | "seconds"


FIGURES: Sequence[Figure] = (
    Figure("offered", "offered calls", "呼入量", "Offered",
           "振铃的呼入电话，含短时放弃；不含呼出电话。", "Inbound calls that rang, short abandons included; never outbound calls.",
           "count"),
    Figure("answered", "answered calls", "接听量", "Answered", "被话务员接起的呼入电话。",
           "Inbound calls an operator answered.", "count"),
    Figure("abandoned", "abandoned calls", "放弃量", "Abandoned",
           "接听前来电人挂断的电话，不含短时放弃（等待少于设定秒数，默认5秒）。",
           "Callers who hung up before an answer, short abandons (under the set seconds, 5 by default) excluded.",
           "count"),
    Figure("short_abandoned", "short abandons", "短时放弃", "Short abandons",
           "等待少于设定秒数即挂断，单独列出，不计入任何比率。",
           "Hung up within the set seconds: reported apart, left out of every rate.", "count"),
    Figure("answer_rate", "answer rate", "接通率", "Answer rate",
           "接听量 ÷（呼入量 − 短时放弃 − 仍在振铃的电话）。",
           "Answered ÷ (offered − short abandons − calls still ringing).", "rate"),
    Figure("abandon_rate", "abandon (loss) rate", "呼损率", "Abandon rate",
           "放弃量 ÷（呼入量 − 短时放弃 − 仍在振铃的电话）。",
           "Abandoned ÷ (offered − short abandons − calls still ringing).", "rate"),
    Figure("service_level", "service level", "服务水平", "Service level",
           "目标秒数内（默认15秒）接听的比例；目标内放弃的电话按设置不计、计为未达或计为达标。",
           "Share answered within the target (15 s by default); calls abandoned within the target are "
           "ignored, counted against or counted in favour, as set.", "rate"),
    Figure("answer_rate_24h", "24-hour answer rate", "24小时接通率", "24-hour answer rate",
           "接听，或放弃后24小时内回拨接通（向来电号码的呼出电话被接听）的电话 ÷（呼入量 − 短时放弃 − 仍在振铃的电话）"
           "（GB/T 33358-2016 要求不低于95%）。",
           "Answered, or abandoned and called back within 24 hours (an answered outbound call to the caller's "
           "number) ÷ (offered − short abandons − calls still ringing) (GB/T 33358-2016: at least 95 %).", "rate"),
    Figure("asa", "average speed of answer (ASA)", "平均应答时长", "Average speed of answer",
           "接听电话的平均等待秒数。", "Mean wait of answered calls, in seconds.", "seconds"),
    Figure("longest_wait", "longest wait", "最长等待", "Longest wait", "呼入电话中最长的等待秒数。",
           "The longest wait of any offered call, in seconds.", "seconds"),
    Figure("att", "average talk time", "平均通话时长", "Average talk time", "接听电话的平均通话秒数。",
           "Mean talk time of answered calls.", "seconds"),
    Figure("aht", "average handle time (AHT)", "平均处理时长", "Average handle time",
           "通话加话后处理（挂机到话务台结束该来电）的平均秒数。",
           "Talk plus after-call work (from hang-up to the console closing the call), mean seconds.", "seconds"),
    Figure("transfer_rate", "transfer rate", "转接率", "Transfer rate", "接听后转接出去的比例。",
           "Share of answered calls transferred.", "rate"),
    Figure("messages_taken", "messages taken", "留言量", "Messages taken", "期内记录的留言，不含作废的留言。",
           "Messages taken in the period, voided ones excluded.", "count"),
    Figure("message_completeness", "message completeness", "留言完整率", "Message completeness",
           "记全来电人姓名、号码、内容并向来电人复述确认的留言 ÷ 留言量。",
           "Messages with the caller's name, number and content, read back to the caller ÷ messages taken.", "rate"),
    Figure("messages_delivered_on_time", "messages delivered on time", "留言及时转达率", "Delivered on time",
           "记录后设定分钟内（默认15分钟）首次转达（短信、寻呼、电话、留言灯等）的留言 ÷ 留言量。",
           "Messages first delivered (SMS, pager, call, message lamp …) within the set minutes (15 by default) "
           "of being taken ÷ messages taken.", "rate"),
    Figure("created", "orders created", "新建工单", "Orders created", "期内新建的工单（按受理时间）。",
           "Orders created in the period (by the time they were taken).", "count"),
    Figure("first_call_resolution", "closed directly", "直办率", "First-call resolution",
           "话务员直接办结（未派单）的工单 ÷ 新建工单。", "Orders the operator closed without dispatch ÷ orders created.",
           "rate"),
    Figure("dispatched_on_time", "dispatch within the hour", "按时转出率", "Dispatched on time",
           "一小时内派出的工单 ÷ 派出的工单。", "Orders dispatched within the hour ÷ orders dispatched.", "rate"),
    Figure("completion_rate", "completion rate", "办结率", "Completion rate", "已办结 ÷ 期内到期的工单。",
           "Completed ÷ orders due in the period.", "rate"),
    Figure("on_time_completion_rate", "on-time completion rate", "按时办结率", "On-time completion rate",
           "期限内办结 ÷ 期内到期的工单。", "Completed by the deadline ÷ orders due in the period.", "rate"),
    Figure("reminder_rate", "reminder rate", "催办率", "Reminder rate", "被催办的工单 ÷ 派出的工单。",
           "Orders reminded ÷ orders dispatched.", "rate"),
    Figure("reopened_rate", "reopened rate", "重办率", "Reopened rate", "重新办理的工单 ÷ 已办结的工单。",
           "Orders reopened ÷ orders completed.", "rate"),
    Figure("returned_rate", "returned rate", "退单率", "Returned rate", "被承办单位退回的工单 ÷ 派出的工单。",
           "Orders returned by the unit ÷ orders dispatched.", "rate"),
    Figure("callback_rate", "callback rate", "回访率", "Callback rate", "已回访 ÷ 应回访的工单。",
           "Callbacks done ÷ callbacks due.", "rate"),
    Figure("satisfaction_rate", "satisfaction rate", "满意率", "Satisfaction rate",
           "（满意 + 基本满意 × 权重）÷ 回访中作出评价的人数；权重为设置，默认1。",
           "(Satisfied + basically satisfied × weight) ÷ surveyed; the weight is a setting, 1 by default.",
           "rate"),
)
FIGURES_BY_KEY = {f.key: f for f in FIGURES}
