"""The centre's department and staff, its catalogue (R-G2) and its roster of attendants (R-G1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.guestsvc import catalogue as cat
from zongji.domain.guestsvc import roster as roster_rules
from zongji.domain.roles import ADMIN_ROLES, ROOM_NUMBER_ROLES, Role
from zongji.errors import Forbidden, Invalid, NotFound
from zongji.services import audit
from zongji.settings import Settings
from zongji.store.guestsvc_models import GsCover, GsItem
from zongji.store.models import Department, User


def centre_unit(session: Session, settings: Settings) -> Department | None:
    """The centre's department (setting ``guestsvc_centre_unit``: name, English name or id)."""
    key = (settings.guestsvc_centre_unit or "").strip()
    if not key:
        return None
    if key.isdigit():
        return session.get(Department, int(key))
    return session.scalar(select(Department).where(
        (Department.name == key) | (Department.name_en == key)).order_by(Department.id).limit(1))


def centre_unit_id(session: Session, settings: Settings) -> int | None:
    unit = centre_unit(session, settings)
    return unit.id if unit is not None else None


def is_centre_staff(session: Session, user: User, settings: Settings) -> bool:
    """A handler of the centre's department (the coordinators and the floor attendants)."""
    return (user.role == Role.UNIT_HANDLER and user.department_id is not None
            and user.department_id == centre_unit_id(session, settings))


def may_run_centre(session: Session, user: User, settings: Settings) -> bool:
    """The centre's page: its staff, and the roles that see rooms (shift leaders and above)."""
    return user.role in ROOM_NUMBER_ROLES or is_centre_staff(session, user, settings)


def require_centre(session: Session, user: User, settings: Settings) -> None:
    if not may_run_centre(session, user, settings):
        raise Forbidden("the guest-service centre's staff only")


def require_manager(session: Session, user: User, settings: Settings) -> None:
    """The catalogue and the roster: the centre's staff and the office."""
    if not (user.role in ADMIN_ROLES or is_centre_staff(session, user, settings)):
        raise Forbidden("the guest-service centre's staff or the office only")


def _invalid(err: Exception) -> Invalid:
    return Invalid(str(err), field=getattr(err, "field", None), code=getattr(err, "code", None))


# --------------------------------------------------------------------------- catalogue


def item_out(item: GsItem) -> dict[str, Any]:
    zh, en = cat.TEAM_NAMES[cat.Team(item.team)]
    return {"id": item.id, "name_zh": item.name_zh, "name_en": item.name_en, "team": item.team,
            "team_name": {"zh": zh, "en": en}, "kind": item.kind, "charged": item.charged,
            "price_fen": item.price_fen, "target_minutes": item.target_minutes, "position": item.position,
            "active": item.active}


def items(session: Session, *, active_only: bool = True) -> list[GsItem]:
    q = select(GsItem).order_by(GsItem.position, GsItem.id)
    if active_only:
        q = q.where(GsItem.active.is_(True))
    return list(session.scalars(q))


def save_item(session: Session, data: dict[str, Any], *, actor: str, settings: Settings,
              item_id: int | None = None) -> GsItem:
    """Create or change a catalogue item (the target defaults to R-G6's response time)."""
    try:
        spec = cat.check_item(cat.ItemSpec(
            data.get("name_zh") or "", data.get("name_en") or "", data.get("team") or "",
            data.get("kind") or cat.Kind.SERVICE, bool(data.get("charged")),
            int(data.get("target_minutes") or settings.guestsvc_response_minutes)))
    except cat.CatalogueError as err:
        raise _invalid(err) from None
    item = GsItem() if item_id is None else session.get(GsItem, item_id)
    if item is None:
        raise NotFound(f"no catalogue item {item_id}", field="item_id")
    item.name_zh, item.name_en, item.team, item.kind = spec.name_zh, spec.name_en, spec.team, spec.kind
    item.charged, item.target_minutes = spec.charged, spec.target_minutes
    price = data.get("price_yuan")
    item.price_fen = int(round(float(price) * 100)) if spec.charged and price is not None else None
    item.position = int(data.get("position") or item.position or 0)
    item.active = bool(data.get("active", True))
    if item_id is None:
        session.add(item)
    session.flush()
    audit.record(session, actor=actor, action="guestsvc.item_saved", entity="gs_item", entity_id=item.id,
                 detail=item_out(item))
    return item


# --------------------------------------------------------------------------- roster


def starts(settings: Settings) -> tuple[dt.time, ...]:
    return roster_rules.shift_starts(settings.shift_starts)


def shift_now(now: dt.datetime, settings: Settings) -> roster_rules.ShiftSlot:
    return roster_rules.shift_at(now.astimezone(settings.tz), starts(settings))


def covers(session: Session, day: dt.date, shift: int) -> list[GsCover]:
    return list(session.scalars(select(GsCover).where(GsCover.day == day, GsCover.shift == shift)
                                .order_by(GsCover.id)))


def cover_out(session: Session, c: GsCover) -> dict[str, Any]:
    u = session.get(User, c.attendant_id)
    return {"id": c.id, "day": c.day.isoformat(), "shift": c.shift, "attendant_id": c.attendant_id,
            "attendant": u.display_name if u is not None else "", "floors": c.floors}


def attendants(session: Session, settings: Settings) -> list[User]:
    """Who may be rostered: the centre's handlers."""
    unit_id = centre_unit_id(session, settings)
    if unit_id is None:
        return []
    return list(session.scalars(select(User).where(User.department_id == unit_id, User.role == Role.UNIT_HANDLER,
                                                   User.active.is_(True)).order_by(User.username)))


def set_cover(session: Session, *, day: dt.date, shift: int, attendant_id: int, floors: str, actor: str,
              settings: Settings) -> GsCover:
    """Put an attendant on floors for a shift (their earlier floors that shift are replaced)."""
    try:
        roster_rules.shift_of(day, shift, starts(settings), settings.tz)
        parsed = roster_rules.parse_floors(floors)
    except roster_rules.RosterError as err:
        raise _invalid(err) from None
    if attendant_id not in {u.id for u in attendants(session, settings)}:
        raise Invalid("an attendant of the guest-service centre", field="attendant_id")
    row = session.scalar(select(GsCover).where(GsCover.day == day, GsCover.shift == shift,
                                               GsCover.attendant_id == attendant_id))
    if row is None:
        row = GsCover(day=day, shift=shift, attendant_id=attendant_id, floors="")
        session.add(row)
    row.floors = roster_rules.floors_text(parsed)
    session.flush()
    audit.record(session, actor=actor, action="guestsvc.cover_set", entity="gs_cover", entity_id=row.id,
                 detail={"day": day.isoformat(), "shift": shift, "attendant_id": attendant_id, "floors": row.floors})
    return row


def remove_cover(session: Session, cover_id: int, *, actor: str) -> None:
    row = session.get(GsCover, cover_id)
    if row is None:
        raise NotFound(f"no roster entry {cover_id}", field="cover_id")
    audit.record(session, actor=actor, action="guestsvc.cover_removed", entity="gs_cover", entity_id=row.id,
                 detail={"day": row.day.isoformat(), "shift": row.shift, "attendant_id": row.attendant_id})
    session.delete(row)


def attendant_on_duty(session: Session, floor: int, now: dt.datetime, settings: Settings) -> int | None:
    """The attendant covering ``floor`` in the shift running at ``now`` (R-G1)."""
    slot = shift_now(now, settings)
    rows = covers(session, slot.day, slot.index)
    return roster_rules.attendant_for(floor, [
        roster_rules.Cover(r.attendant_id, roster_rules.parse_floors(r.floors)) for r in rows])
