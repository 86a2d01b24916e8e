"""Building an outbound list (issue 14 point 4, R-S13, R-S12): from customers matching a filter,
from work orders matching a place/category query, or from an XLSX import with a per-row
rejection report. Entries without a contact number are kept, state ``no_number``, listed apart."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain.emergency.errors import InvalidInput, require_text
from zongji.domain.outbound import EntryState, check_build, normalise_number
from zongji.errors import Invalid
from zongji.services import audit, xlsx_upload
from zongji.services.actors import actor
from zongji.services.outbound import automatic, working
from zongji.store.models import Customer, User
from zongji.store.outbound_models import OutboundEntry, OutboundList
from zongji.store.work_order_models import WorkOrder

PURPOSES = ("notice", "survey", "follow_up")
MAX_QUESTIONS = 20
_HEADERS = {"name": "name", "姓名": "name", "客户": "name", "number": "number", "phone": "number",
            "电话": "number", "联系电话": "number", "手机": "number", "address": "address", "地址": "address"}


def _questions(value: Any) -> list[dict[str, Any]]:
    """The survey's questions: ``[{"text", "choices"?}]``."""
    if value in (None, []):
        return []
    if not isinstance(value, list) or len(value) > MAX_QUESTIONS:
        raise InvalidInput(f"questions: a list of at most {MAX_QUESTIONS}", field="questions", code="bad_questions")
    out = []
    for q in value:
        if not isinstance(q, dict):
            raise InvalidInput("questions: each needs a text", field="questions", code="bad_questions")
        text = require_text(q.get("text"), "questions", max_len=300)
        choices = q.get("choices") or []
        if not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() for c in choices):
            raise InvalidInput("questions: choices are texts", field="questions", code="bad_questions")
        out.append({"text": text, "choices": [c.strip() for c in choices]})
    return out


def _new_list(session: Session, user: User, data: dict[str, Any], source: str, now: dt.datetime) -> OutboundList:
    check_build(user.role)
    purpose = data.get("purpose") or "notice"
    if purpose not in PURPOSES:
        raise InvalidInput(f"purpose: one of {', '.join(PURPOSES)}", field="purpose", code="bad_purpose")
    automatic = bool(data.get("automatic", False))
    message = (data.get("message") or "").strip()
    if automatic and not message:
        raise InvalidInput("message: an automatic list needs the message to speak", field="message",
                           code="message_required")
    lst = OutboundList(name=require_text(data.get("name"), "name", max_len=100), source=source,
                       purpose=purpose, message=message[:2000], questions=_questions(data.get("questions")),
                       automatic=automatic, created_at=now, created_by_id=user.id)
    session.add(lst)
    session.flush()
    return lst


def _add_entries(session: Session, lst: OutboundList, rows: list[dict[str, str]], now: dt.datetime) -> None:
    """The entries; an automatic list's calls start at once (``services/outbound/automatic``)."""
    for i, row in enumerate(rows, start=1):
        number = row.get("number", "")
        session.add(OutboundEntry(list_id=lst.id, position=i, name=row.get("name", "")[:100], number=number,
                                  address=row.get("address", "")[:200], ref=row.get("ref", "")[:40],
                                  state=EntryState.PENDING if number else EntryState.NO_NUMBER, updated_at=now))
    session.flush()
    if lst.automatic:
        automatic.start_list(session, lst.id, now=now)
    working.announce(session, lst.id, "built", now=now)


def _number_or_blank(value: Any) -> str:
    try:
        return normalise_number(value)
    except Invalid:
        return ""


def from_query(session: Session, user: User, data: dict[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    """A list from ``source`` ``customers`` (``filter`` over name, company and notes) or
    ``work_orders`` (``place`` contains, ``category`` starts with, ``since`` a date)."""
    check_build(user.role)
    source = data.get("source")
    rows: list[dict[str, str]] = []
    if source == "customers":
        q = select(Customer).order_by(Customer.id).limit(5000)
        text = (data.get("filter") or "").strip()
        if text:
            like = f"%{text}%"
            q = q.where(or_(Customer.name.like(like), Customer.company.like(like), Customer.note.like(like)))
        rows = [{"name": c.name, "number": _number_or_blank(c.phone), "address": c.company or "",
                 "ref": f"customer:{c.id}"} for c in session.scalars(q)]
    elif source == "work_orders":
        place = (data.get("place") or "").strip()
        if not place and not data.get("category"):
            raise InvalidInput("place or category is required", field="place", code="place_required")
        q = select(WorkOrder).where(WorkOrder.duplicate_of_id.is_(None)).order_by(WorkOrder.id).limit(5000)
        if place:
            q = q.where(WorkOrder.place.like(f"%{place}%"))
        if data.get("category"):
            q = q.where(WorkOrder.category.like(f"{data['category']}%"))
        if data.get("since"):
            try:
                since = dt.date.fromisoformat(str(data["since"]))
            except ValueError:
                raise InvalidInput("since: a date YYYY-MM-DD", field="since", code="bad_since") from None
            q = q.where(WorkOrder.created_at >= dt.datetime.combine(since, dt.time(), tzinfo=now.tzinfo))
        seen: set[str] = set()
        for wo in session.scalars(q):
            number = _number_or_blank(wo.caller_number) if wo.contact_consent else ""
            if number and number in seen:
                continue  # one call per customer, however many orders they have
            seen.add(number)
            rows.append({"name": wo.caller_name or "", "number": number, "address": wo.place or "",
                         "ref": wo.number})
    else:
        raise InvalidInput("source: customers or work_orders", field="source", code="bad_source")
    lst = _new_list(session, user, data, source, now)
    _add_entries(session, lst, rows, now)
    audit.record(session, actor=actor(user), user_id=user.id, action="outbound_list_built",
                 entity="outbound_list", entity_id=lst.id, detail={"source": source, "entries": len(rows)})
    return {"id": lst.id, "entries": len(rows), "rejected": []}


def from_xlsx(session: Session, user: User, data: dict[str, Any], content: bytes, *, now: dt.datetime) -> dict[str, Any]:
    """A list from a workbook whose first row names the columns 姓名/name, 电话/number and
    optionally 地址/address; rows with a bad number are rejected row by row, rows without one
    are kept apart (``no_number``)."""
    check_build(user.role)
    sheet = xlsx_upload.open_sheet(content, column_of=lambda h: _HEADERS.get(h.lower()), required=("name", "number"),
                                   names="姓名/name, 电话/number, 地址/address")
    rejected: list[dict[str, Any]] = []
    rows: list[dict[str, str]] = []
    for row in sheet.rows(rejected):
        name = xlsx_upload.text(row.get("name"))
        if not name:
            rejected.append({"row": row.number, "field": "name", "code": "name_required", "reason": "name is required"})
            continue
        try:
            number = normalise_number(row.get("number"))
        except Invalid as exc:
            rejected.append({"row": row.number, "field": "number", "code": "bad_number", "reason": str(exc)})
            continue
        rows.append({"name": name, "number": number, "address": xlsx_upload.text(row.get("address")),
                     "ref": f"row:{row.number}"})
    lst = _new_list(session, user, data, "xlsx", now)
    _add_entries(session, lst, rows, now)
    audit.record(session, actor=actor(user), user_id=user.id, action="outbound_list_built",
                 entity="outbound_list", entity_id=lst.id, detail={"source": "xlsx", "entries": len(rows),
                                                                   "rejected": len(rejected)})
    return {"id": lst.id, "entries": len(rows), "rejected": rejected}
