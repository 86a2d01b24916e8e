"""The intake queue (issue 15, point 1; R-P1, R-O2): messages of every channel but the phone wait
here, oldest first, each with its first-response clock (``domain.intake.first_response``), until
an operator finishes it one of three ways — a new work order, added to an existing order (the
same sender's open order or a likely duplicate), or answered and closed from the knowledge base.
Every change is published on the live feed's topic ``intake`` in its own transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zongji.domain.intake import first_response
from zongji.domain.intake.channels import QUEUED_CHANNELS, Channel
from zongji.domain.roles import CONSOLE_ROLES
from zongji.domain.work_orders.phone_digits import phone_digits
from zongji.domain.work_orders.words import FINAL_STATUSES
from zongji.errors import Conflict, Forbidden, Invalid, NotFound, TooMany
from zongji.services import audit, live_feed
from zongji.services.intake import replies
from zongji.services.knowledge import articles
from zongji.services.work_orders import attachments, commands
from zongji.services.work_orders.duplicates import suggest_duplicates, weights_from_settings
from zongji.services.work_orders.visibility import Viewer, get_visible
from zongji.settings import Settings
from zongji.store.intake_models import IntakeMessage
from zongji.services import scope as scopes
from zongji.store.models import Line, User, utcnow
from zongji.store.work_order_models import WorkOrder

QUEUE_LIMIT = 200


def _check_console(user: User) -> None:
    if user.role not in {str(r) for r in CONSOLE_ROLES}:
        raise Forbidden("the intake queue is worked from the console")


def _number_of(session: Session, order_id: int | None) -> str | None:
    return None if order_id is None else session.scalar(select(WorkOrder.number).where(WorkOrder.id == order_id))


def receive(session: Session, settings: Settings, *, channel: Channel | str, sender: str, text: str,
            now: dt.datetime, external_id: str | None = None, to_address: str | None = None,
            meta: dict[str, Any] | None = None, client_id: int | None = None,
            token: str | None = None, client_address: str | None = None) -> tuple[IntakeMessage, bool]:
    """Store an inbound message in the queue; ``(message, duplicate)`` — the same channel's
    message id twice is the message stored the first time (a gateway's retried delivery)."""
    channel = Channel(channel)
    if channel not in QUEUED_CHANNELS:
        raise Invalid("calls come through the CTI, not the intake queue", field="channel")
    if external_id:
        old = session.scalar(select(IntakeMessage).where(IntakeMessage.channel == str(channel),
                                                        IntakeMessage.external_id == external_id))
        if old is not None:
            return old, True
    text = (text or "").strip()
    if not text:
        raise Invalid("the message is empty", field="text")
    if len(text) > settings.intake_text_max_chars:
        raise Invalid(f"the message is longer than {settings.intake_text_max_chars} characters", field="text",
                      code="too_long")
    m = IntakeMessage(channel=str(channel), direction="in", state="waiting", sender=sender.strip()[:200],
                      sender_digits=(phone_digits(sender) or None) if channel in (Channel.SMS, Channel.WEB) else None,
                      client_address=client_address,
                      to_address=to_address, text=text, external_id=external_id, received_at=now,
                      first_response_due_at=first_response.due_at(now, channel, settings.intake_first_response_minutes),
                      meta=meta, client_id=client_id, token=token)
    try:
        with session.begin_nested():  # a concurrent delivery of the same id: keep the first
            session.add(m)
            session.flush()
    except IntegrityError:
        old = session.scalar(select(IntakeMessage).where(IntakeMessage.channel == str(channel),
                                                        IntakeMessage.external_id == external_id))
        if old is None:
            raise
        return old, True
    live_feed.publish(session, "intake", m.id, replies.message_out(m, now), at=now)
    return m, False


def check_rate(session: Session, *, now: dt.datetime, limit: int, field: str, sender_digits: str | None = None,
               client_id: int | None = None, client_address: str | None = None,
               channel: Channel = Channel.SMS) -> None:
    """Refuse (429) an inbound message past ``limit`` in the last hour from the same SMS number or
    Open311 client; ``retry_after``: until the hour's oldest of them leaves the window."""
    since = now - dt.timedelta(hours=1)
    q = select(func.count(), func.min(IntakeMessage.received_at)).where(IntakeMessage.direction == "in",
                                                                         IntakeMessage.received_at > since)
    if client_address:
        q = q.where(IntakeMessage.client_address == client_address, IntakeMessage.channel == str(channel))
    elif sender_digits:
        q = q.where(IntakeMessage.sender_digits == sender_digits, IntakeMessage.channel == str(channel))
    elif client_id is not None:
        q = q.where(IntakeMessage.client_id == client_id)
    else:
        return
    n, oldest = session.execute(q).one()
    if n >= limit:
        wait = int(((oldest or now) + dt.timedelta(hours=1) - now).total_seconds()) + 1
        raise TooMany(f"more than {limit} messages within an hour; try again later", field=field,
                      retry_after=max(1, wait))


def lines_by_number(session: Session) -> dict[str, Line]:
    """Published number (digits) → line: an SMS sent to a line's number belongs to that line,
    as a call to it does (issue 15 follow-up, point 2)."""
    return {phone_digits(x.number): x for x in session.scalars(select(Line).order_by(Line.id)) if phone_digits(x.number)}


def line_of(lines: dict[str, Line], m: IntakeMessage) -> Line | None:
    """The line a message came in on: its ``to`` number is a line's number (SMS, app); e-mail,
    the web form and Open311 come in on none and are seen by every line's operators."""
    digits = phone_digits(m.to_address or "") if m.to_address and "@" not in m.to_address else ""
    return lines.get(digits) if digits else None


def lines_to_choose(session: Session, user: User) -> list[dict[str, str]]:
    """The lines the page's chooser offers: the user's own (every line for a user with none)."""
    scope = scopes.scope_of(session, user)
    return [{"code": x.code, "name": x.name, "kind": x.kind} for x in session.scalars(select(Line).order_by(Line.code))
            if scope is None or scope.sees_line(line_id=x.id)]


def waiting(session: Session, user: User, *, now: dt.datetime, limit: int = QUEUE_LIMIT,
            line: str | None = None) -> list[dict[str, Any]]:
    """The queue: waiting messages oldest first, each with its clock (``seconds_left``) and its
    line. An operator of some lines sees those lines' messages and those of no line (R-P1: the
    console's scope, ``domain.scope``); ``line`` (a line code, the page's chooser) narrows to
    one line's messages and those of no line."""
    _check_console(user)
    scope = scopes.scope_of(session, user)
    if line and (scope is None or not scope.sees_line(line_code=line)):
        raise Invalid("not one of your lines", field="line")
    lines = lines_by_number(session)
    if line and line not in {x.code for x in lines.values()}:
        raise Invalid("no such line", field="line")
    out = []
    rows = session.scalars(select(IntakeMessage).where(IntakeMessage.state == "waiting")
                           .order_by(IntakeMessage.received_at, IntakeMessage.id).limit(limit))
    for m in rows:
        ln = line_of(lines, m)
        if ln is not None and (not (scope is None or scope.sees_line(line_id=ln.id)) or (line and ln.code != line)):
            continue
        row = replies.message_out(m, now)
        row["line"] = {"code": ln.code, "name": ln.name, "kind": ln.kind} if ln is not None else None
        out.append(row)
    return out


def _waiting_message(session: Session, message_id: int) -> IntakeMessage:
    q = select(IntakeMessage).where(IntakeMessage.id == message_id, IntakeMessage.direction == "in")
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    m = session.scalar(q)
    if m is None:
        raise NotFound("no such message", field="message_id")
    if m.state != "waiting":
        raise Conflict("this message has been handled already", field="message_id", code="handled")
    return m


def _finish(session: Session, user: User, m: IntakeMessage, outcome: str, now: dt.datetime,
            order_id: int | None = None, article_id: int | None = None) -> None:
    m.state, m.outcome, m.handled_by_id = "done", outcome, user.id
    m.first_responded_at = m.first_responded_at or now
    if order_id is not None:
        m.order_id = order_id
    if article_id is not None:
        m.knowledge_article_id = article_id
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action=f"intake_{outcome}",
                 entity="intake_message", entity_id=m.id, detail={"order_id": order_id, "article_id": article_id})
    live_feed.publish(session, "intake", m.id, replies.message_out(m, now, _number_of(session, m.order_id)), at=now)


