"""Transfers (issue 3, R-H3, R-C3): deciding whether and where a call is put through, recording
every attempt on the call (refused ones too), ringing it through the PBX outbox with a no-answer
timer, and ending it with the PBX's result — reported by the adapter (``on_pbx_report``) or as
CTI events (``on_cti_reports``, called by ``zongji.services.cti`` after its batch commits).

A call for or from a VIP guest is noted in the handover (R-H12, R-H13). Attempts are published
on the live feed (topic ``transfer``); never with a guest's room extension (R-H4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zongji.domain import transfer as tr
from zongji.domain.caller_id import number_key
from zongji.errors import Conflict, NotFound
from zongji.services import audit, handover, live_feed
from zongji.services.actors import actor, who
from zongji.services.calls import publish
from zongji.services.directory import audit_guest_reads
from zongji.services.local_time import iso
from zongji.services.switchboard.hours import statutory_exceptions
from zongji.services.switchboard.pbx import queue_pbx
from zongji.services.switchboard.transfer_targets import build_target
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.db import transaction
from zongji.store.models import Call, Guest, User, utcnow
from zongji.store.switchboard_models import TransferAttempt

NO_ANSWER_JOB = "switchboard.transfer_no_answer"


def _caller_for(call: Call | None, caller_name: str | None, purpose: str | None) -> tr.Caller:
    if call is None:
        return tr.Caller(internal=False, kind="unknown", name=caller_name, purpose=purpose)
    internal = call.direction == "internal" or call.caller_kind in ("staff", "department", "room")
    name = caller_name or (call.caller_label if call.caller_kind not in ("unknown", None) else None)
    return tr.Caller(internal=internal, kind=call.caller_kind or "unknown", name=name,
                     number=call.calling_number, vip=bool(call.caller_vip), title=call.caller_title,
                     purpose=purpose)


def decide(session: Session, user: User, *, target_kind: str, target_id: int, call_id: int | None,
           caller_name: str | None, purpose: str | None, call_purpose: str, urgent: bool,
           guest_consent: bool | None, callee_accepts: bool | None, guest_name: str | None,
           emergency: bool, settings: Settings, at: dt.datetime | None = None,
           ) -> tuple[tr.TransferDecision, dict[str, Any], Call | None]:
    at = at or utcnow()
    call = None
    if call_id is not None:
        call = session.get(Call, call_id)
        if call is None:
            raise NotFound("no such call", field="call_id")
    target, facts = build_target(session, target_kind, target_id, at, guest_name=guest_name)
    if target_kind in ("guest", "room") and facts.get("guest_id"):
        audit_guest_reads(session, [facts["guest_id"]], user=user, via="transfer",
                          detail={"call_id": call_id})
    req = tr.TransferRequest(
        target=target, caller=_caller_for(call, caller_name, purpose), at=at, tz=settings.tz,
        exceptions=statutory_exceptions(target.hours, at, settings.tz, session),
        direction="in" if call is None else ("internal" if call.direction == "internal" else call.direction),
        line_inbound_only=bool(call and call.line and call.line.inbound_only),
        line_name=call.line.name if call and call.line else None,
        purpose=call_purpose or "unknown", urgent=urgent, guest_consent=guest_consent,
        callee_accepts=callee_accepts, emergency=emergency,
        guest_name_matches=facts.get("name_matches"),
    )
    return tr.decide_transfer(req), facts, call


def decision_out(d: tr.TransferDecision, facts: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    out = d.to_dict()  # never the private dial
    out["message_recipient"] = (
        {"kind": facts.get("recipient_kind"), "id": facts.get("recipient_id", facts.get("id")),
         "label": facts.get("recipient_label")}
        if d.offer_message and facts.get("recipient_kind") else None)
    out["no_answer_seconds"] = settings.transfer_no_answer_seconds
    return out


def attempt_out(a: TransferAttempt, tz: ZoneInfo, settings: Settings | None = None) -> dict[str, Any]:
    out = {
        "id": a.id, "call_id": a.call_id, "target_kind": a.target_kind, "target_id": a.target_id,
        "target_label": {"zh": a.target_label, "en": a.target_label_en or a.target_label},
        "outcome": a.outcome, "reason_code": a.reason_code, "result": a.result,
        "started_at": iso(a.started_at, tz), "ended_at": iso(a.ended_at, tz), "ring_seconds": a.ring_seconds,
        "dial": None if a.dial_private else a.dial,
        "decision": a.decision,
    }
    if a.result == tr.AttemptResult.NO_ANSWER:
        out["prompt"] = tr.script("no_answer").to_dict()
        out["offer_message"] = True
    if settings is not None:
        out["no_answer_seconds"] = settings.transfer_no_answer_seconds
    return out


def _domain_attempt(a: TransferAttempt) -> tr.TransferAttempt:
    return tr.TransferAttempt(
        target_kind=tr.TargetKind(a.target_kind), target_label=tr.Text(a.target_label, a.target_label_en or ""),
        outcome=tr.TransferOutcome(a.outcome), started_at=a.started_at, dial=a.dial,
        dial_private=a.dial_private, result=tr.AttemptResult(a.result), ended_at=a.ended_at,
        ring_seconds=a.ring_seconds)


def _finish_attempt(session: Session, a: TransferAttempt, result: tr.AttemptResult, at: dt.datetime,
                    tz: ZoneInfo) -> None:
    done = tr.finish_attempt(_domain_attempt(a), result, max(at, a.started_at))
    a.result, a.ended_at, a.ring_seconds = str(done.result), done.ended_at, done.ring_seconds
    audit.record(session, actor="system", action="transfer_" + str(done.result), entity="transfer_attempt",
                 entity_id=a.id, detail={"ring_seconds": a.ring_seconds})
    session.flush()
    live_feed.publish(session, "transfer", a.id, attempt_out(a, tz))


def start_transfer(session: Session, user: User, settings: Settings, **kw: Any) -> dict[str, Any]:
    """Decide and record the attempt; when it rings, queue the PBX transfer and the no-answer timer."""
    now = kw.pop("at", None) or utcnow()
    d, facts, call = decide(session, user, settings=settings, at=now, **kw)
    return record_attempt(session, user, settings, d, facts, call, target_id=kw["target_id"], at=now)


def decide_and_record_refusal(session: Session, user: User, settings: Settings, **kw: Any) -> dict[str, Any]:
    """The decision as shown in the console; a refusal on a call is recorded at once as an attempt
    (R-H3, R-C3: every attempt on the call, refused ones too). A decision that would ring or ask
    first records nothing: the operator's Enter / Y / N does (``start_transfer``)."""
    now = kw.pop("at", None) or utcnow()
    d, facts, call = decide(session, user, settings=settings, at=now, **kw)
    if call is not None and d.refused and d.outcome is not tr.TransferOutcome.CONNECT_AFTER_ASKING:
        return record_attempt(session, user, settings, d, facts, call, target_id=kw["target_id"], at=now)
    return {"decision": decision_out(d, facts, settings), "attempt": None}


