"""The shift handover log (交接班本， R-H13): assemble, free-text entries, sign off, acknowledge, search.

A handover is assembled live from the database while it is a draft (active DND, messages not yet
picked up, VIPs in house and arriving, open callbacks from work orders, open line faults, entries, and the
wake-ups: the day's list in time order with state and the escalated ones — rooms to knock). At sign-off the outgoing shift
freezes it: both a full snapshot (with room numbers) and a public one (without) are stored, so
roles outside ``ROOM_NUMBER_ROLES`` never get a room number, even from history. The incoming
shift acknowledges it; then the next draft begins.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain import handover as rules
from zongji.domain import scope as scope_rules
from zongji.domain.caller_id import stay_in_house
from zongji.domain.lines import FaultRecord
from zongji.domain.work_orders.words import Status
from zongji.errors import Conflict, Invalid, NotFound
from zongji.services import actors, audit, live_feed, wakeups
from zongji.services.guestsvc import records as guestsvc_records
from zongji.services import scope as scope_service
from zongji.services.directory import audit_guest_reads
from zongji.services.local_time import iso, parse_local_instant
from zongji.services.switchboard import dnd, line_faults, message_records
from zongji.services.work_orders.stored_state import state_from_json
from zongji.settings import Settings
from zongji.store.models import Department, Guest, Organisation, Person, Room, Stay, User, utcnow
from zongji.store.switchboard_models import Handover, HandoverEntry
from zongji.store.wakeup_models import Wakeup
from zongji.store.work_order_models import WorkOrder

SHIFT_NAMES = {0: ("早班", "Morning shift"), 1: ("中班", "Afternoon shift"), 2: ("夜班", "Night shift")}
ENTRY_MAX = 2000


def shift_label(at: dt.datetime, settings: Settings) -> str:
    """e.g. "2026-11-23 夜班": the shift running at ``at`` (boundaries from settings)."""
    local = at.astimezone(settings.tz)
    starts = sorted(int(h) * 60 + int(m) for h, m in (x.split(":") for x in settings.shift_starts.split(",")))
    minute = local.hour * 60 + local.minute
    idx = max((i for i, s in enumerate(starts) if s <= minute), default=len(starts) - 1)
    day = local.date() if minute >= starts[0] else local.date() - dt.timedelta(days=1)
    name = SHIFT_NAMES.get(idx, (f"第{idx + 1}班", f"Shift {idx + 1}"))[0]
    return f"{day.isoformat()} {name}"


# --------------------------------------------------------------------------- whose handover (issue 8, point 5)


def _org_of(session: Session, user: User | None) -> int | None:
    """The organisation whose handover ``user`` prepares and reads; None: the shared one."""
    scope = scope_service.scope_of(session, user)
    return scope.handover_organisation_id if scope is not None else None


def _of_org(stmt, org_id: int | None):
    return stmt.where(Handover.organisation_id.is_(None) if org_id is None else Handover.organisation_id == org_id)


def _contents_scope(session: Session, org_id: int | None, user: User | None) -> scope_rules.WorkScope | None:
    """What a handover holds: an organisation's handover its organisation's lines and records; the
    shared one what its reader (or signer) works for."""
    if org_id is not None:
        return scope_rules.organisation_scope(org_id, scope_service.all_lines(session))
    return scope_service.scope_of(session, user)


def _visible(session: Session, h: Handover, user: User) -> bool:
    scope = scope_service.scope_of(session, user)
    if scope is None or scope.everything:
        return True
    if h.organisation_id is None:  # the shared handover: for those who work for several
        return scope.handover_organisation_id is None
    return scope.sees_organisation(h.organisation_id)


def _orgs(session: Session, model, ids) -> dict[int, int]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(model.id, model.organisation_id).where(model.id.in_(ids))).all())


def _dnd_mine(session: Session, rows: list, scope: scope_rules.WorkScope | None) -> list:
    if scope is None or scope.everything:
        return rows
    rooms = _orgs(session, Room, (r.subject_id for r in rows if r.subject_kind == "room"))
    people = _orgs(session, Person, (r.subject_id for r in rows if r.subject_kind == "person"))
    guests = _orgs(session, Guest, (r.guest_id for r in rows))
    def org(r) -> int | None:
        if r.subject_kind == "room":
            return rooms.get(r.subject_id)
        if r.subject_kind == "person":
            return people.get(r.subject_id)
        return guests.get(r.guest_id)
    return [r for r in rows if scope.sees_organisation(org(r))]


_RECIPIENTS = {"guest": Guest, "staff": Person, "department": Department}


def _messages_mine(session: Session, rows: list, scope: scope_rules.WorkScope | None) -> list:
    if scope is None or scope.everything:
        return rows
    found = {kind: _orgs(session, model, (m.recipient_id for m in rows if m.recipient_kind == kind))
             for kind, model in _RECIPIENTS.items()}
    return [m for m in rows if scope.sees_organisation(found.get(m.recipient_kind, {}).get(m.recipient_id))]


def _awaiting(session: Session, user: User, org_id: int | None):
    """Signed handovers waiting for ``user`` to acknowledge: their organisation's; for a user who
    works for several organisations (a shift leader of the hotel and the hotline) the shared one
    and each of their organisations' (issue 8, point 5)."""
    stmt = select(Handover).where(Handover.state == "signed_off")
    if org_id is not None:
        return _of_org(stmt, org_id)
    scope = scope_service.scope_of(session, user)
    if scope is None or scope.everything:
        return stmt
    return stmt.where(or_(Handover.organisation_id.is_(None),
                          Handover.organisation_id.in_(sorted(scope.organisation_ids))))


