"""Working through an outbound list (issue 14 point 4, R-S13, R-S12): an operator takes the next
entry with one key (a claim with a lease, won by one conditional UPDATE so two operators never
hold the same entry), records the result with notes or survey answers, and the retry rule of
``zongji.domain.outbound`` decides when it comes back. The reached / not-reached lists at any
time, exportable as XLSX.

Every change of a list's entries (built, taken, recorded, given back) is announced on the live
topic ``outbound_list`` with the list's counts (no names or numbers), so the lists page
(``/outbound``) shows each list's progress live."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from zongji.domain import outbound as ob
from zongji.domain.emergency.errors import IllegalTransition, InvalidInput
from zongji.errors import NotFound
from zongji.services import audit, live_feed
from zongji.services.actors import actor
from zongji.settings import Settings
from zongji.store.models import User
from zongji.store.outbound_models import OutboundAttempt, OutboundEntry, OutboundList

S = ob.EntryState
TOPIC = "outbound_list"
GROUPS = ("reached", "not_reached", "open", "no_number")


def group_of(state: str) -> str:
    """Where an entry's state is listed: reached, not reached, no number, else open (to try)."""
    return state if state in ("reached", "not_reached", "no_number") else "open"


def progress(by_state: dict[str, int]) -> dict[str, int]:
    """Counts per state folded into :data:`GROUPS`."""
    out = dict.fromkeys(GROUPS, 0)
    for state, n in by_state.items():
        out[group_of(state)] += n
    return out


def counts(session: Session, list_id: int) -> dict[str, int]:
    """The list's entries per group (:data:`GROUPS`)."""
    return progress(dict(session.execute(select(OutboundEntry.state, func.count()).where(
        OutboundEntry.list_id == list_id).group_by(OutboundEntry.state)).all()))


def announce(session: Session, list_id: int, event: str, *, now: dt.datetime, **extra: Any) -> None:
    """The list's progress on the live feed (topic :data:`TOPIC`), in the change's transaction."""
    session.flush()
    live_feed.publish(session, TOPIC, list_id, {"list_id": list_id, "event": event,
                                                "counts": counts(session, list_id), **extra}, at=now)


def retry_rule(settings: Settings) -> ob.RetryRule:
    return ob.RetryRule(max_tries=settings.outbound_max_tries,
                        wait=dt.timedelta(minutes=settings.outbound_retry_minutes))


def _list(session: Session, list_id: int) -> OutboundList:
    lst = session.get(OutboundList, list_id)
    if lst is None:
        raise NotFound("no such outbound list")
    return lst


def _entry_state(e: OutboundEntry) -> ob.Entry:
    return ob.Entry(state=S(e.state), tries=e.tries, result=e.result, due_at=e.due_at,
                    claimed_by=e.claimed_by_id, lease_until=e.lease_until)


def _takeable_clause(now: dt.datetime, *, before_due: bool = False):
    """Entries one may take now; ``before_due``: also an open one not due yet (an operator
    choosing a callback from the console's list calls back early)."""
    return or_(and_(OutboundEntry.state.in_([S.PENDING.value, S.RETRY.value]),
                    or_(OutboundEntry.due_at.is_(None), OutboundEntry.due_at <= now,
                        *([OutboundEntry.due_at.is_not(None)] if before_due else []))),
               and_(OutboundEntry.state.in_([S.CLAIMED.value, S.DIALLING.value]), OutboundEntry.lease_until <= now))


def entry_view(e: OutboundEntry) -> dict[str, Any]:
    return {"id": e.id, "list_id": e.list_id, "position": e.position, "name": e.name, "number": e.number,
            "address": e.address, "ref": e.ref, "state": e.state, "tries": e.tries, "result": e.result,
            "due_at": e.due_at.isoformat() if e.due_at else None,
            "lease_until": e.lease_until.isoformat() if e.lease_until else None}