def _attach_files(session: Session, user: User, m: IntakeMessage, order_id: int, settings: Settings,
                  now: dt.datetime) -> None:
    """The files that came with the message (an e-mail's attachments) go onto the order."""
    meta = m.meta if isinstance(m.meta, dict) else {}
    for a in meta.get("attachments") or []:
        path = Path(settings.data_dir) / "intake" / str(a.get("stored") or "")
        if not a.get("stored") or not path.is_file():
            continue
        try:
            attachments.add_attachment(session, Viewer.of(user), order_id, filename=str(a.get("filename") or "file"),
                                       content_type=str(a.get("content_type") or ""), chunks=[path.read_bytes()],
                                       data_dir=settings.data_dir, max_bytes=settings.attachment_max_bytes,
                                       max_count=settings.attachments_per_order_max, now=now)
        except Invalid:
            continue  # the order is full: the file stays with the message


_ORDER_FIELDS = {f.name for f in fields(commands.NewOrder)} - {"channel", "call_id"}


def make_order(session: Session, user: User, message_id: int, data: dict[str, Any], settings: Settings, *,
               now: dt.datetime | None = None) -> WorkOrder:
    """A new work order of the message: its channel, its sender as the caller's number (SMS),
    its text as the description unless the operator wrote one. The sender is told the number."""
    now = now or utcnow()
    _check_console(user)
    m = _waiting_message(session, message_id)
    values = {k: v for k, v in data.items() if k in _ORDER_FIELDS}
    values.setdefault("description", m.text)
    if not str(values.get("description") or "").strip():
        values["description"] = m.text
    if m.channel in (Channel.SMS, Channel.WEB) and not values.get("caller_number"):
        values["caller_number"] = m.sender
    if not values.get("line_code"):
        ln = line_of(lines_by_number(session), m)
        values["line_code"] = ln.code if ln is not None else None  # the order on the message's line
    meta = m.meta if isinstance(m.meta, dict) else {}
    for key, source in (("category", "category"), ("place", "address_string"), ("latitude", "lat"),
                        ("longitude", "long"), ("caller_name", "name"), ("caller_number", "phone")):
        if values.get(key) in (None, "") and meta.get(source) not in (None, ""):
            values[key] = meta[source]  # what an Open311 client filed
    order = commands.create_order(session, Viewer.of(user), commands.NewOrder(channel=m.channel, **values),
                                  tz=settings.tz, now=now)
    _finish(session, user, m, "order", now, order_id=order.id)
    _attach_files(session, user, m, order.id, settings, now)
    replies.send(session, to=m, text=f"【12345】您反映的问题已受理，工单编号 {order.number}。"
                                     f"回复“查询 {order.number}”可查办理进度。", now=now, order_id=order.id,
                 user_id=user.id)
    return order