def _draft(session: Session, org_id: int | None = None) -> Handover | None:
    return session.scalar(_of_org(select(Handover).where(Handover.state == "draft"), org_id)
                          .order_by(Handover.id.desc()))


def _draft_or_new(session: Session, user: User, settings: Settings, now: dt.datetime) -> Handover:
    org_id = _org_of(session, user)
    h = _draft(session, org_id)
    if h is None:
        h = Handover(shift_label=shift_label(now, settings), started_at=now, state="draft",
                     prepared_by=actors.who(user), organisation_id=org_id)
        session.add(h)
        session.flush()
        audit.record(session, actor=actors.actor(user), user_id=user.id, action="create", entity="handover",
                     entity_id=h.id)
    return h


def _vips(session: Session, now: dt.datetime, with_room: bool,
          orgs: frozenset[int] | None = None) -> tuple[list[rules.VipGuest], list[int]]:
    soon = now + dt.timedelta(hours=24)
    stmt = select(Stay).join(Guest, Stay.guest_id == Guest.id).where(
        Guest.vip.is_(True), Stay.status.in_(("in_house", "expected")), Stay.arrival <= soon)
    if orgs is not None:
        stmt = stmt.where(Guest.organisation_id.in_(sorted(orgs)))
    stays = session.scalars(stmt)
    out, ids = [], []
    for s in stays:
        g = s.guest
        if s.status == "expected" or s.arrival > now:
            status = "arriving"
        elif stay_in_house(s.status, s.arrival, s.departure, now):
            status = "in_house"
        else:
            continue
        out.append(rules.VipGuest(name=g.name, title=g.vip_title, room_number=s.room.number if with_room else None,
                                  arrival=s.arrival, departure=s.departure, status=status,
                                  privacy_level=g.privacy_level))
        ids.append(g.id)
    return out, ids


def _callbacks(session: Session, scope: scope_rules.WorkScope | None = None) -> list[rules.OpenCallback]:
    """Work orders waiting for the callback to the caller (回访): the unit replied, or a callback
    is under way; due at the agreed callback time if one was agreed, else at the callback
    deadline. Only those of the lines of ``scope`` (None: all)."""
    rows = session.scalars(select(WorkOrder).where(
        WorkOrder.status.in_((str(Status.REPLIED), str(Status.CALLBACK))))
        .order_by(WorkOrder.callback_due_at, WorkOrder.id))
    out = []
    for r in rows:
        if scope is not None and not scope.sees_line(line_id=r.line_id):
            continue
        state = state_from_json(r.state)
        about = " ".join((r.description or "").split())
        out.append(rules.OpenCallback(
            ref=r.number, who=r.caller_name or "—", number=r.caller_number or "—",
            about=f"{r.number} {about[:60]}{'…' if len(about) > 60 else ''}",
            due_at=state.callback_agreed_at or r.callback_due_at))
    return out


