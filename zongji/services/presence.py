"""Operators available or away (issue 10, point 2): set by the operator in the console, shown on
the wallboard and in every console, summed in the evaluation.

Each change ends the open period and may start another, in one transaction, with a live message
(topic ``presence``: user id, state, reason, since). Logging out ends an open period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain import presence as rules
from zongji.errors import Forbidden, Invalid
from zongji.services import live_feed
from zongji.store.models import User, utcnow
from zongji.store.presence_models import OperatorAway


def _open(session: Session, user_id: int) -> OperatorAway | None:
    return session.scalar(select(OperatorAway).where(OperatorAway.user_id == user_id,
                                                     OperatorAway.ended_at.is_(None)).order_by(OperatorAway.id.desc()))


def state_out(row: OperatorAway | None, user_id: int) -> dict[str, Any]:
    if row is None:
        return {"user_id": user_id, "state": "available", "reason": None, "since": None}
    return {"user_id": user_id, "state": "away", "reason": row.reason, "since": row.started_at.isoformat()}


def current(session: Session, user: User) -> dict[str, Any]:
    return state_out(_open(session, user.id), user.id)


def set_state(session: Session, user: User, state: str, reason: str | None = None,
              now: dt.datetime | None = None) -> dict[str, Any]:
    """Go away (with a reason) or come back; the same state twice changes nothing."""
    now = now or utcnow()
    if not rules.may_be_away(str(user.role)):
        raise Forbidden("only operators and shift leaders take calls and may be away", field="state")
    if state not in ("away", "available"):
        raise Invalid("state is away or available", field="state")
    if state == "away":
        try:
            reason = str(rules.AwayReason(reason or ""))
        except ValueError:
            raise Invalid(f"reason is one of {', '.join(r.value for r in rules.AwayReason)}", field="reason") from None
    row = _open(session, user.id)
    if state == "available" and row is None:
        return state_out(None, user.id)
    if state == "away" and row is not None and row.reason == reason:
        return state_out(row, user.id)
    if row is not None:
        row.ended_at = now
    new = None
    if state == "away":
        new = OperatorAway(user_id=user.id, reason=reason, started_at=now)
        session.add(new)
    session.flush()
    out = state_out(new, user.id)
    live_feed.publish(session, "presence", user.id, out)
    return out


def end_on_logout(session: Session, user_id: int, now: dt.datetime | None = None) -> None:
    row = _open(session, user_id)
    if row is not None:
        row.ended_at = now or utcnow()
        live_feed.publish(session, "presence", user_id, state_out(None, user_id))


def away_now(session: Session) -> set[int]:
    return set(session.scalars(select(OperatorAway.user_id).where(OperatorAway.ended_at.is_(None))))


def away_seconds(session: Session, user_ids: Iterable[int], start: dt.datetime, end: dt.datetime,
                 now: dt.datetime | None = None) -> dict[int, float]:
    """Seconds each user was away within ``[start, end)``."""
    now = now or utcnow()
    ids = sorted(set(user_ids))
    out: dict[int, float] = {}
    for r in session.execute(select(OperatorAway.user_id, OperatorAway.started_at, OperatorAway.ended_at).where(
            OperatorAway.user_id.in_(ids), OperatorAway.started_at < end,
            or_(OperatorAway.ended_at.is_(None), OperatorAway.ended_at > start))):
        out[r.user_id] = out.get(r.user_id, 0.0) + rules.seconds_within(r.started_at, r.ended_at, start, end, now)
    return out