def take_next(session: Session, user: User, list_id: int, *, now: dt.datetime, settings: Settings,
              entry_id: int | None = None) -> dict[str, Any] | None:
    """The caller's entry to call now: the one they already hold, else the next takeable one
    (or ``entry_id`` if it is takeable), claimed for ``outbound_claim_lease_seconds``; ``None``
    when nothing is due."""
    lst = _list(session, list_id)
    ob.claim(ob.Entry(), user.id, user.role, now, dt.timedelta(seconds=1))  # the role check (403)
    held = session.scalars(select(OutboundEntry).where(
        OutboundEntry.list_id == list_id, OutboundEntry.state == S.CLAIMED.value,
        OutboundEntry.claimed_by_id == user.id, OutboundEntry.lease_until > now,
        *([OutboundEntry.id == entry_id] if entry_id is not None else []))).first()
    lease = dt.timedelta(seconds=settings.outbound_claim_lease_seconds)
    chosen = entry_id is not None
    if held is None:
        candidates = session.scalars(select(OutboundEntry.id).where(
            OutboundEntry.list_id == list_id, _takeable_clause(now, before_due=chosen),
            *([OutboundEntry.id == entry_id] if entry_id is not None else [])).order_by(
            OutboundEntry.due_at.is_not(None), OutboundEntry.due_at, OutboundEntry.position).limit(20)).all()
        for entry_id in candidates:
            # The claim is one UPDATE guarded by the same condition: of two operators racing for
            # this entry, one updates a row and the other none (and tries the next).
            won = session.execute(update(OutboundEntry).where(
                OutboundEntry.id == entry_id, _takeable_clause(now, before_due=chosen)).values(
                state=S.CLAIMED.value, claimed_by_id=user.id, lease_until=now + lease, updated_at=now)
                .execution_options(synchronize_session=False)).rowcount
            if won == 1:
                held = session.get(OutboundEntry, entry_id)
                session.refresh(held)
                break
    if held is None:
        return None
    audit.record(session, actor=actor(user), user_id=user.id, action="outbound_entry_taken",
                 entity="outbound_entry", entity_id=held.id)
    announce(session, list_id, "taken", now=now, entry_id=held.id)
    out = entry_view(held)
    out.update(message=lst.message, questions=lst.questions, purpose=lst.purpose)
    return out


