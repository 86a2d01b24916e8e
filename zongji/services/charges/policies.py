"""Company numbers' cost policies and monthly caps (R-C6; rules in ``domain.charges.caps``).

A supervisor sets who pays a number's calls and its cap (``save``); each charge rated for the
number records the person's part (``payer_of``/``split_charge``); after rating, ``check_caps``
warns once a month at the warning share and, at the cap, bars outgoing long distance through the
PBX outbox (command ``bar``) until the month ends (``release_month_end``, run by the charges
sweep) or a supervisor lifts it (``lift``). Every change is audited and in the live feed
(topic ``cost_policy``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain.charges import caps
from zongji.errors import Invalid, NotFound
from zongji.services import audit, live_feed, notifications
from zongji.services.switchboard.pbx import queue_pbx
from zongji.settings import Settings
from zongji.store.charges_models import CallCharge, CostPolicy
from zongji.store.models import Department, Person, utcnow

SUPERVISOR_ROLE = "supervisor"


def month_of(at: dt.datetime, settings: Settings) -> str:
    return at.astimezone(settings.tz).strftime("%Y-%m")


def month_start(at: dt.datetime, settings: Settings) -> dt.datetime:
    local = at.astimezone(settings.tz)
    return dt.datetime(local.year, local.month, 1, tzinfo=settings.tz).astimezone(dt.UTC)


def month_total(session: Session, number: str, at: dt.datetime, settings: Settings) -> int:
    """The number's charges so far this month (written-off ones left out), in fen."""
    return int(session.scalar(select(func.coalesce(func.sum(CallCharge.amount_fen), 0)).where(
        CallCharge.extension == number, CallCharge.called_at >= month_start(at, settings),
        CallCharge.state != "written_off")) or 0)


def policy_out(p: CostPolicy, session: Session, settings: Settings, now: dt.datetime) -> dict[str, Any]:
    dep = session.get(Department, p.department_id) if p.department_id else None
    person = session.get(Person, p.person_id) if p.person_id else None
    return {"id": p.id, "number": p.number, "department_id": p.department_id,
            "department": dep.name if dep else None, "person_id": p.person_id,
            "person": person.name if person else None, "split": p.split,
            "person_share_percent": p.person_share_percent, "monthly_cap_fen": p.monthly_cap_fen,
            "warn_percent": p.warn_percent, "barred": p.barred,
            "lifted_this_month": p.lifted_month == month_of(now, settings),
            "month_total_fen": month_total(session, p.number, now, settings)}


def listing(session: Session, settings: Settings, now: dt.datetime) -> list[dict[str, Any]]:
    return [policy_out(p, session, settings, now) for p in session.scalars(select(CostPolicy).order_by(CostPolicy.number))]


def save(session: Session, settings: Settings, number: str, *, split: str, person_share_percent: int,
         monthly_cap_fen: int | None, warn_percent: int | None, actor: str, now: dt.datetime) -> CostPolicy:
    """Create or change the policy of ``number``; its person and department are the directory's
    (the person whose extension or mobile it is)."""
    digits = "".join(ch for ch in (number or "") if ch.isdigit())
    if not digits:
        raise Invalid("give the extension or mobile number", field="number")
    if split not in caps.SPLITS:
        raise Invalid(f"split is one of {', '.join(caps.SPLITS)}", field="split")
    if split == "share" and not 0 < person_share_percent < 100:
        raise Invalid("a share between 1 and 99 percent", field="person_share_percent")
    person = session.scalar(select(Person).where((Person.extension == digits) | (Person.mobile == digits))
                            .order_by(Person.id).limit(1))
    department_id = person.department_id if person else session.scalar(
        select(Department.id).where(Department.extension == digits).limit(1))
    if person is None and department_id is None:
        raise Invalid("no person or department has that number in the directory", field="number")
    if split != "unit" and person is None:
        raise Invalid("the number is a department's: only the unit can pay", field="split")
    p = session.scalar(select(CostPolicy).where(CostPolicy.number == digits))
    if p is None:
        p = CostPolicy(number=digits)
        session.add(p)
    p.person_id, p.department_id = (person.id if person else None), department_id
    p.split, p.person_share_percent = split, (person_share_percent if split == "share" else 0)
    p.monthly_cap_fen = monthly_cap_fen or None
    p.warn_percent = warn_percent if warn_percent is not None else settings.charges_cap_warn_percent
    p.updated_by, p.updated_at = actor[:100], now
    session.flush()
    audit.record(session, actor=actor, action="cost_policy.save", entity="cost_policy", entity_id=p.id,
                 detail={"number": digits, "split": split, "cap_fen": p.monthly_cap_fen})
    live_feed.publish(session, "cost_policy", p.id, {"number": digits})
    return p