def add_to_order(session: Session, user: User, message_id: int, order_id: int, settings: Settings, *,
                 now: dt.datetime | None = None) -> WorkOrder:
    """The message belongs to an order already (the same sender's open order, or a likely
    duplicate): kept on that order's conversation; the sender is told its number."""
    now = now or utcnow()
    _check_console(user)
    m = _waiting_message(session, message_id)
    order = get_visible(session, Viewer.of(user), order_id)
    _finish(session, user, m, "added", now, order_id=order.id)
    _attach_files(session, user, m, order.id, settings, now)
    replies.send(session, to=m, text=f"【12345】您的信息已补充到工单 {order.number}，我们会一并处理。",
                 now=now, order_id=order.id, user_id=user.id)
    return order


def answer(session: Session, user: User, message_id: int, text: str, settings: Settings, *,
           article_id: int | None = None, now: dt.datetime | None = None) -> IntakeMessage:
    """Answered and closed (an inquiry answered from the knowledge base, R-P2): the answer goes
    to the sender; no order is made."""
    now = now or utcnow()
    _check_console(user)
    if not (text or "").strip():
        raise Invalid("the answer is empty", field="text")
    if article_id is not None:
        articles.get(session, article_id)
    m = _waiting_message(session, message_id)
    _finish(session, user, m, "answered", now, article_id=article_id)
    return replies.send(session, to=m, text=text, now=now, user_id=user.id)


