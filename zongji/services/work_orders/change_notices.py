"""Who is told of a change to an order, and in what words (notifications to units, roles, the creator)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from zongji.domain.roles import Role
from zongji.domain.work_orders.state import TimelineEntry, WorkOrderState
from zongji.domain.work_orders.words import Status
from zongji.services import notifications
from zongji.store.work_order_models import WorkOrder


def notify_for(session: Session, row: WorkOrder, old: WorkOrderState, new: WorkOrderState,
               entry: TimelineEntry, now: datetime, tz: ZoneInfo) -> None:
    n = row.number
    a = entry.action

    def unit(uid: int | None, kind: str, subject: str, body: str = "") -> None:
        if uid is not None:
            notifications.notify(session, kind=kind, subject=subject, body=body or row.description[:300],
                                 order_id=row.id, order_number=n, unit_id=uid, now=now)

    def role(r: Role, kind: str, subject: str, body: str = "") -> None:
        notifications.notify(session, kind=kind, subject=subject, body=body, order_id=row.id, order_number=n,
                             role=str(r), now=now, external=False)

    def creator(kind: str, subject: str, body: str = "") -> None:
        notifications.notify(session, kind=kind, subject=subject, body=body, order_id=row.id, order_number=n,
                             user_id=row.created_by_id, role=None if row.created_by_id else str(Role.OPERATOR),
                             now=now, external=False)

    if a == "dispatch":
        # A notification is read by people (and sent by e-mail/SMS): local time to the minute.
        deadline = (new.completion_deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                    if new.completion_deadline else "")
        unit(new.main_unit_id, "dispatched", f"新派工单 {n}",
             f"{row.description[:300]}\n办结时限：{deadline}" if deadline else row.description[:300])
        for u in new.assisting_unit_ids:
            unit(u, "dispatched_assisting", f"协办工单 {n}")
    elif a == "add_assisting_unit":
        unit(entry.data.get("unit_id"), "dispatched_assisting", f"协办工单 {n}")
    elif a == "return":
        role(Role.SHIFT_LEADER, "returned", f"工单被退回 {n}", entry.data.get("reason", ""))
    elif a == "reply":
        creator("callback_due", f"承办单位已答复，请回访 {n}", new.reply_text[:300])
    elif a == "follow_reply":  # a bound duplicate: its own caller gets their own callback (R-P8)
        creator("callback_due", f"同一事项已答复（主工单 {entry.data.get('primary_number', '')}），请回访 {n}",
                new.reply_text[:300])
    elif a in ("record_callback", "reject_reply") and new.status is Status.REVIEW:
        role(Role.SHIFT_LEADER, "review", f"回访不满意/答复有误，需复核 {n}", entry.note)
        role(Role.SUPERVISOR, "supervision", f"督办 {n}", entry.note)
    elif a == "request_extension":
        role(Role.SUPERVISOR, "extension_requested", f"延期申请 {n}", entry.data.get("reason", ""))
    elif a in ("grant_extension", "refuse_extension"):
        unit(new.main_unit_id, a, f"{'延期已批准' if a == 'grant_extension' else '延期未批准'} {n}", entry.note)
    elif a == "request_pause":
        role(Role.SUPERVISOR, "pause_requested", f"暂停计时申请 {n}", entry.data.get("reason", ""))
    elif a in ("grant_pause", "refuse_pause"):
        unit(new.main_unit_id, a, f"{'暂停计时已批准' if a == 'grant_pause' else '暂停计时未批准'} {n}", entry.note)
    elif a == "remind":
        reason = entry.data.get("reason", "")
        if not entry.note and reason in ("warning", "breach"):  # the timer's automatic reminder
            due = (new.completion_deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                   if new.completion_deadline else "")
            reason = (f"办结时限即将到期（{due}）" if reason == "warning" else f"办结已超期（时限 {due}）"
                      ) if due else ("办结时限即将到期" if reason == "warning" else "办结已超期")
        unit(new.main_unit_id, "reminder", f"催办 {n}", entry.note or reason)
    elif a == "send_back":
        unit(new.main_unit_id, "sent_back", f"工单退回重办 {n}", entry.note)
    elif a == "supervise":
        role(Role.SUPERVISOR, "supervision", f"督办 {n}", entry.data.get("reason", ""))
        unit(new.main_unit_id, "supervision", f"督办 {n}", entry.data.get("reason", ""))