def payers(session: Session, numbers: set[str]) -> dict[str, CostPolicy]:
    if not numbers:
        return {}
    return {p.number: p for p in session.scalars(select(CostPolicy).where(CostPolicy.number.in_(numbers)))}


def split_charge(charge: CallCharge, policy: CostPolicy) -> None:
    charge.department_id = policy.department_id
    charge.person_id = policy.person_id
    charge.person_fen = caps.person_part(charge.amount_fen, policy.split, policy.person_share_percent)


def _tell(session: Session, policy: CostPolicy, subject: str, body: str, now: dt.datetime) -> None:
    notifications.notify(session, kind="cost_cap", subject=subject, body=body, role=SUPERVISOR_ROLE, now=now,
                         external=False)


def check_caps(session: Session, settings: Settings, numbers: set[str], now: dt.datetime) -> list[str]:
    """After new charges of ``numbers``: warn or bar where the month's total calls for it
    (returns what was done, e.g. ``["warn:8501", "bar:8501"]``)."""
    done = []
    month = month_of(now, settings)
    for p in payers(session, numbers).values():
        total = month_total(session, p.number, now, settings)
        state = caps.CapState(month, p.warned_month, p.barred, p.lifted_month)
        for action in caps.cap_actions(total, p.monthly_cap_fen, p.warn_percent, state):
            label = f"{p.number} ¥{total / 100:.2f} / ¥{(p.monthly_cap_fen or 0) / 100:.2f}"
            if action == "warn":
                p.warned_month = month
                _tell(session, p, f"话费将达月度上限：{label}", "Monthly call cost nearing its cap", now)
            else:
                p.barred, p.barred_at = True, now
                queue_pbx(session, "bar", now, extension=p.number, barred=True)
                _tell(session, p, f"话费已达月度上限，已限制长途：{label}",
                      "Monthly cap reached: outgoing long distance barred", now)
            audit.record(session, actor="system", action=f"cost_policy.{action}", entity="cost_policy",
                         entity_id=p.id, detail={"month_total_fen": total, "cap_fen": p.monthly_cap_fen})
            live_feed.publish(session, "cost_policy", p.id, {"number": p.number, "action": action})
            done.append(f"{action}:{p.number}")
    return done


def lift(session: Session, settings: Settings, policy_id: int, *, actor: str, now: dt.datetime) -> CostPolicy:
    """A supervisor lifts the bar: long distance open again, not barred again this month."""
    p = session.get(CostPolicy, policy_id)
    if p is None:
        raise NotFound("no such cost policy", field="policy_id")
    if not p.barred:
        raise Invalid("the number is not barred", field="policy_id")
    p.barred, p.lifted_month = False, month_of(now, settings)
    queue_pbx(session, "bar", now, extension=p.number, barred=False)
    audit.record(session, actor=actor, action="cost_policy.lift", entity="cost_policy", entity_id=p.id)
    live_feed.publish(session, "cost_policy", p.id, {"number": p.number, "action": "lift"})
    return p


def release_month_end(session: Session, settings: Settings, now: dt.datetime | None = None) -> int:
    """Numbers barred in an earlier month are open again in a new one."""
    now = now or utcnow()
    start = month_start(now, settings)
    released = 0
    for p in session.scalars(select(CostPolicy).where(CostPolicy.barred.is_(True), CostPolicy.barred_at < start)):
        p.barred = False
        queue_pbx(session, "bar", now, extension=p.number, barred=False)
        audit.record(session, actor="system", action="cost_policy.month_end", entity="cost_policy", entity_id=p.id)
        released += 1
    return released
