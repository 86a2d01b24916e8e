"""The centre's other records (R-G4): staff sign-in per shift, work keys issued and returned (a key
not back at its shift's end alerts the centre), lost and found with its disposal date — and the
handover's section listing what is still open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import handover as handover_rules
from zongji.domain.guestsvc import records as rules
from zongji.errors import Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.guestsvc import centre, requests
from zongji.services.local_time import iso
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.guestsvc_models import GsKey, GsLostItem, GsSignIn
from zongji.store.models import User

KEY_JOB = "guestsvc.key_shift_end"


def _invalid(err: rules.RecordError) -> Invalid:
    return Invalid(str(err), field=err.field, code=err.code)


def _actor(user: User) -> str:
    return f"user:{user.username}"


# --------------------------------------------------------------------------- sign-in


def sign_in(session: Session, user: User, settings: Settings, now: dt.datetime) -> GsSignIn:
    slot = centre.shift_now(now, settings)
    existing = session.scalar(select(GsSignIn).where(GsSignIn.user_id == user.id, GsSignIn.day == slot.day,
                                                     GsSignIn.shift == slot.index))
    try:
        rules.check_sign_in(existing is not None)
    except rules.RecordError as err:
        raise _invalid(err) from None
    row = GsSignIn(user_id=user.id, day=slot.day, shift=slot.index, signed_in_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=_actor(user), user_id=user.id, action="guestsvc.signed_in", entity="gs_sign_in",
                 entity_id=row.id, detail={"day": slot.day.isoformat(), "shift": slot.index})
    return row


def sign_ins(session: Session, day: dt.date, settings: Settings) -> list[dict[str, Any]]:
    rows = session.scalars(select(GsSignIn).where(GsSignIn.day == day).order_by(GsSignIn.shift, GsSignIn.signed_in_at))
    out = []
    for r in rows:
        u = session.get(User, r.user_id)
        out.append({"id": r.id, "day": r.day.isoformat(), "shift": r.shift, "user": u.display_name if u else "",
                    "signed_in_at": iso(r.signed_in_at, settings.tz)})
    return out


# --------------------------------------------------------------------------- work keys


def key_out(k: GsKey, tz) -> dict[str, Any]:
    return {"id": k.id, "key_label": k.key_label, "holder": k.holder, "issued_at": iso(k.issued_at, tz),
            "issued_by": k.issued_by, "shift_ends_at": iso(k.shift_ends_at, tz),
            "returned_at": iso(k.returned_at, tz), "alerted": k.alerted_at is not None}


def issue_key(session: Session, user: User, settings: Settings, *, key_label: str, holder: str,
              now: dt.datetime) -> GsKey:
    if not key_label.strip():
        raise Invalid("which key", field="key_label")
    if not holder.strip():
        raise Invalid("to whom", field="holder")
    ends = centre.shift_now(now, settings).ends_at.astimezone(dt.UTC)
    k = GsKey(key_label=key_label.strip(), holder=holder.strip(), issued_at=now, issued_by=_actor(user),
              shift_ends_at=ends)
    session.add(k)
    session.flush()
    jobs.schedule(session, KEY_JOB, f"guestsvc-key:{k.id}", ends, {"key_id": k.id})
    audit.record(session, actor=_actor(user), user_id=user.id, action="guestsvc.key_issued", entity="gs_key",
                 entity_id=k.id, detail={"key": k.key_label, "holder": k.holder})
    return k


def return_key(session: Session, key_id: int, user: User, now: dt.datetime) -> GsKey:
    k = session.get(GsKey, key_id)
    if k is None:
        raise NotFound(f"no key issue {key_id}", field="key_id")
    try:
        rules.check_key_return(k.returned_at)
    except rules.RecordError as err:
        raise _invalid(err) from None
    k.returned_at, k.returned_by = now, _actor(user)
    jobs.cancel(session, f"guestsvc-key:{k.id}")
    audit.record(session, actor=_actor(user), user_id=user.id, action="guestsvc.key_returned", entity="gs_key",
                 entity_id=k.id)
    return k


def keys_out(session: Session) -> list[GsKey]:
    return list(session.scalars(select(GsKey).where(GsKey.returned_at.is_(None)).order_by(GsKey.issued_at)))


def alert_unreturned_key(session: Session, key_id: int, settings: Settings, now: dt.datetime) -> bool:
    """The job at the shift's end: a key not back alerts the centre (once)."""
    k = session.get(GsKey, key_id)
    if k is None or k.alerted_at is not None:
        return False
    late = rules.unreturned_at_shift_end([rules.KeyIssue(k.id, k.key_label, k.holder, k.issued_at,
                                                          k.shift_ends_at, k.returned_at)], now)
    if not late:
        return False
    k.alerted_at = now
    unit_id = centre.centre_unit_id(session, settings)
    live_feed.publish(session, "guest_request", f"key:{k.id}", {"key_id": k.id, "unit_id": unit_id,
                                                                 "alert": "key_unreturned"})
    audit.record(session, actor="system", action="guestsvc.key_unreturned", entity="gs_key", entity_id=k.id)
    return True


# --------------------------------------------------------------------------- lost and found