def _wakeups(session: Session, now: dt.datetime, settings: Settings,
             scope: scope_rules.WorkScope | None = None) -> tuple[rules.HandoverSection, ...]:
    """The wake-ups' part (R-H9), through the handover's extension point (``extra_sections``);
    only the wake-ups of the rooms of ``scope``'s organisations (None: all)."""
    sec = wakeups.handover_section(session, now=now, settings=settings)
    if scope is not None and not scope.everything:
        ids = {x["id"] for x in sec["items"]} | {x["id"] for x in sec["escalated"]}
        mine = set(session.scalars(select(Wakeup.id).join(Room, Wakeup.room_id == Room.id).where(
            Wakeup.id.in_(ids), Room.organisation_id.in_(sorted(scope.organisation_ids))))) if ids else set()
        sec = {**sec, "items": [x for x in sec["items"] if x["id"] in mine],
               "escalated": [x for x in sec["escalated"] if x["id"] in mine]}

    def line(x: dict[str, Any]) -> rules.WakeupLine:
        return rules.WakeupLine(ref=str(x["id"]), room=x["room"], wake_at=dt.datetime.fromisoformat(x["wake_at"]),
                                status=x["status"], note=x.get("note") or "", minutes_late=x.get("minutes_late"),
                                escalation_reason=x.get("escalation_reason"), reached_by=x.get("reached_by"))

    return rules.wakeup_sections([line(x) for x in sec["items"]], [line(x) for x in sec["escalated"]], settings.tz)


def _guestsvc(session: Session, now: dt.datetime, settings: Settings,
              scope: scope_rules.WorkScope | None) -> tuple[rules.HandoverSection, ...]:
    """The guest-service centre's open records (issue 13, R-G4), for a handover of the hotel's
    (a scope of everything or one with a hotel); only when it has anything to hand over."""
    if scope is not None and not scope.everything and not session.scalar(
            select(Organisation.id).where(Organisation.id.in_(sorted(scope.organisation_ids)),
                                          Organisation.kind == "hotel").limit(1)):
        return ()
    sec = guestsvc_records.handover_section(session, now, settings)
    return (sec,) if sec.items else ()


def assemble(session: Session, h: Handover | None, user: User | None, settings: Settings, now: dt.datetime,
             *, with_room: bool, scope: scope_rules.WorkScope | None = None) -> rules.Handover:
    """The handover's contents; with ``scope`` only what belongs to its lines and organisations
    (issue 8, point 5: the hotel's handover never lists a 12345 callback)."""
    orgs = scope.organisation_filter if scope is not None else None
    vips, guest_ids = _vips(session, now, with_room, orgs)
    dnd_rows = _dnd_mine(session, dnd.dnd_rows_for_handover(session, now), scope)
    guest_ids += [r.guest_id for r in dnd_rows if r.guest_id]
    if user is not None and guest_ids:
        audit_guest_reads(session, guest_ids, user=user, via="handover")
    faults = [FaultRecord(line_code=f.line.name, cause=f.cause, started_at=f.started_at, reported_at=f.reported_at,
                          reported_by=f.reported_by, reported_to=f.reported_to)
              for f in line_faults.open_fault_rows(session)
              if scope is None or scope.sees_line(line_id=f.line_id)]
    entries = [rules.FreeTextEntry(at=e.at, author=e.author, text=e.text, section=e.section)
               for e in (h.entries if h is not None else [])]
    inputs = rules.HandoverInputs(
        dnd=[dnd.dnd_domain(r, with_room=with_room) for r in dnd_rows],
        messages=[message_records.message_domain(m, with_room=with_room)
                  for m in _messages_mine(session, message_records.open_message_rows(session), scope)],
        vips=vips, callbacks=_callbacks(session, scope), faults=faults, entries=entries)
    label = h.shift_label if h is not None else shift_label(now, settings)
    prepared = (h.prepared_by if h is not None else None) or actors.who(user)
    return rules.assemble_handover(inputs, at=now, tz=settings.tz, shift_label=label, prepared_by=prepared,
                                   extra_sections=(*_wakeups(session, now, settings, scope),
                                                   *_guestsvc(session, now, settings, scope)))


def _sections_json(d: rules.Handover, tz: ZoneInfo) -> list[dict[str, Any]]:
    return [{"key": s.key, "title": {"zh": s.title_zh, "en": s.title_en},
             "items": [{"kind": it.kind, "ref": it.ref, "at": iso(it.at, tz), "urgent": it.urgent,
                        "text": {"zh": it.text_zh, "en": it.text_en}} for it in s.items]}
            for s in d.sections]


def _out(h: Handover | None, sections: list[dict[str, Any]], tz: ZoneInfo, *, assembled_at: dt.datetime | None,
         label: str, live: bool) -> dict[str, Any]:
    return {
        "id": h.id if h is not None else None, "shift_label": label,
        "state": h.state if h is not None else "draft", "live": live,
        "started_at": iso(h.started_at, tz) if h is not None else None,
        "assembled_at": iso(assembled_at, tz), "prepared_by": h.prepared_by if h is not None else None,
        "sections": sections,
        "item_count": sum(len(s["items"]) for s in sections),
        "entries": [{"id": e.id, "at": iso(e.at, tz), "author": e.author, "section": e.section, "text": e.text}
                    for e in (h.entries if h is not None else [])],
        "signed_off_by": h.signed_off_by if h is not None else None,
        "signed_off_at": iso(h.signed_off_at, tz) if h is not None else None,
        "acknowledged_by": h.acknowledged_by if h is not None else None,
        "acknowledged_at": iso(h.acknowledged_at, tz) if h is not None else None,
    }


