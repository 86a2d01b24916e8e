"""What a citizen is told of an order's state (the SMS status query, Open311): the stage in
plain words and open/closed — never who handles it inside, notes or units' internal remarks."""

from __future__ import annotations

from zongji.domain.work_orders.words import FINAL_STATUSES, Status

_STAGE = {
    Status.CREATED: ("已受理，正在分派", "received, being assigned"),
    Status.RETURNED: ("已受理，正在分派", "received, being assigned"),
    Status.REVIEW: ("正在复核", "under review"),
    Status.DISPATCHED: ("已转承办单位办理", "passed to the responsible unit"),
    Status.ACCEPTED: ("承办单位办理中", "being handled by the responsible unit"),
    Status.IN_PROGRESS: ("承办单位办理中", "being handled by the responsible unit"),
    Status.REPLIED: ("承办单位已答复，待回访", "answered by the unit, callback pending"),
    Status.CALLBACK: ("承办单位已答复，待回访", "answered by the unit, callback pending"),
    Status.CLOSED: ("已办结", "completed"),
    Status.CLOSED_DIRECTLY: ("已办结", "completed"),
}


def is_open(status: str) -> bool:
    return Status(status) not in FINAL_STATUSES


def stage(status: str, lang: str = "zh") -> str:
    zh, en = _STAGE[Status(status)]
    return en if lang == "en" else zh


def status_reply(number: str, status: str | None) -> str:
    """The SMS answering "查询 <number>": the stage, or that no such order is known (the same
    answer for an order that exists but is not the sender's is not needed: the stage discloses
    nothing personal)."""
    if status is None:
        return f"【12345】未查到工单 {number}，请核对编号后再试。"
    return f"【12345】工单 {number}：{stage(status)}。"
