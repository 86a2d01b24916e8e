"""The transition function: who may do which action in which status (``RULES``), what the
actor may try now (:func:`allowed_actions`) and :func:`apply`, which returns the new state and one
:class:`~zongji.domain.work_orders.state.TimelineEntry` or raises a
:class:`~zongji.domain.work_orders.errors.WorkOrderError`; and closing directly with the type's
guidance (:func:`close_directly_with_guidance`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from zongji.domain.roles import CONSOLE_ROLES, LEADER_ROLES, OFFICE_ROLES, UNIT_ROLES, Role
from zongji.domain.work_orders.actions import (
    ACTION_TYPES,
    Action,
    AddAssistingUnit,
    AddNote,
    AddProgress,
    CallbackAttempt,
    Close,
    CloseDirectly,
    Dispatch,
    GrantExtension,
    GrantPause,
    PauseClock,
    Reclassify,
    RecordCallback,
    RefuseExtension,
    RefusePause,
    RejectReply,
    Remind,
    RemoveAssistingUnit,
    Reopen,
    Reply,
    RequestExtension,
    RequestPause,
    ResumeClock,
    Return,
    SendBack,
    StatusUpdate,
    Supervise,
    Unsupervise,
)
from zongji.domain.work_orders.errors import (
    ActionForbidden,
    IllegalTransition,
    InvalidAction,
    WorkOrderError,
    require_aware,
    require_text,
)
from zongji.domain.work_orders.guidance import (
    Guidance,
    close_directly_refusal,
    guidance_for,
    guidance_table,
    situation_complexity,
    situations_of,
)
from zongji.domain.work_orders.state import (
    Actor,
    CallbackRecord,
    ExtensionRequest,
    Pause,
    PauseRequest,
    TimelineEntry,
    WorkOrderState,
)
from zongji.domain.work_orders.words import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    SYSTEM,
    WITH_UNIT_STATUSES,
    CallbackAttemptResult,
    CallbackOutcome,
    CallbackProblem,
    Complexity,
    ExtensionStatus,
    OrderType,
    Status,
    Urgency,
    order_types_for_line,
)

@dataclass(frozen=True)
class _Rule:
    statuses: frozenset[Status]
    roles: frozenset[Role | str]
    unit: str = ""  # "main": unit handler must be the main unit's; "any": main or assisting


S = Status
_ANY_OPEN = frozenset(OPEN_STATUSES)
_UNIT_OR_CONSOLE = CONSOLE_ROLES | UNIT_ROLES

RULES: dict[str, _Rule] = {
    "dispatch": _Rule(frozenset({S.CREATED, S.RETURNED, S.REVIEW}), LEADER_ROLES),
    "close_directly": _Rule(frozenset({S.CREATED}), CONSOLE_ROLES),
    "accept": _Rule(frozenset({S.DISPATCHED}), UNIT_ROLES, "main"),
    "return": _Rule(frozenset({S.DISPATCHED}), UNIT_ROLES, "main"),
    "start": _Rule(frozenset({S.ACCEPTED}), UNIT_ROLES, "main"),
    "progress": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), UNIT_ROLES, "any"),
    "reply": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), UNIT_ROLES, "main"),
    "reject_reply": _Rule(frozenset({S.REPLIED, S.CALLBACK}), CONSOLE_ROLES),
    "start_callback": _Rule(frozenset({S.REPLIED}), CONSOLE_ROLES),
    "callback_attempt": _Rule(frozenset({S.REPLIED, S.CALLBACK}), CONSOLE_ROLES),
    "record_callback": _Rule(frozenset({S.REPLIED, S.CALLBACK}), CONSOLE_ROLES),
    "send_back": _Rule(frozenset({S.REPLIED, S.CALLBACK, S.REVIEW}), LEADER_ROLES),
    "close": _Rule(frozenset({S.REPLIED, S.CALLBACK, S.REVIEW}), LEADER_ROLES),
    "reopen": _Rule(FINAL_STATUSES, LEADER_ROLES),
    "add_assisting_unit": _Rule(WITH_UNIT_STATUSES, LEADER_ROLES),
    "remove_assisting_unit": _Rule(WITH_UNIT_STATUSES, LEADER_ROLES),
    "request_extension": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), UNIT_ROLES, "main"),
    "grant_extension": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), OFFICE_ROLES),
    "refuse_extension": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), OFFICE_ROLES),
    "supervise": _Rule(_ANY_OPEN, LEADER_ROLES),
    "unsupervise": _Rule(frozenset(Status), OFFICE_ROLES),
    "remind": _Rule(WITH_UNIT_STATUSES, LEADER_ROLES | {SYSTEM}),
    # A unit never stops its own clock: it asks (request_pause) and the office decides (issue 8).
    "pause": _Rule(_ANY_OPEN, CONSOLE_ROLES),
    "resume": _Rule(_ANY_OPEN, _UNIT_OR_CONSOLE, "main"),
    "request_pause": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), UNIT_ROLES, "main"),
    "grant_pause": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), OFFICE_ROLES),
    "refuse_pause": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), OFFICE_ROLES),
    "status_update": _Rule(_ANY_OPEN, CONSOLE_ROLES),
    "reclassify": _Rule(_ANY_OPEN, LEADER_ROLES),
    "note": _Rule(frozenset(Status), _UNIT_OR_CONSOLE, "any"),
}


def allowed_actions(state: WorkOrderState, actor: Actor | Role | str) -> list[str]:
    """Action kinds this actor may try now (for showing buttons); payload checks still apply."""
    a = Actor.coerce(actor)
    out = []
    for kind, rule in RULES.items():
        if state.status in rule.statuses and a.role in rule.roles and _unit_ok(state, a, rule):
            if _guard(state, kind) is None:
                out.append(kind)
    return out


def _guard(state: WorkOrderState, kind: str) -> WorkOrderError | None:
    """Why an action the status allows is still refused for this order, or None:
    close directly only where the type's guidance says so (R-P2, R-P11); an order following
    a primary as its duplicate is neither dispatched nor closed on its own (R-P8)."""
    if kind in ("dispatch", "close_directly") and state.is_following:
        return IllegalTransition(
            f"This order is bound as a duplicate of order {state.duplicate_of} and follows it (R-P8): "
            "it gets the primary's reply and its own callback; unbind it to handle it on its own",
            code="following_primary",
        )
    if kind == "close_directly":
        return close_directly_refusal(state.order_type, state.situation, state.line_kind)
    return None


def apply(
    state: WorkOrderState, action: Action, actor: Actor | Role | str, at: datetime
) -> tuple[WorkOrderState, TimelineEntry]:
    """Apply ``action`` by ``actor`` at instant ``at``.

    Checks, in order: role (403 ``role_not_allowed``), unit (403 ``wrong_unit``), status (409
    ``illegal_transition``), then the action's own rules (400 ``invalid_action`` and specific
    codes, or 409 for conflicts such as ``extension_pending``). Returns the new state and the
    timeline entry to append; the input state is never modified.
    """
    a = Actor.coerce(actor)
    require_aware(at, "at")
    rule = RULES.get(action.kind)
    if rule is None:
        raise InvalidAction(f"Unknown action {action.kind!r}", code="unknown_action", field="action")
    if action.kind == "pause" and a.role == Role.UNIT_HANDLER:
        raise ActionForbidden(
            "A unit cannot stop its own clock: ask the hotline office with "
            '{"action": "request_pause", "reason": "…"}; the clock stops when the office grants it',
            code="pause_needs_approval", field="action",
        )
    if a.role not in rule.roles:
        raise ActionForbidden(
            f"Role {a.role} may not {action.kind.replace('_', ' ')} a work order", code="role_not_allowed"
        )
    if not _unit_ok(state, a, rule):
        raise ActionForbidden(
            f"Unit {a.unit_id} is not {'the main unit' if rule.unit == 'main' else 'a unit'} of this order",
            code="wrong_unit",
        )
    if state.status not in rule.statuses:
        raise IllegalTransition(
            f"Cannot {action.kind.replace('_', ' ')} a work order that is {state.status.replace('_', ' ')}",
            code="illegal_transition",
        )
    if at < state.created_at:
        raise InvalidAction("An action cannot happen before the order was created", code="time_before_creation")
    refusal = _guard(state, action.kind)
    if refusal is not None:
        raise refusal
    handler = _HANDLERS[action.kind]
    new, data = handler(state, action, a, at)
    entry = TimelineEntry(
        at=at,
        action=action.kind,
        actor_role=str(a.role),
        actor_id=a.user_id,
        actor_unit_id=a.unit_id,
        from_status=state.status,
        to_status=new.status,
        note=action.note,
        data=data,
    )
    return new, entry


def _unit_ok(state: WorkOrderState, a: Actor, rule: _Rule) -> bool:
    if a.role != Role.UNIT_HANDLER or not rule.unit or a.unit_id is None:
        return True
    if rule.unit == "main":
        return a.unit_id == state.main_unit_id
    return state.involves_unit(a.unit_id)


def _h_dispatch(s: WorkOrderState, x: Dispatch, a: Actor, at: datetime):
    if not x.unit_id:
        raise InvalidAction("A main unit is required", code="unit_required", field="unit_id")
    assisting = frozenset(x.assisting_unit_ids) - {x.unit_id}
    if x.completion_deadline is not None:
        require_aware(x.completion_deadline, "completion_deadline")
    new = replace(
        s,
        status=Status.DISPATCHED,
        main_unit_id=x.unit_id,
        assisting_unit_ids=assisting,
        first_dispatched_at=s.first_dispatched_at or at,
        dispatched_at=at,
        accepted_at=None,
        started_at=None,
        replied_at=None,
        reply_text="",
        callback_started_at=None,
        callback_agreed_at=None,
        callback_attempts=0,
        callback=None,
        completion_deadline=x.completion_deadline,
        extension=None,
        pause_request=None,
        by_phone=x.by_phone or s.by_phone,
        # This dispatch ends the wait that began at a return or an unbinding.
        dispatch_clock_to=(at if s.dispatch_clock_from is not None and s.dispatch_clock_to is None
                           else s.dispatch_clock_to),
    )
    return new, {
        "unit_id": x.unit_id,
        "assisting_unit_ids": sorted(assisting),
        "completion_deadline": _iso(x.completion_deadline),
        "by_phone": x.by_phone,
        "redispatch": s.first_dispatched_at is not None,
    }


def _h_close_directly(s, x: CloseDirectly, a, at):
    handling = require_text(x.handling, "How the order was handled", "handling")
    result = require_text(x.result, "The result", "result")
    new = replace(
        s, status=Status.CLOSED_DIRECTLY, direct_handling=handling, direct_result=result, closed_at=at,
        pauses=_close_pause(s.pauses, at),
    )
    g = guidance_for(s.order_type, s.situation, s.line_kind)
    assert isinstance(g, Guidance)  # _guard checked the situation
    return new, {"handling": handling, "result": result, "situation": s.situation, "referrals": list(g.referrals)}


def _h_accept(s, x, a, at):
    return replace(s, status=Status.ACCEPTED, accepted_at=at), {"unit_id": s.main_unit_id}


def _h_return(s, x: Return, a, at):
    reason = require_text(x.reason, "A reason for returning the order", "reason")
    new = replace(
        s,
        status=Status.RETURNED,
        main_unit_id=None,
        assisting_unit_ids=frozenset(),
        accepted_at=None,
        started_at=None,
        completion_deadline=None,
        extension=None,
        pause_request=None,
        last_return_reason=reason,
        return_count=s.return_count + 1,
        # Back in the dispatch queue: a fresh dispatch clock from the return (issue 8).
        dispatch_clock_from=at,
        dispatch_clock_to=None,
    )
    return new, {"unit_id": s.main_unit_id, "reason": reason}


def _h_start(s, x, a, at):
    return replace(s, status=Status.IN_PROGRESS, started_at=at), {}


def _h_progress(s, x: AddProgress, a, at):
    require_text(x.note, "The progress note", "note")
    main = a.role != Role.UNIT_HANDLER or a.unit_id is None or a.unit_id == s.main_unit_id
    if s.status is Status.ACCEPTED and main:
        return replace(s, status=Status.IN_PROGRESS, started_at=at), {"started": True}
    return s, {}


def _h_reply(s, x: Reply, a, at):
    text = require_text(x.text, "The reply", "text")
    pending = s.pending_extension
    ext = replace(pending, status=ExtensionStatus.REFUSED, decision_note="withdrawn by the reply") if pending else s.extension
    pp = s.pending_pause
    preq = replace(pp, status=ExtensionStatus.REFUSED, decision_note="withdrawn by the reply") if pp else s.pause_request
    new = replace(
        s, status=Status.REPLIED, replied_at=at, reply_text=text, extension=ext, started_at=s.started_at or at,
        pause_request=preq,
    )
    return new, {"text": text}


def _to_review(s: WorkOrderState, at: datetime, reason: str) -> WorkOrderState:
    return replace(
        s,
        status=Status.REVIEW,
        supervised=True,
        supervision_reason=s.supervision_reason if s.supervised else reason,
    )


def _h_reject_reply(s, x: RejectReply, a, at):
    problem = CallbackProblem(x.problem)
    new = _to_review(s, at, f"reply rejected: {problem}")
    return new, {"problem": str(problem), "supervised": True}


def _h_start_callback(s, x, a, at):
    return replace(s, status=Status.CALLBACK, callback_started_at=at), {}


def _h_callback_attempt(s, x: CallbackAttempt, a, at):
    result = CallbackAttemptResult(x.result)
    if result is CallbackAttemptResult.NOT_CONVENIENT:
        if x.agreed_at is None:
            raise InvalidAction("Record the time agreed with the caller", code="agreed_at_required", field="agreed_at")
        require_aware(x.agreed_at, "agreed_at")
        if x.agreed_at <= at:
            raise InvalidAction("The agreed time must be in the future", code="agreed_at_past", field="agreed_at")
    new = replace(
        s,
        status=Status.CALLBACK,
        callback_started_at=s.callback_started_at or at,
        callback_attempts=s.callback_attempts + 1,
        callback_agreed_at=x.agreed_at if result is CallbackAttemptResult.NOT_CONVENIENT else s.callback_agreed_at,
    )
    return new, {"result": str(result), "agreed_at": _iso(x.agreed_at)}


def _h_record_callback(s, x: RecordCallback, a, at):
    outcome = CallbackOutcome(x.outcome)
    problems = tuple(dict.fromkeys(CallbackProblem(p) for p in x.problems))
    record = CallbackRecord(at, outcome, problems, x.caller_words.strip(), a.user_id)
    base = replace(
        s,
        callback=record,
        callback_started_at=s.callback_started_at or at,
        callback_attempts=s.callback_attempts + 1,
    )
    if outcome is CallbackOutcome.DISSATISFIED or problems:
        why = "dissatisfied caller" if outcome is CallbackOutcome.DISSATISFIED else f"callback found {problems[0]}"
        new = _to_review(base, at, why)
    else:
        new = replace(base, status=Status.CLOSED, closed_at=at, pauses=_close_pause(s.pauses, at))
    return new, {
        "outcome": str(outcome),
        "problems": [str(p) for p in problems],
        "caller_words": record.caller_words,
        "supervised": new.supervised,
    }


def _h_send_back(s, x: SendBack, a, at):
    require_text(x.note, "What the unit must redo", "note")
    if s.main_unit_id is None:
        raise IllegalTransition("The order has no unit to send it back to; dispatch it", code="no_unit")
    new = replace(
        s, status=Status.IN_PROGRESS, replied_at=None, reply_text="", callback=None, callback_started_at=None,
        callback_agreed_at=None, callback_attempts=0,
    )
    return new, {"unit_id": s.main_unit_id}


def _h_close(s, x: Close, a, at):
    require_text(x.note, "A note on why the order is closed", "note")
    return replace(s, status=Status.CLOSED, closed_at=at, pauses=_close_pause(s.pauses, at)), {}


def _h_reopen(s, x: Reopen, a, at):
    reason = require_text(x.reason, "A reason for reopening", "reason")
    new = replace(s, status=Status.REVIEW, closed_at=None, reopen_count=s.reopen_count + 1)
    return new, {"reason": reason}


def _h_add_assisting(s, x: AddAssistingUnit, a, at):
    if not x.unit_id:
        raise InvalidAction("A unit is required", code="unit_required", field="unit_id")
    if x.unit_id == s.main_unit_id:
        raise InvalidAction("The main unit cannot also assist", code="unit_is_main", field="unit_id")
    return replace(s, assisting_unit_ids=s.assisting_unit_ids | {x.unit_id}), {"unit_id": x.unit_id}


def _h_remove_assisting(s, x: RemoveAssistingUnit, a, at):
    if x.unit_id not in s.assisting_unit_ids:
        raise InvalidAction("That unit is not assisting", code="unit_not_assisting", field="unit_id")
    return replace(s, assisting_unit_ids=s.assisting_unit_ids - {x.unit_id}), {"unit_id": x.unit_id}


def _h_request_extension(s, x: RequestExtension, a, at):
    reason = require_text(x.reason, "A reason for the extension", "reason")
    if x.deadline is None:
        raise InvalidAction("The requested deadline is required", code="deadline_required", field="deadline")
    require_aware(x.deadline, "deadline")
    if s.pending_extension is not None:
        raise IllegalTransition("An extension request is already pending", code="extension_pending")
    if s.completion_deadline is not None:
        if at >= s.completion_deadline:
            raise IllegalTransition(
                "An extension must be requested before the deadline", code="extension_too_late"
            )
        if x.deadline <= s.completion_deadline:
            raise InvalidAction(
                "The requested deadline must be later than the current one", code="deadline_not_later", field="deadline"
            )
    elif x.deadline <= at:
        raise InvalidAction("The requested deadline must be in the future", code="deadline_not_later", field="deadline")
    req = ExtensionRequest(at, x.deadline, reason, requested_by=a.user_id, unit_id=a.unit_id or s.main_unit_id)
    return replace(s, extension=req), {
        "requested_deadline": _iso(x.deadline),
        "current_deadline": _iso(s.completion_deadline),
        "reason": reason,
    }


def _h_grant_extension(s, x: GrantExtension, a, at):
    pending = s.pending_extension
    if pending is None:
        raise IllegalTransition("There is no pending extension request", code="no_extension_pending")
    deadline = x.deadline or pending.requested_deadline
    require_aware(deadline, "deadline")
    if s.completion_deadline is not None and deadline <= s.completion_deadline:
        raise InvalidAction("A granted deadline must be later than the current one", code="deadline_not_later", field="deadline")
    ext = replace(
        pending, status=ExtensionStatus.GRANTED, decided_at=at, decided_by=a.user_id, granted_deadline=deadline,
        decision_note=x.note,
    )
    new = replace(s, extension=ext, completion_deadline=deadline, extensions_granted=s.extensions_granted + 1)
    return new, {"previous_deadline": _iso(s.completion_deadline), "deadline": _iso(deadline)}


def _h_refuse_extension(s, x: RefuseExtension, a, at):
    pending = s.pending_extension
    if pending is None:
        raise IllegalTransition("There is no pending extension request", code="no_extension_pending")
    require_text(x.note, "A reason for refusing", "note")
    ext = replace(pending, status=ExtensionStatus.REFUSED, decided_at=at, decided_by=a.user_id, decision_note=x.note)
    return replace(s, extension=ext), {"deadline": _iso(s.completion_deadline)}


def _h_supervise(s, x: Supervise, a, at):
    reason = require_text(x.reason, "A reason for supervision", "reason")
    if s.supervised:
        raise IllegalTransition("The order is already supervised", code="already_supervised")
    return replace(s, supervised=True, supervision_reason=reason), {"reason": reason}


def _h_unsupervise(s, x: Unsupervise, a, at):
    if not s.supervised:
        raise IllegalTransition("The order is not supervised", code="not_supervised")
    return replace(s, supervised=False, supervision_reason=""), {}


def _h_remind(s, x: Remind, a, at):
    if a.role != SYSTEM and not x.automatic:
        require_text(x.note, "A reminder note", "note")
    return replace(s, reminder_count=s.reminder_count + 1), {
        "unit_id": s.main_unit_id,
        "automatic": x.automatic or a.role == SYSTEM,
        "reason": x.reason,
    }


def _h_pause(s, x: PauseClock, a, at):
    reason = require_text(x.reason, "Why the clock stops (e.g. waiting for the caller)", "reason")
    if s.is_paused:
        raise IllegalTransition("The clock is already paused", code="already_paused")
    if s.pauses and s.pauses[-1].end is not None and at < s.pauses[-1].end:
        raise InvalidAction("A pause cannot start before the previous one ended", code="pause_overlap")
    pending = s.pending_pause  # the console stops the clock itself: a unit's request is settled by it
    req = (replace(pending, status=ExtensionStatus.GRANTED, decided_at=at, decided_by=a.user_id,
                   decision_note=reason) if pending is not None else s.pause_request)
    return replace(s, pauses=s.pauses + (Pause(at, None, reason),), pause_request=req), {"reason": reason}


def _h_request_pause(s, x: RequestPause, a, at):
    reason = require_text(x.reason, "Why the clock should stop (e.g. waiting for the caller)", "reason")
    if s.is_paused:
        raise IllegalTransition("The clock is already paused", code="already_paused")
    if s.pending_pause is not None:
        raise IllegalTransition("A pause request is already waiting for the office", code="pause_pending")
    req = PauseRequest(at, reason, requested_by=a.user_id, unit_id=a.unit_id or s.main_unit_id)
    return replace(s, pause_request=req), {"reason": reason}


def _h_grant_pause(s, x: GrantPause, a, at):
    pending = s.pending_pause
    if pending is None:
        raise IllegalTransition("There is no pending pause request", code="no_pause_pending")
    if s.is_paused:
        raise IllegalTransition("The clock is already paused", code="already_paused")
    if s.pauses and s.pauses[-1].end is not None and at < s.pauses[-1].end:
        raise InvalidAction("A pause cannot start before the previous one ended", code="pause_overlap")
    req = replace(pending, status=ExtensionStatus.GRANTED, decided_at=at, decided_by=a.user_id, decision_note=x.note)
    # The clock stops from the grant, not from the request: until then the unit's time runs.
    new = replace(s, pause_request=req, pauses=s.pauses + (Pause(at, None, pending.reason),))
    return new, {"reason": pending.reason, "requested_at": pending.requested_at.isoformat()}


def _h_refuse_pause(s, x: RefusePause, a, at):
    pending = s.pending_pause
    if pending is None:
        raise IllegalTransition("There is no pending pause request", code="no_pause_pending")
    require_text(x.note, "A reason for refusing", "note")
    req = replace(pending, status=ExtensionStatus.REFUSED, decided_at=at, decided_by=a.user_id, decision_note=x.note)
    return replace(s, pause_request=req), {"reason": pending.reason}


def _h_resume(s, x: ResumeClock, a, at):
    if not s.is_paused:
        raise IllegalTransition("The clock is not paused", code="not_paused")
    last = s.pauses[-1]
    if at < last.start:
        raise InvalidAction("Cannot resume before the pause started", code="resume_before_pause")
    return replace(s, pauses=s.pauses[:-1] + (replace(last, end=at),)), {
        "paused_since": last.start.isoformat(),
    }


def _h_status_update(s, x: StatusUpdate, a, at):
    require_text(x.note, "What the caller was told", "note")
    return replace(s, last_status_update_at=at, first_reply_at=s.first_reply_at or at), {
        "first_reply": s.first_reply_at is None,
    }


def _h_reclassify(s, x: Reclassify, a, at):
    changes: dict[str, Any] = {}
    otype = s.order_type
    if x.order_type is not None:
        t = OrderType(x.order_type)
        if s.line_kind is not None and t not in order_types_for_line(s.line_kind):
            raise InvalidAction(f"Type {t} is not offered on this line", code="type_not_offered", field="order_type")
        if t != s.order_type:
            changes["order_type"] = otype = t
    if x.situation:
        if x.situation not in situations_of(otype, s.line_kind):
            raise InvalidAction(f"Unknown situation {x.situation!r} for {otype}", code="unknown_situation",
                                field="situation")
        if x.situation != s.situation:
            changes["situation"] = x.situation
    elif "order_type" in changes and s.situation is not None and s.situation not in situations_of(otype, s.line_kind):
        changes["situation"] = None  # the old type's situation means nothing for the new type
    if x.urgency is not None:
        changes["urgency"] = Urgency(x.urgency)
    situation = changes.get("situation", s.situation)
    if x.complexity is not None and not x.situation:
        # A company complaint's complexity is its situation (R-S10): the situation follows.
        match = [g.situation for g in guidance_table(s.line_kind)[otype] if g.complexity is Complexity(x.complexity)]
        if match and match[0] != situation:
            changes["situation"] = situation = match[0]
    complexity = situation_complexity(otype, situation, s.line_kind, x.complexity)
    if complexity is not None and complexity != s.complexity:
        changes["complexity"] = complexity
    if x.category is not None:
        changes["category"] = x.category
    if not changes:
        raise InvalidAction("Nothing to change", code="nothing_to_change")
    data = {k: {"from": str(getattr(s, k)) if getattr(s, k) is not None else None,
                "to": str(v) if v is not None else None} for k, v in changes.items()}
    return replace(s, **changes), data


def _h_note(s, x: AddNote, a, at):
    require_text(x.note, "The note", "note")
    return s, {}


_HANDLERS = {
    "dispatch": _h_dispatch,
    "close_directly": _h_close_directly,
    "accept": _h_accept,
    "return": _h_return,
    "start": _h_start,
    "progress": _h_progress,
    "reply": _h_reply,
    "reject_reply": _h_reject_reply,
    "start_callback": _h_start_callback,
    "callback_attempt": _h_callback_attempt,
    "record_callback": _h_record_callback,
    "send_back": _h_send_back,
    "close": _h_close,
    "reopen": _h_reopen,
    "add_assisting_unit": _h_add_assisting,
    "remove_assisting_unit": _h_remove_assisting,
    "request_extension": _h_request_extension,
    "grant_extension": _h_grant_extension,
    "refuse_extension": _h_refuse_extension,
    "supervise": _h_supervise,
    "unsupervise": _h_unsupervise,
    "remind": _h_remind,
    "pause": _h_pause,
    "resume": _h_resume,
    "request_pause": _h_request_pause,
    "grant_pause": _h_grant_pause,
    "refuse_pause": _h_refuse_pause,
    "status_update": _h_status_update,
    "reclassify": _h_reclassify,
    "note": _h_note,
}
assert set(_HANDLERS) == set(RULES) == set(ACTION_TYPES)


def _close_pause(pauses: tuple[Pause, ...], at: datetime) -> tuple[Pause, ...]:
    if pauses and pauses[-1].end is None:
        return pauses[:-1] + (replace(pauses[-1], end=max(at, pauses[-1].start)),)
    return pauses


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def close_directly_with_guidance(
    state: WorkOrderState, situation: str, actor: Actor | Role | str, at: datetime, *, handling: str, result: str
) -> tuple[WorkOrderState, TimelineEntry]:
    """Close directly in ``situation`` (the order's own, set here if it has none): help
    outside the remit, praise of the hotline …; refuses situations that must be dispatched."""
    if state.situation is not None and state.situation != situation:
        raise InvalidAction(
            f"The order's situation is {state.situation}, not {situation}", code="situation_mismatch", field="situation"
        )
    return apply(replace(state, situation=situation), CloseDirectly(handling=handling, result=result), actor, at)