def current(session: Session, user: User, settings: Settings) -> dict[str, Any]:
    """The handover being prepared now (assembled live); the latest one waiting for the incoming
    shift's acknowledgement is named in ``awaiting_acknowledgement``."""
    now = utcnow()
    org_id = _org_of(session, user)
    h = _draft(session, org_id)
    d = assemble(session, h, user, settings, now, with_room=actors.sees_rooms(user),
                 scope=_contents_scope(session, org_id, user))
    out = _out(h, _sections_json(d, settings.tz), settings.tz, assembled_at=now, label=d.shift_label, live=True)
    waiting = session.scalar(_awaiting(session, user, org_id).order_by(Handover.id.desc()))
    out["awaiting_acknowledgement"] = (
        {"id": waiting.id, "shift_label": waiting.shift_label, "signed_off_by": waiting.signed_off_by,
         "signed_off_at": iso(waiting.signed_off_at, settings.tz),
         # Signed by this user: they handed over and wait for the incoming shift (issue 8, 7).
         "mine": waiting.signed_off_by_id == user.id} if waiting is not None else None)
    return out


def _own_waiting(session: Session, user: User, org_id: int | None) -> Handover | None:
    """A handover this user signed that the incoming shift has not acknowledged yet."""
    return session.scalar(_of_org(select(Handover).where(Handover.state == "signed_off",
                                                         Handover.signed_off_by_id == user.id), org_id)
                          .order_by(Handover.id.desc()))


def add_entry(session: Session, user: User, settings: Settings, *, text: str, section: str | None) -> dict[str, Any]:
    now = utcnow()
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise Invalid("required", field="text")
    if len(text) > ENTRY_MAX:
        raise Invalid(f"longer than {ENTRY_MAX} characters", field="text")
    section = section or rules.SectionKey.ENTRIES
    if section not in rules.SECTION_TITLES:
        raise Invalid(f"expected one of {', '.join(rules.SECTION_ORDER)}", field="section")
    h = _draft_or_new(session, user, settings, now)
    e = HandoverEntry(handover_id=h.id, at=now, author=actors.who(user), author_id=user.id, section=section, text=text)
    session.add(e)
    session.flush()
    session.refresh(h)
    audit.record(session, actor=actors.actor(user), user_id=user.id, action="add_entry", entity="handover",
                 entity_id=h.id, detail={"section": section})
    live_feed.publish(session, "handover", h.id, {"id": h.id, "change": "entry"})
    return current(session, user, settings)


def vip_guest_label(name: str | None, title: str | None) -> str:
    """How a VIP guest is named in the handover's VIP section (a name, never a room)."""
    return f"VIP客人{title or ''}{name or ''}"


def note_vip_handling(session: Session, user: User, settings: Settings, text: str, *,
                      at: dt.datetime | None = None) -> None:
    """R-H12, R-H13: a VIP guest's call handling, written by the system into the VIP section of
    the draft handover (the caller must leave room numbers out: entries are shown to all roles)."""
    now = at or utcnow()
    h = _draft_or_new(session, user, settings, now)
    session.add(HandoverEntry(handover_id=h.id, at=now, author=actors.who(user), author_id=user.id,
                              section=rules.SectionKey.VIPS, text=text.replace("\x00", "").strip()[:ENTRY_MAX]))
    session.flush()
    live_feed.publish(session, "handover", h.id, {"id": h.id, "change": "entry"})


