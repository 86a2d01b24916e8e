"""The complaint-handling form (投诉处理表， R-S9) and the complaint register (投诉登记表， R-S8).

A complaint is a work order of type ``complaint``. The form gathers the fields R-S9 lists from
the order, its timeline and its units; the register lists complaints in a period with counts by
responsible department, by type (category) and by outcome. Both export to XLSX (openpyxl).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import time_range
from zongji.domain.work_orders.words import OrderType
from zongji.errors import Invalid
from zongji.services.work_orders.stored_state import state_from_json
from zongji.store.models import Department, Organisation, Person, User
from zongji.store.work_order_models import WorkOrder, WorkOrderCategory, WorkOrderEvent

OUTCOME_ZH = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
CHANNEL_ZH = {"phone": "电话", "sms": "短信", "web": "网站", "open311": "Open311", "app": "移动应用", "wechat": "微信",
              "email": "电子邮件", "letter": "来信", "walk-in": "来访", "visit": "来访"}
STATUS_ZH = {
    "created": "待派单", "closed_directly": "直办办结", "dispatched": "已派单", "accepted": "已签收",
    "returned": "已退回", "in_progress": "办理中", "replied": "已答复", "callback": "回访中", "review": "复核中",
    "closed": "已办结",
}
# The register's 回访结果 of an order still being handled (no callback yet): the page's wo.open.
OPEN_ZH = "办理中"


def outcome_zh(key: str) -> str:
    """A register outcome (a callback outcome, ``open``, or the status of an order closed without
    a callback) in the words the page shows (wo.outcome.*, wo.open, wo.status.*)."""
    if key == "open":
        return OPEN_ZH
    return OUTCOME_ZH.get(key) or STATUS_ZH.get(key, key)

FORM_FIELDS = [
    ("number", "工单编号", "Order number"),
    ("date", "日期", "Date"),
    ("time", "时间", "Time"),
    ("customer_name", "客户姓名", "Customer name"),
    ("unit_room", "单位/房号", "Unit / room"),
    ("phone", "联系电话", "Phone"),
    ("product_serial", "产品序列号", "Product serial number"),
    ("channel", "投诉方式", "How it came in"),
    ("receiving_agent", "受理客服", "Receiving agent"),
    ("content", "投诉内容", "Complaint"),
    ("department", "责任部门", "Responsible department"),
    ("findings", "部门调查结果及处理方案", "Department's findings and solution"),
    ("department_manager", "部门经理", "Department manager"),
    ("callback_result", "回访结果", "Callback result"),
    ("handler_and_date", "处理人及日期", "Handler and date"),
    ("manager_opinion", "项目经理意见", "Project manager's opinion"),
    ("signature_and_date", "签名及日期", "Signature and date"),
]


def _local(t: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    return t.astimezone(tz) if t else None


def form(session: Session, row: WorkOrder, *, tz: ZoneInfo) -> dict[str, Any]:
    """The R-S9 form's fields for one order (any type may be printed; complaints are the norm)."""
    state = state_from_json(row.state)
    created = row.created_at.astimezone(tz)
    creator = session.get(User, row.created_by_id) if row.created_by_id else None
    unit = session.get(Department, row.main_unit_id) if row.main_unit_id else None
    manager = None
    if unit is not None:
        manager = session.scalar(select(Person).where(Person.department_id == unit.id, Person.is_manager.is_(True)))
    reply_ev = session.scalar(select(WorkOrderEvent).where(WorkOrderEvent.order_id == row.id,
                                                           WorkOrderEvent.action == "reply")
                              .order_by(WorkOrderEvent.at.desc()).limit(1))
    cb = state.callback
    callback_result = ""
    if cb is not None:
        callback_result = OUTCOME_ZH.get(str(cb.outcome), str(cb.outcome))
        if cb.caller_words:
            callback_result += f"：{cb.caller_words}"
    findings = row.findings or state.reply_text or state.direct_result or ""
    replied = _local(state.replied_at, tz)
    values = {
        "number": row.number,
        "date": created.strftime("%Y-%m-%d"),
        "time": created.strftime("%H:%M"),
        "customer_name": row.caller_name or "",
        "unit_room": row.caller_unit_room or "",
        "phone": row.caller_number or "",
        "product_serial": row.product_serial or "",
        "channel": CHANNEL_ZH.get(row.channel, row.channel),
        "receiving_agent": (f"{creator.display_name} {creator.operator_number or ''}".strip() if creator else ""),
        "content": row.description,
        "department": unit.name if unit else "",
        "findings": findings,
        "department_manager": manager.name if manager else "",
        "callback_result": callback_result,
        "handler_and_date": (f"{reply_ev.actor_name or ''} {replied:%Y-%m-%d}".strip() if reply_ev and replied else ""),
        "manager_opinion": row.manager_opinion or "",
        "signature_and_date": "",
    }
    return {"order_id": row.id, "fields": [{"key": k, "zh": zh, "en": en, "value": values[k]} for k, zh, en in FORM_FIELDS]}


def form_organisation(session: Session, row: WorkOrder) -> dict[str, str] | None:
    """The organisation named on the printed form: the responsible unit's, else the receiving
    agent's, else the only one (None if there are several)."""
    org = None
    for dept_id in (row.main_unit_id,
                    session.scalar(select(User.department_id).where(User.id == row.created_by_id))
                    if row.created_by_id else None):
        dept = session.get(Department, dept_id) if dept_id else None
        if dept is not None:
            org = session.get(Organisation, dept.organisation_id)
            break
    if org is None:
        orgs = list(session.scalars(select(Organisation).limit(2)))
        org = orgs[0] if len(orgs) == 1 else None
    return {"zh": org.name, "en": org.name_en or org.name} if org else None