def _same_refusal(session: Session, call: Call | None, d: tr.TransferDecision, target_id: int) -> TransferAttempt | None:
    """The call's latest attempt when it is this same refusal (the operator asked again): one row, not two."""
    if call is None:
        return None
    last = session.scalar(select(TransferAttempt).where(TransferAttempt.call_id == call.id)
                          .order_by(TransferAttempt.id.desc()).limit(1))
    if (last is not None and last.result == tr.AttemptResult.REFUSED and last.target_kind == str(d.target_kind)
            and last.target_id == target_id and last.outcome == str(d.outcome)
            and last.reason_code == d.reason.code):
        return last
    return None


def record_attempt(session: Session, user: User, settings: Settings, d: tr.TransferDecision,
                   facts: Mapping[str, Any], call: Call | None, *, target_id: int,
                   at: dt.datetime) -> dict[str, Any]:
    """Record one attempt on the call (target, decision, result, ring seconds — R-H3, R-C3)."""
    now = at
    rec = tr.start_attempt(d, now)
    if rec.result is tr.AttemptResult.REFUSED:
        same = _same_refusal(session, call, d, target_id)
        if same is not None:
            return {"decision": same.decision, "attempt": attempt_out(same, settings.tz, settings), "repeated": True}
    a = TransferAttempt(
        call_id=call.id if call else None, target_kind=str(d.target_kind), target_id=target_id,
        target_label=d.target_label.zh[:200], target_label_en=d.target_label.en[:200], outcome=str(d.outcome),
        reason_code=d.reason.code, dial=rec.dial, dial_private=rec.dial_private, result=str(rec.result),
        started_at=rec.started_at, ended_at=rec.ended_at, ring_seconds=rec.ring_seconds, operator_id=user.id,
        decision=decision_out(d, facts, settings),
    )
    session.add(a)
    session.flush()
    if rec.result is tr.AttemptResult.RINGING:
        if not rec.dial:
            raise Conflict("nothing to ring for this target", field="target_id")
        queue_pbx(session, "transfer", now, attempt_id=a.id, number=rec.dial,
                  call_external_id=call.external_id if call else None)
        jobs.schedule(session, NO_ANSWER_JOB, f"transfer-no-answer:{a.id}",
                      now + dt.timedelta(seconds=settings.transfer_no_answer_seconds), {"attempt_id": a.id})
    audit.record(session, actor=actor(user), user_id=user.id, action="transfer", entity="transfer_attempt",
                 entity_id=a.id, detail={"call_id": a.call_id, "target_kind": a.target_kind,
                                         "target_id": a.target_id, "outcome": a.outcome, "reason": a.reason_code})
    _note_vip_transfer(session, user, settings, d, facts, call, now)
    out = attempt_out(a, settings.tz, settings)
    live_feed.publish(session, "transfer", a.id, out)
    return {"decision": a.decision, "attempt": out}