def sign_off(session: Session, user: User, settings: Settings) -> dict[str, Any]:
    """The outgoing shift signs what it hands over: the handover is frozen as it stands now.
    Refused while a handover this user signed still waits for acknowledgement (issue 8, 7)."""
    now = utcnow()
    waiting = _own_waiting(session, user, _org_of(session, user))
    if waiting is not None and waiting.shift_label == shift_label(now, settings):
        raise Conflict(f"your handover of {waiting.shift_label} still waits for the incoming shift's "
                       "acknowledgement", field="state", code="handover_awaiting_acknowledgement")
    h = _draft_or_new(session, user, settings, now)
    scope = _contents_scope(session, h.organisation_id, user)
    full = assemble(session, h, user, settings, now, with_room=True, scope=scope)
    public = assemble(session, h, None, settings, now, with_room=False, scope=scope)
    try:
        signed = rules.sign_off(full, by=actors.who(user), at=now)
    except rules.HandoverError as exc:
        raise Conflict(str(exc), field=exc.field) from None
    h.sections = _sections_json(full, dt.UTC)
    h.sections_public = _sections_json(public, dt.UTC)
    h.assembled_at = now
    h.state = str(signed.state)
    h.signed_off_by, h.signed_off_by_id, h.signed_off_at = signed.signed_off_by, user.id, now
    h.search_text = public.text("zh") + "\n" + public.text("en")
    audit.record(session, actor=actors.actor(user), user_id=user.id, action="sign_off", entity="handover",
                 entity_id=h.id, detail={"items": full.item_count})
    live_feed.publish(session, "handover", h.id, {"id": h.id, "change": "signed_off"})
    session.flush()
    return get(session, user, settings, h.id)


def acknowledge(session: Session, user: User, settings: Settings, handover_id: int) -> dict[str, Any]:
    h = session.get(Handover, handover_id)
    if h is None or not _visible(session, h, user):
        raise NotFound("no such handover", field="handover_id")
    if h.state == "draft":
        raise Conflict("the outgoing shift has not signed off yet", field="state")
    if h.state == "acknowledged":
        raise Conflict("already acknowledged", field="state")
    if h.signed_off_by_id == user.id:
        raise Conflict("the incoming shift must acknowledge, not the one handing over", field="acknowledged_by")
    now = utcnow()
    h.state, h.acknowledged_by, h.acknowledged_by_id, h.acknowledged_at = "acknowledged", actors.who(user), user.id, now
    audit.record(session, actor=actors.actor(user), user_id=user.id, action="acknowledge", entity="handover",
                 entity_id=h.id)
    live_feed.publish(session, "handover", h.id, {"id": h.id, "change": "acknowledged"})
    session.flush()
    return get(session, user, settings, h.id)


def get(session: Session, user: User, settings: Settings, handover_id: int) -> dict[str, Any]:
    h = session.get(Handover, handover_id)
    if h is None or not _visible(session, h, user):
        raise NotFound("no such handover", field="handover_id")
    if h.state == "draft":
        out = current(session, user, settings)
        return out
    sections = h.sections if actors.sees_rooms(user) else h.sections_public
    tz = settings.tz
    sections = [{**s, "items": [{**it, "at": iso(dt.datetime.fromisoformat(it["at"]), tz) if it.get("at") else None}
                                for it in s["items"]]} for s in (sections or [])]
    audit.record(session, actor=actors.actor(user), user_id=user.id, action="read", entity="handover", entity_id=h.id)
    return _out(h, sections, tz, assembled_at=h.assembled_at, label=h.shift_label, live=False)


def search(session: Session, settings: Settings, *, q: str | None, date_from: str | None, date_to: str | None,
           limit: int = 50, user: User | None = None) -> list[dict[str, Any]]:
    """Signed handovers, newest first; with ``user`` only those of the organisations they work for
    (the shared handover only to those who work for everything)."""
    stmt = select(Handover).where(Handover.state != "draft").order_by(Handover.signed_off_at.desc()).limit(limit)
    scope = scope_service.scope_of(session, user)
    if scope is not None and not scope.everything:
        mine = Handover.organisation_id.in_(sorted(scope.organisation_ids))
        # One who works for several organisations prepares the shared handover: theirs too.
        stmt = stmt.where(mine if scope.handover_organisation_id is not None
                          else or_(mine, Handover.organisation_id.is_(None)))
    if q and q.strip():
        terms = q.strip()[:100]
        stmt = stmt.where(or_(Handover.search_text.contains(terms, autoescape=True),
                              Handover.shift_label.contains(terms, autoescape=True)))
    if date_from:
        stmt = stmt.where(Handover.signed_off_at >= parse_local_instant(date_from, "date_from", settings.tz))
    if date_to:
        stmt = stmt.where(Handover.signed_off_at <= parse_local_instant(date_to, "date_to", settings.tz,
                                                                        end_of_day=True))
    tz = settings.tz
    return [{"id": h.id, "shift_label": h.shift_label, "state": h.state, "signed_off_by": h.signed_off_by,
             "signed_off_at": iso(h.signed_off_at, tz), "acknowledged_by": h.acknowledged_by,
             "acknowledged_at": iso(h.acknowledged_at, tz),
             "item_count": sum(len(s["items"]) for s in (h.sections_public or []))}
            for h in session.scalars(stmt)]