def _cell_text(value: Any) -> Any:
    """A value as an XLSX cell can hold it: control characters a worksheet refuses (a pasted
    vertical tab, a NUL from a phone) are dropped, so one odd description never breaks the export
    of a whole range."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _as_text(cells) -> None:
    """Cells keep what people typed as text: a description starting with "=" is not a formula."""
    for c in cells:
        if c.data_type == "f":
            c.data_type = "s"


def form_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook  # imported when a workbook is made: not at start-up
    from openpyxl.styles import Alignment, Border, Font, Side
    thin = Side(style="thin", color="888888")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    wb = Workbook()
    ws = wb.active
    ws.title = "投诉处理表"
    ws["A1"] = "投诉处理表 Complaint-handling form"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:C1")
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 60
    for i, f in enumerate(data["fields"], start=3):
        ws.cell(i, 1, f["zh"]).font = Font(bold=True)
        ws.cell(i, 2, f["en"])
        c = ws.cell(i, 3, _cell_text(f["value"]))
        _as_text([c])
        c.alignment = Alignment(wrap_text=True, vertical="top")
        for col in (1, 2, 3):
            ws.cell(i, col).border = box
    ws.print_options.gridLines = False
    ws.page_setup.orientation = "portrait"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _day(text: str | None, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid("use YYYY-MM-DD", field=field) from None
    if not time_range.in_range(day):
        raise Invalid(time_range.out_of_range_message(field), field=field)
    return day


def register(session: Session, *, tz: ZoneInfo, date_from: str | None = None, date_to: str | None = None) -> dict[str, Any]:
    """Complaints created in [date_from, date_to] (local days), with counts."""
    d1, d2 = _day(date_from, "date_from"), _day(date_to, "date_to")
    if d1 and d2 and d2 < d1:
        raise Invalid("date_to is before date_from", field="date_to")
    q = select(WorkOrder).where(WorkOrder.order_type == str(OrderType.COMPLAINT))
    if d1:
        q = q.where(WorkOrder.created_at >= dt.datetime.combine(d1, dt.time(), tz))
    if d2:
        q = q.where(WorkOrder.created_at < dt.datetime.combine(d2 + dt.timedelta(days=1), dt.time(), tz))
    rows = list(session.scalars(q.order_by(WorkOrder.created_at)))
    units = {d.id: d.name for d in session.scalars(select(Department))}
    cats = {c.code: c.name_zh for c in session.scalars(select(WorkOrderCategory))}
    items = []
    for r in rows:
        st = state_from_json(r.state)
        outcome = str(st.callback.outcome) if st.callback else ("open" if st.is_open else str(st.status))
        items.append({
            "id": r.id, "number": r.number, "created_at": r.created_at.astimezone(tz).isoformat(),
            "caller_name": r.caller_name, "caller_number": r.caller_number, "description": r.description,
            "department": units.get(r.main_unit_id or 0, ""), "category": r.category,
            "category_name": cats.get(r.category or "", r.category or ""), "complexity": r.complexity,
            "status": r.status, "outcome": outcome, "reply": st.reply_text or st.direct_result,
            "closed_at": r.closed_at.astimezone(tz).isoformat() if r.closed_at else None,
        })
    return {
        "date_from": date_from, "date_to": date_to, "total": len(items), "items": items,
        "by_department": _counts(i["department"] or "—" for i in items),
        "by_type": _counts(i["category_name"] or "—" for i in items),
        "by_outcome": _counts(i["outcome"] for i in items),
    }


def _counts(values) -> list[dict[str, Any]]:
    return [{"key": k, "count": n} for k, n in Counter(values).most_common()]


def register_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook  # imported when a workbook is made: not at start-up
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "投诉登记表"
    head = ["工单编号", "受理时间", "客户姓名", "联系电话", "投诉内容", "责任部门", "类别", "状态", "回访结果",
            "处理结果", "办结时间"]
    ws.append(head)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE6F0")
    for i in data["items"]:
        ws.append([_cell_text(v) for v in (
            i["number"], i["created_at"][:16].replace("T", " "), i["caller_name"], i["caller_number"],
            i["description"], i["department"], i["category_name"], STATUS_ZH.get(i["status"], i["status"]),
            outcome_zh(i["outcome"]), i["reply"], (i["closed_at"] or "")[:16].replace("T", " "))])
        _as_text(ws[ws.max_row])
    for col, w in zip("ABCDEFGHIJK", (15, 17, 10, 14, 40, 16, 14, 10, 10, 40, 17)):
        ws.column_dimensions[col].width = w
    stats = wb.create_sheet("统计")
    row = 1
    for title, key in (("按责任部门", "by_department"), ("按类别", "by_type"), ("按结果", "by_outcome")):
        stats.cell(row, 1, title).font = Font(bold=True)
        row += 1
        for c in data[key]:
            _as_text([stats.cell(row, 1, _cell_text(outcome_zh(c["key"]) if key == "by_outcome" else c["key"]))])
            stats.cell(row, 2, c["count"])
            row += 1
        row += 1
    stats.column_dimensions["A"].width = 24
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