def _note_vip_transfer(session: Session, user: User, settings: Settings, d: tr.TransferDecision,
                       facts: Mapping[str, Any], call: Call | None, at: dt.datetime) -> None:
    """R-H12, R-H13: how a call for or from a VIP guest was handled goes into the handover.
    Never the room number: the decision's texts are redacted and the labels are names."""
    texts = []
    if d.handover_note:  # the target is a VIP guest
        g = session.get(Guest, facts["guest_id"]) if facts.get("guest_id") else None
        caller = (call.caller_label or call.calling_number or "来电人") if call is not None else "来电人"
        guest = handover.vip_guest_label(g.name if g else facts.get("recipient_label"), g.vip_title if g else None)
        texts.append(f"{guest}：{caller}来电找客人。{d.reason.zh}")
    if call is not None and call.caller_vip and call.caller_kind == "guest":
        texts.append(f"{handover.vip_guest_label(call.caller_label, call.caller_title)}来电，转接{d.target_label.zh}。"
                     f"{d.reason.zh}")
    for text in texts:
        handover.note_vip_handling(session, user, settings, f"{text}（{who(user)}）", at=at)


def transfer_no_answer(session: Session, attempt_id: int, now: dt.datetime, settings: Settings) -> None:
    """The no-answer timer (R-H3): still ringing → back to the operator with the message prompt."""
    a = session.get(TransferAttempt, attempt_id)
    if a is None or a.result != tr.AttemptResult.RINGING:
        return
    res = tr.on_no_answer(_domain_attempt(a), (now - a.started_at).total_seconds(), settings)
    if not res.back_to_operator:
        jobs.schedule(session, NO_ANSWER_JOB, f"transfer-no-answer:{a.id}:{now.timestamp()}",
                      now + dt.timedelta(seconds=res.seconds_left), {"attempt_id": a.id})
        return
    _finish_attempt(session, a, tr.AttemptResult.NO_ANSWER, now, settings.tz)