def take(session: Session, user: User, entry_id: int, *, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    """Take one given entry (a callback from the console's alert); 409 when it is held or done."""
    entry = session.get(OutboundEntry, entry_id)
    if entry is None:
        raise NotFound("no such outbound entry")
    out = take_next(session, user, entry.list_id, now=now, settings=settings, entry_id=entry_id)
    if out is None:
        raise IllegalTransition("the entry is held by another operator or done", code="not_takeable")
    return out


def record(session: Session, user: User | None, entry_id: int, data: dict[str, Any], *, now: dt.datetime,
           settings: Settings) -> dict[str, Any]:
    """Record one try's result (``result``, ``note``, ``answers``, ``call_back_at``) by the operator
    holding the entry (``user``) or the automatic caller (``user=None``)."""
    entry = session.get(OutboundEntry, entry_id, with_for_update=True)
    if entry is None:
        raise NotFound("no such outbound entry")
    if user is not None and entry.state == S.CLAIMED.value and entry.claimed_by_id != user.id:
        raise IllegalTransition("another operator holds this entry", code="held_by_other")
    call_back_at = None
    if data.get("call_back_at"):
        try:
            call_back_at = dt.datetime.fromisoformat(str(data["call_back_at"]))
        except ValueError:
            raise InvalidInput("call_back_at: a date and time", field="call_back_at", code="bad_call_back_at") from None
    note = str(data.get("note") or "").strip()[:2000]
    answers = data.get("answers")
    if answers is not None:
        lst = _list(session, entry.list_id)
        if not isinstance(answers, dict) or any(not str(k).isdigit() or int(k) >= len(lst.questions) for k in answers):
            raise InvalidInput("answers: by question index", field="answers", code="bad_answers")
        answers = {str(k): str(v)[:500] for k, v in answers.items()}
    new = ob.apply(_entry_state(entry), str(data.get("result") or ""), now, retry_rule(settings),
                   role=user.role if user is not None else ob.SYSTEM, call_back_at=call_back_at)
    entry.state, entry.tries, entry.result, entry.due_at = new.state.value, new.tries, new.result, new.due_at
    entry.claimed_by_id, entry.lease_until, entry.updated_at = None, None, now
    session.add(OutboundAttempt(entry_id=entry.id, by_id=user.id if user else None, result=new.result,
                                note=note, answers=answers, call_back_at=call_back_at, at=now))
    announce(session, entry.list_id, "recorded", now=now, entry_id=entry.id)
    return entry_view(entry)


def release(session: Session, user: User, entry_id: int, *, now: dt.datetime) -> dict[str, Any]:
    entry = session.get(OutboundEntry, entry_id)
    if entry is None:
        raise NotFound("no such outbound entry")
    if entry.claimed_by_id != user.id:
        raise IllegalTransition("you do not hold this entry", code="not_held")
    new = ob.release(_entry_state(entry), user.role)
    entry.state, entry.claimed_by_id, entry.lease_until, entry.updated_at = new.state.value, None, None, now
    announce(session, entry.list_id, "released", now=now, entry_id=entry.id)
    return entry_view(entry)


def report(session: Session, user: User, list_id: int) -> dict[str, Any]:
    """The list with its entries grouped: reached, not reached, open (still to try), no number."""
    lst = _list(session, list_id)
    groups: dict[str, list[dict[str, Any]]] = {k: [] for k in GROUPS}
    notes = last_notes(session, list_id)
    for e in session.scalars(select(OutboundEntry).where(OutboundEntry.list_id == list_id).order_by(OutboundEntry.position)):
        groups[group_of(e.state)].append({**entry_view(e), "note": notes.get(e.id, "")})
    audit.record(session, actor=actor(user), user_id=user.id, action="outbound_list_read",
                 entity="outbound_list", entity_id=list_id)
    return {"id": lst.id, "name": lst.name, "source": lst.source, "purpose": lst.purpose, "automatic": lst.automatic,
            "message": lst.message, "questions": lst.questions,
            "counts": {k: len(v) for k, v in groups.items()}, **groups}


def last_notes(session: Session, list_id: int) -> dict[int, str]:
    """Each entry's note of its last recorded try."""
    return dict(session.execute(select(OutboundAttempt.entry_id, OutboundAttempt.note).join(
        OutboundEntry, OutboundEntry.id == OutboundAttempt.entry_id).where(
        OutboundEntry.list_id == list_id).order_by(OutboundAttempt.id)).all())


def lists(session: Session) -> list[dict[str, Any]]:
    by_list: dict[int, dict[str, int]] = {}
    for list_id, state, n in session.execute(select(OutboundEntry.list_id, OutboundEntry.state, func.count())
                                             .group_by(OutboundEntry.list_id, OutboundEntry.state)):
        by_list.setdefault(list_id, {})[state] = n
    return [{"id": lst.id, "name": lst.name, "source": lst.source, "purpose": lst.purpose,
             "automatic": lst.automatic, "created_at": lst.created_at.isoformat(), "counts": by_list.get(lst.id, {}),
             "progress": progress(by_list.get(lst.id, {}))}
            for lst in session.scalars(select(OutboundList).order_by(OutboundList.id.desc()).limit(200))]


_HEAD = ("序号 No.", "姓名 Name", "电话 Number", "地址 Address", "来源 Ref", "状态 State", "次数 Tries",
         "结果 Result", "备注 Note")


def export_xlsx(session: Session, user: User, list_id: int) -> bytes:
    """The reached / not-reached / open / no-number sheets of the list, with each entry's last note."""
    from openpyxl import Workbook  # imported when a workbook is made: not at start-up

    data = report(session, user, list_id)
    wb = Workbook()
    wb.remove(wb.active)
    for key, title in (("reached", "已联系 reached"), ("not_reached", "未联系 not reached"), ("open", "待拨 open"),
                       ("no_number", "无号码 no number")):
        ws = wb.create_sheet(title)
        ws.append(_HEAD)
        for e in data[key]:
            ws.append((e["position"], e["name"], e["number"], e["address"], e["ref"], e["state"], e["tries"],
                       e["result"] or "", e["note"]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