def reply_on_order(session: Session, user: User, order_id: int, text: str, *,
                   now: dt.datetime | None = None) -> IntakeMessage:
    """An operator's further answer on an order's conversation, to the sender of its latest
    inbound message, on that message's channel."""
    now = now or utcnow()
    _check_console(user)
    if not (text or "").strip():
        raise Invalid("the answer is empty", field="text")
    order = get_visible(session, Viewer.of(user), order_id)
    last = session.scalar(select(IntakeMessage).where(IntakeMessage.order_id == order.id,
                                                      IntakeMessage.direction == "in")
                          .order_by(IntakeMessage.received_at.desc(), IntakeMessage.id.desc()).limit(1))
    if last is None:
        raise Invalid("this order has no message to answer", field="order_id", code="no_conversation")
    out = replies.send(session, to=last, text=text, now=now, order_id=order.id, user_id=user.id)
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="intake_reply",
                 entity="work_order", entity_id=order.id, detail={"message_id": out.id})
    return out


def conversation(session: Session, user: User, order_id: int) -> list[dict[str, Any]]:
    """The messages in and out of an order, oldest first (a read of senders' numbers: audited)."""
    _check_console(user)
    order = get_visible(session, Viewer.of(user), order_id)
    rows = list(session.scalars(select(IntakeMessage).where(IntakeMessage.order_id == order.id)
                                .order_by(IntakeMessage.received_at, IntakeMessage.id)))
    if rows:
        audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="read",
                     entity="intake_conversation", entity_id=order.id, detail={"messages": len(rows)})
    return [replies.message_out(m, order_number=order.number) for m in rows]


def candidates(session: Session, user: User, message_id: int, settings: Settings, *,
               now: dt.datetime | None = None) -> dict[str, Any]:
    """Orders a waiting message may belong to: the same sender's open orders, newest first, and
    the likely duplicates of its text (R-P8, ``work_orders.duplicates``)."""
    now = now or utcnow()
    _check_console(user)
    m = session.get(IntakeMessage, message_id)
    if m is None or m.direction != "in":
        raise NotFound("no such message", field="message_id")
    viewer = Viewer.of(user)
    same: list[dict[str, Any]] = []
    if m.order_id is not None:  # a reply in an order's thread (e-mail): that order first
        try:
            o = get_visible(session, viewer, m.order_id)
            same.append({"id": o.id, "number": o.number, "status": o.status, "created_at": o.created_at.isoformat(),
                         "description": (o.description or "")[:140]})
        except NotFound:
            pass
    if m.sender_digits:
        forms = {m.sender, m.sender_digits}
        linked = exists().where(IntakeMessage.order_id == WorkOrder.id, IntakeMessage.sender_digits == m.sender_digits)
        q = (select(WorkOrder).where(or_(WorkOrder.caller_number.in_(forms), linked),
                                     WorkOrder.status.not_in([str(s) for s in FINAL_STATUSES]))
             .order_by(WorkOrder.created_at.desc()).limit(10))
        for o in session.scalars(q):
            if any(x["id"] == o.id for x in same):
                continue
            try:
                get_visible(session, viewer, o.id)
            except NotFound:
                continue
            same.append({"id": o.id, "number": o.number, "status": o.status, "created_at": o.created_at.isoformat(),
                         "description": (o.description or "")[:140]})
    dups = suggest_duplicates(session, viewer, caller_number=m.sender if m.sender_digits else None, place=None,
                              category=None, description=m.text, window_days=settings.duplicate_window_days,
                              limit=settings.duplicate_limit, now=now, weights=weights_from_settings(settings),
                              candidates_max=settings.duplicate_candidates_max)
    return {"same_sender": same, "likely_duplicates": dups}