def on_pbx_report(factory: sessionmaker[Session], event: Mapping[str, Any], *, tz: ZoneInfo) -> None:
    """A transfer result reported by the PBX: answered, or failed (busy, locked, …)."""
    kind = event.get("event")
    try:
        attempt_id = int(event.get("ref") or 0)
    except (TypeError, ValueError):
        return
    at = dt.datetime.fromisoformat(event["at"]) if event.get("at") else utcnow()
    with transaction(factory) as s:
        attempt = s.get(TransferAttempt, attempt_id)
        if attempt is None or attempt.result != tr.AttemptResult.RINGING:
            return
        if kind == "transferAnswered":
            _settle(s, attempt, tr.AttemptResult.ANSWERED, at, tz)
        elif kind == "transferFailed":
            result = tr.AttemptResult.BUSY if event.get("cause") == "busy" else tr.AttemptResult.FAILED
            _settle(s, attempt, result, at, tz)


def _settle(s: Session, attempt: TransferAttempt, result: tr.AttemptResult, at: dt.datetime, tz: ZoneInfo) -> None:
    """End a ringing attempt with the PBX's result; an answered one is the call's transfer."""
    _finish_attempt(s, attempt, result, at, tz)
    if result is tr.AttemptResult.ANSWERED:
        call = s.get(Call, attempt.call_id) if attempt.call_id else None
        if call is not None:
            call.transfer_target = attempt.target_label[:100]  # a label, never a room extension
            call.transferred_at = at
            publish(s, call, tz)


# Zammad / PBX hang-up causes on the transfer leg → the attempt's result. Other causes
# (normalClearing, cancel …) say nothing about the transfer and leave it to the no-answer timer.
_HANGUP_RESULTS = {
    "busy": tr.AttemptResult.BUSY, "noanswer": tr.AttemptResult.NO_ANSWER,
    "congestion": tr.AttemptResult.FAILED, "notfound": tr.AttemptResult.FAILED,
    "failed": tr.AttemptResult.FAILED, "rejected": tr.AttemptResult.DECLINED,
}


def on_cti_reports(factory: sessionmaker[Session], reports: list[Mapping[str, Any]], *, tz: ZoneInfo) -> int:
    """A real PBX's transfer results, as CTI events (called by the CTI writer after its batch
    commits): ``transfer`` with ``transferTo``, or ``answer`` with ``answeringNumber``, equal to a
    ringing attempt's number on the same call → answered; ``hangup`` with that
    ``answeringNumber`` and cause busy / noAnswer / congestion … → busy / no answer / failed.
    One query finds the ringing attempts of all the calls; returns how many attempts ended."""
    call_ids = sorted({int(r["call_id"]) for r in reports})
    done = 0
    with transaction(factory) as s:
        ringing = s.scalars(select(TransferAttempt).where(
            TransferAttempt.call_id.in_(call_ids), TransferAttempt.result == tr.AttemptResult.RINGING)
            .order_by(TransferAttempt.id)).all()
        if not ringing:
            return 0
        by_call: dict[int, list[TransferAttempt]] = {}
        for a in ringing:
            by_call.setdefault(a.call_id, []).append(a)
        for r in sorted(reports, key=lambda r: r["at"]):
            key = number_key(r.get("number"))
            match = next((a for a in by_call.get(int(r["call_id"]), ())
                          if a.result == tr.AttemptResult.RINGING and key and number_key(a.dial) == key), None)
            if match is None:
                continue
            if r["event"] in ("transfer", "answer"):
                result = tr.AttemptResult.ANSWERED
            else:
                result = _HANGUP_RESULTS.get((r.get("cause") or "").replace("_", "").lower())
                if result is None:
                    continue
            _settle(s, match, result, dt.datetime.fromisoformat(r["at"]), tz)
            done += 1
    return done


def list_attempts(session: Session, *, call_id: int | None, tz: ZoneInfo, limit: int = 50) -> list[dict[str, Any]]:
    stmt = select(TransferAttempt).order_by(TransferAttempt.id.desc()).limit(limit)
    if call_id is not None:
        stmt = stmt.where(TransferAttempt.call_id == call_id)
    return [attempt_out(a, tz) for a in session.scalars(stmt)]


def get_attempt(session: Session, attempt_id: int, tz: ZoneInfo, settings: Settings) -> dict[str, Any]:
    a = session.get(TransferAttempt, attempt_id)
    if a is None:
        raise NotFound("no such transfer attempt", field="attempt_id")
    return attempt_out(a, tz, settings)
