"""Posting charges to the guest's folio through the PMS adapter (R-H10), and a person's settling
of those the PMS did not take. Nothing is dropped: a charge the adapter refused, or that found no
stay, stays listed (``reports.listing``, the missed charges) until a person posts it by hand, writes it off with a
reason, or sends it again; a PMS that cannot be reached gets it again after
``charges_retry_seconds``. Every change is in the live feed (topic ``call_charge``) and a
person's in the audit log."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain.charges import posting as rules
from zongji.errors import Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.charges.folio import FolioAdapter, FolioAnswer, FolioCharge
from zongji.settings import Settings
from zongji.store.charges_models import CallCharge

log = logging.getLogger(__name__)

KIND_TEXT = {"idd": "IDD", "ddd": "DDD", "local": "LOCAL", "mobile": "MOBILE"}


def folio_charge(c: CallCharge) -> FolioCharge:
    if c.request_id is not None:  # a charged service of the guest-service centre
        text, source = c.destination or "SERVICE", f"service:{c.request_id}"
    else:
        minutes = -(-c.talk_seconds // 60)
        text, source = f"{KIND_TEXT.get(c.kind, 'CALL')} {c.dialled} {minutes}min", f"call:{c.call_id}"
    return FolioCharge(charge_id=c.id, source=source, room=c.room_number or "",
                       amount_fen=c.amount_fen, text=text, dialled=c.dialled, talk_seconds=c.talk_seconds)


def _settle(session: Session, c: CallCharge, answer: FolioAnswer, adapter: FolioAdapter, now: dt.datetime,
            settings: Settings) -> None:
    before = c.state
    c.adapter = adapter.name
    if answer.reference:
        c.reference = answer.reference
    if answer.state == "posted":
        c.state, c.posted_at, c.reason, c.next_try_at = rules.apply(c.state, "pms_posted"), now, None, None
    elif answer.state == "refused":
        c.state, c.reason = rules.apply(c.state, "pms_refused"), (answer.reason or "refused")[:200]
    elif answer.state == "pending":
        if c.state == "queued":
            c.state = rules.apply(c.state, "hand_over")
    else:
        c.state = rules.apply(c.state, "pms_unavailable")
        c.reason = "unavailable"  # shown translated; the adapter's own words go to the log
        if answer.reason:
            log.info("call charge %s: the PMS is unavailable: %s", c.id, answer.reason)
        c.next_try_at = now + dt.timedelta(seconds=settings.charges_retry_seconds)
    if c.state != before:
        live_feed.publish(session, "call_charge", c.id, {"state": c.state})


def post_due(session: Session, adapter: FolioAdapter, settings: Settings, now: dt.datetime) -> dict[str, int]:
    """Hand the queued charges that are due to the adapter, and follow those it has pending."""
    done = {"posted": 0, "pending": 0, "refused": 0, "unavailable": 0}
    queued = list(session.scalars(
        select(CallCharge).where(CallCharge.state == "queued",
                                 or_(CallCharge.next_try_at.is_(None), CallCharge.next_try_at <= now))
        .order_by(CallCharge.id).limit(settings.charges_batch)))
    for c in queued:
        c.attempts += 1
        try:
            with session.begin_nested():
                answer = adapter.post(session, folio_charge(c))
        except Exception as exc:  # the adapter's own failure: the PMS is not reachable now
            log.warning("call charge %s: the PMS adapter failed: %s", c.id, exc)
            answer = FolioAnswer("unavailable")
        _settle(session, c, answer, adapter, now, settings)
        done[answer.state] += 1
    pending = list(session.scalars(select(CallCharge).where(CallCharge.state == "pending")
                                   .order_by(CallCharge.id).limit(settings.charges_batch)))
    for c in pending:
        try:
            with session.begin_nested():
                answer = adapter.follow(session, folio_charge(c), c.reference)
        except Exception as exc:
            log.warning("call charge %s: the PMS adapter failed: %s", c.id, exc)
            continue
        if answer.state != "pending":
            _settle(session, c, answer, adapter, now, settings)
            done[answer.state] += 1
    return done


def _get(session: Session, charge_id: int) -> CallCharge:
    c = session.get(CallCharge, charge_id)
    if c is None:
        raise NotFound("no such charge", field="charge_id")
    return c


def act(session: Session, charge_id: int, action: str, *, actor: str, reason: str | None, now: dt.datetime) -> CallCharge:
    """A person's action on a charge not posted: ``requeue``, ``post_by_hand`` or ``write_off``
    (a reason is required to write a charge off)."""
    c = _get(session, charge_id)
    text = (reason or "").strip()
    if action == "write_off" and not text:
        raise Invalid("say why the charge is written off", field="reason")
    try:
        to = rules.apply(c.state, action)
    except rules.NotAllowed:
        raise Invalid(f"a charge that is {c.state} cannot be changed that way", field="action") from None
    before, c.state = c.state, to
    c.settled_by = actor[:100]
    if to == "queued":
        c.next_try_at = None
        if before == "no_stay" and c.room_number:
            c.reason = None
    elif to == "by_hand":
        c.posted_at = now
        c.reason = None
    if text:
        c.reason = text[:200]
    audit.record(session, actor=actor, action=f"charge.{action}", entity="call_charge", entity_id=c.id,
                 detail={"from": before, "to": to, "reason": text or None, "amount_fen": c.amount_fen})
    live_feed.publish(session, "call_charge", c.id, {"state": c.state})
    return c
