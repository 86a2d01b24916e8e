"""Customer files (R-G6): what the hotel knows of a guest — class, preferences, stays, calls,
service requests, complaints and satisfaction — for every desk by what its role may see (rooms
only for the roles that see rooms, R-H4); every read audited (R-O4). The satisfaction survey
after a stay: the stays checked out lately without one are due; the result is recorded once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zongji.domain import guest_files as rules
from zongji.domain.roles import ROOM_NUMBER_ROLES
from zongji.errors import Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.local_time import iso
from zongji.settings import Settings
from zongji.store.guestsvc_models import GsRequest
from zongji.store.models import Call, Guest, Stay, StaySurvey, User
from zongji.store.work_order_models import WorkOrder


def _invalid(exc: rules.FileError) -> Invalid:
    return Invalid(str(exc), field=exc.field)


def card_summary(session: Session, guest_id: int) -> dict[str, Any]:
    """What the caller card shows of a guest's file: class, preferences, stays, satisfaction."""
    g = session.get(Guest, guest_id)
    if g is None:
        return {}
    stays = session.scalar(select(func.count()).select_from(Stay).where(Stay.guest_id == guest_id,
                                                                       Stay.status != "expected")) or 0
    avg = session.scalar(select(func.avg(StaySurvey.score)).where(StaySurvey.guest_id == guest_id,
                                                                  StaySurvey.result == "answered"))
    return {"grade": g.grade, "preferences": g.preferences or [], "stays": int(stays),
            "satisfaction": round(float(avg), 1) if avg is not None else None}


def file_of(session: Session, guest_id: int, user: User, settings: Settings, *, via: str) -> dict[str, Any]:
    """The whole file; the read is audited."""
    g = session.get(Guest, guest_id)
    if g is None:
        raise NotFound("no such guest", field="guest_id")
    tz = settings.tz
    rooms_seen = user.role in ROOM_NUMBER_ROLES
    stays = list(session.scalars(select(Stay).where(Stay.guest_id == guest_id).order_by(Stay.arrival.desc())))
    surveys = {s.stay_id: s for s in session.scalars(select(StaySurvey).where(StaySurvey.guest_id == guest_id))}
    numbers = [n for n in [g.mobile] if n]
    calls = session.scalar(select(func.count()).select_from(Call).where(
        or_((Call.caller_kind == "guest") & (Call.caller_ref_id == guest_id),
            Call.calling_number.in_(numbers or ["-"])))) or 0
    stay_ids = [s.id for s in stays]
    requests = session.execute(select(GsRequest.item_name, func.count()).where(GsRequest.stay_id.in_(stay_ids or [0]))
                               .group_by(GsRequest.item_name).order_by(func.count().desc()).limit(10)).all()
    complaints = session.scalar(select(func.count()).select_from(WorkOrder).where(
        WorkOrder.order_type == "complaint", WorkOrder.caller_number.in_(numbers or ["-"]))) or 0
    answered = [s.score for s in surveys.values() if s.result == "answered" and s.score is not None]
    audit.record(session, actor=user.username, user_id=user.id, action="read", entity="guest", entity_id=g.id,
                 detail={"via": via})
    return {
        "id": g.id, "name": g.name, "gender": g.gender, "vip": g.vip, "vip_title": g.vip_title,
        "language": g.language, "mobile": g.mobile, "note": g.note, "grade": g.grade,
        "preferences": g.preferences or [], "privacy_level": g.privacy_level,
        "stays": [{"id": s.id, "arrival": iso(s.arrival, tz), "departure": iso(s.departure, tz), "status": s.status,
                   "room": s.room.number if rooms_seen else None,
                   "survey": _survey_out(surveys.get(s.id), tz)} for s in stays],
        "calls": int(calls), "requests": [{"item": i, "count": int(n)} for i, n in requests],
        "complaints": int(complaints),
        "satisfaction": round(sum(answered) / len(answered), 1) if answered else None,
    }


def _survey_out(s: StaySurvey | None, tz) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"result": s.result, "score": s.score, "comment": s.comment, "recorded_by": s.recorded_by,
            "recorded_at": iso(s.recorded_at, tz)}


def set_profile(session: Session, guest_id: int, *, grade: str, preferences: list[dict[str, Any]] | None,
                note: str | None, actor: str) -> Guest:
    g = session.get(Guest, guest_id)
    if g is None:
        raise NotFound("no such guest", field="guest_id")
    if grade not in rules.GRADES:
        raise Invalid(f"grade is one of {', '.join(rules.GRADES)}", field="grade")
    try:
        prefs = rules.clean_preferences(preferences)
    except rules.FileError as exc:
        raise _invalid(exc) from None
    g.grade, g.preferences = grade, prefs
    if note is not None:
        g.note = note.strip()[:2000] or None
    audit.record(session, actor=actor, action="guest.profile", entity="guest", entity_id=g.id,
                 detail={"grade": grade, "preferences": len(prefs)})
    return g


def surveys_due(session: Session, settings: Settings, now: dt.datetime, *, days: int) -> list[dict[str, Any]]:
    """Stays checked out in the last ``days`` days without a survey, latest first (who to call;
    the guest's mobile, no room)."""
    since = now - dt.timedelta(days=days)
    done = select(StaySurvey.stay_id)
    rows = session.execute(
        select(Stay, Guest).join(Guest, Guest.id == Stay.guest_id)
        .where(Stay.status == "checked_out", Stay.departure >= since, Stay.departure <= now,
               Stay.id.not_in(done), Guest.privacy_level != "not_staying")
        .order_by(Stay.departure.desc()).limit(200)).all()
    return [{"stay_id": s.id, "guest_id": g.id, "name": g.name, "mobile": g.mobile, "grade": g.grade,
             "departure": iso(s.departure, settings.tz)} for s, g in rows]


def record_survey(session: Session, stay_id: int, *, result: str, score: int | None, comment: str | None,
                  actor: str) -> StaySurvey:
    stay = session.get(Stay, stay_id)
    if stay is None:
        raise NotFound("no such stay", field="stay_id")
    if stay.status != "checked_out":
        raise Invalid("a survey follows a stay that has ended", field="stay_id")
    try:
        rules.check_survey(result, score)
    except rules.FileError as exc:
        raise _invalid(exc) from None
    if session.scalar(select(StaySurvey.id).where(StaySurvey.stay_id == stay_id)) is not None:
        raise Invalid("this stay's survey is recorded already", field="stay_id")
    row = StaySurvey(stay_id=stay_id, guest_id=stay.guest_id, result=result, score=score,
                     comment=(comment or "").strip()[:1000] or None, recorded_by=actor[:100])
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="guest.survey", entity="stay", entity_id=stay_id,
                 detail={"result": result, "score": score})
    live_feed.publish(session, "guest_survey", row.id, {"stay_id": stay_id})
    return row


__all__ = ["card_summary", "file_of", "record_survey", "set_profile", "surveys_due"]