def lost_out(x: GsLostItem, tz, today: dt.date) -> dict[str, Any]:
    return {"id": x.id, "description": x.description, "found_where": x.found_where, "found_by": x.found_by,
            "found_at": iso(x.found_at, tz), "kept_where": x.kept_where, "dispose_after": x.dispose_after.isoformat(),
            "disposable": x.returned_at is None and x.disposed_at is None and today >= x.dispose_after,
            "returned_to": x.returned_to, "returned_at": iso(x.returned_at, tz), "disposed_at": iso(x.disposed_at, tz)}


def record_found(session: Session, user: User, settings: Settings, *, description: str, found_where: str,
                 found_by: str, kept_where: str, now: dt.datetime) -> GsLostItem:
    for field, value in (("description", description), ("found_where", found_where), ("found_by", found_by),
                         ("kept_where", kept_where)):
        if not value.strip():
            raise Invalid("required", field=field)
    x = GsLostItem(description=description.strip(), found_where=found_where.strip(), found_by=found_by.strip(),
                   kept_where=kept_where.strip(), found_at=now, recorded_by=_actor(user),
                   dispose_after=rules.disposal_date(now.astimezone(settings.tz).date(), settings.guestsvc_lost_keep_days))
    session.add(x)
    session.flush()
    audit.record(session, actor=_actor(user), user_id=user.id, action="guestsvc.lost_found_recorded",
                 entity="gs_lost_item", entity_id=x.id, detail={"description": x.description})
    return x


def close_found(session: Session, item_id: int, user: User, settings: Settings, *, returned_to: str | None,
                disposed: bool, now: dt.datetime) -> GsLostItem:
    x = session.get(GsLostItem, item_id)
    if x is None:
        raise NotFound(f"no lost-and-found item {item_id}", field="item_id")
    try:
        rules.check_lost_item_closing(returned_to, disposed, x.returned_at is not None or x.disposed_at is not None,
                                      now.astimezone(settings.tz).date(), x.dispose_after)
    except rules.RecordError as err:
        raise _invalid(err) from None
    if disposed:
        x.disposed_at = now
    else:
        x.returned_to, x.returned_at = (returned_to or "").strip(), now
    audit.record(session, actor=_actor(user), user_id=user.id, action="guestsvc.lost_found_closed",
                 entity="gs_lost_item", entity_id=x.id, detail={"returned_to": x.returned_to, "disposed": disposed})
    return x


def lost_open(session: Session) -> list[GsLostItem]:
    return list(session.scalars(select(GsLostItem).where(GsLostItem.returned_at.is_(None),
                                                         GsLostItem.disposed_at.is_(None)).order_by(GsLostItem.found_at)))


# --------------------------------------------------------------------------- the handover


SECTION = ("客房服务中心", "Guest-service centre")


def handover_section(session: Session, now: dt.datetime, settings: Settings) -> handover_rules.HandoverSection:
    """What the next shift must know (R-G4, R-H13): requests not done, loans still out, dishes to
    collect, keys not back, lost and found kept. Rooms only, never a guest's name."""
    tz = settings.tz
    today = now.astimezone(tz).date()
    items: list[handover_rules.HandoverItem] = []

    def hm(t: dt.datetime | None) -> str:
        return t.astimezone(tz).strftime("%H:%M") if t else ""

    for r in requests.open_requests(session):
        items.append(handover_rules.HandoverItem(
            "gs_request", str(r.id), r.created_at,
            f"{hm(r.created_at)} {r.room.number}房 {r.item_name} — 未完成", f"{hm(r.created_at)} room {r.room.number} "
            f"{r.item_name} — not done", urgent=True))
    for r in requests.loans_out(session):
        late = r.due_back_at is not None and r.due_back_at <= now
        items.append(handover_rules.HandoverItem(
            "gs_loan", str(r.id), r.due_back_at, f"{r.room.number}房 借用{r.item_name}×{r.quantity} 未还（应还 {hm(r.due_back_at)}）",
            f"room {r.room.number} borrowed {r.item_name}×{r.quantity} not back (due {hm(r.due_back_at)})", urgent=late))
    for r in requests.dishes_out(session):
        items.append(handover_rules.HandoverItem(
            "gs_dishes", str(r.id), r.done_at, f"{r.room.number}房 送餐餐具未收", f"room {r.room.number}: dishes not collected"))
    for k in keys_out(session):
        items.append(handover_rules.HandoverItem(
            "gs_key", str(k.id), k.issued_at, f"工作钥匙 {k.key_label} 在 {k.holder} 处未归还",
            f"work key {k.key_label} still with {k.holder}", urgent=k.shift_ends_at <= now))
    for x in lost_open(session):
        items.append(handover_rules.HandoverItem(
            "gs_lost", str(x.id), x.found_at, f"失物：{x.description}（{x.found_where}拾得，存放于{x.kept_where}，"
            f"{x.dispose_after.isoformat()}后可处理）", f"lost and found: {x.description} (found at {x.found_where}, "
            f"kept at {x.kept_where}, may be disposed of after {x.dispose_after.isoformat()})",
            urgent=today >= x.dispose_after))
    return handover_rules.HandoverSection("guestsvc", *SECTION, tuple(items))



