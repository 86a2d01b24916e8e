"""The directory: search across departments, staff, rooms, guests, customers and common numbers
(R-H7), and caller identification by number (R-H2).

Guest privacy (R-H4): search never returns a guest's room, never finds a guest who asked to be
denied ("not_staying") and only finds guests in house. Reads of guest data made for a user are
audited (``audit_guest_reads``); ``search`` does it itself when given the user.

``search_text`` is kept up to date automatically: a ``before_flush`` hook recomputes it for every
new or changed department, person, guest, customer and common number, whichever code changed it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, event, inspect, or_, select, true
from sqlalchemy.orm import Session

from zongji.domain.caller_id import (
    CallerIdentity,
    PhoneNumber,
    best_match,
    make_label,
    normalize_number,
    stay_in_house,
    unknown_identity,
)
from zongji.domain.roles import GUEST_DATA_ROLES
from zongji.domain.search import (
    COMPOUND_SURNAMES,
    build_search_text,
    digits_only,
    is_phone_like,
    is_short_term,
    normalize,
    query_terms,
    text_tokens,
)
from zongji.errors import ZongjiError
from zongji.services import audit
from zongji.store.models import (
    CommonNumber,
    Customer,
    Department,
    Guest,
    Organisation,
    Person,
    Room,
    Stay,
    User,
    utcnow,
)

MAX_QUERY_LENGTH = 100
MAX_LIMIT = 100
# Rows fetched per table before ranking.
_FETCH_CAP = 300

# Result kinds in the order shown when otherwise equal.
_KIND_ORDER = {"person": 0, "department": 1, "room": 2, "guest": 3, "common_number": 4, "customer": 5}

PRIVACY_NOTES = {
    "no_calls": "谢绝来电 (no calls)",
    "not_staying": "对外不确认在住 (not staying)",
}
GRADE_NAMES = {"key": "重点客户", "general": "一般客户", "potential": "潜在客户"}


# --------------------------------------------------------------------------- search_text


def search_text_for(obj: Any, session: Session | None = None) -> str | None:
    """The search_text a directory record should have; None for other objects."""
    if isinstance(obj, Person):
        dept = obj.__dict__.get("department")
        if dept is None and obj.department_id is not None and session is not None:
            with session.no_autoflush:
                dept = session.get(Department, obj.department_id)
        return build_search_text(
            names=[obj.name],
            texts=[obj.title, obj.title_en, dept.name if dept else None],
            numbers=[obj.extension, obj.mobile, obj.office_phone, obj.pager],
        )
    if isinstance(obj, Department):
        return build_search_text(
            texts=[obj.name, obj.name_en, obj.duties], numbers=[obj.extension, obj.phone]
        )
    if isinstance(obj, Guest):
        # The mobile is left out on purpose: guests are found by number only on an exact match.
        return build_search_text(names=[obj.name], texts=[obj.vip_title])
    if isinstance(obj, Customer):
        return build_search_text(
            names=[obj.name], texts=[obj.company, obj.note], numbers=[obj.phone]
        )
    if isinstance(obj, CommonNumber):
        return build_search_text(
            texts=[obj.name, obj.category, obj.note], numbers=[obj.number]
        )
    return None


_SEARCHABLE = (Person, Department, Guest, Customer, CommonNumber)


def refresh_search_text(obj: Any, session: Session | None = None) -> None:
    """(Re)compute one record's search_text in place."""
    text = search_text_for(obj, session)
    if text is not None and obj.search_text != text:
        obj.search_text = text


def refresh_all(session: Session) -> int:
    """Recompute search_text for every directory record; returns how many changed."""
    changed = 0
    for model in _SEARCHABLE:
        for obj in session.scalars(select(model)):
            text = search_text_for(obj, session)
            if text is not None and obj.search_text != text:
                obj.search_text = text
                changed += 1
    return changed


@event.listens_for(Session, "before_flush")
def _keep_search_text(session: Session, _flush_context, _instances) -> None:
    renamed: list[Department] = []
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, _SEARCHABLE):
            refresh_search_text(obj, session)
            if isinstance(obj, Department) and obj.id is not None \
                    and inspect(obj).attrs.name.history.has_changes():
                renamed.append(obj)
    if renamed:
        # People are found by their department's name too.
        with session.no_autoflush:
            for dept in renamed:
                for person in session.scalars(select(Person).where(Person.department_id == dept.id)):
                    refresh_search_text(person, session)


# --------------------------------------------------------------------------- search


def _validate(q: str | None, limit: int) -> str:
    if q is None or not normalize(q):
        raise ZongjiError("type something to search for", field="q")
    if len(q) > MAX_QUERY_LENGTH:
        raise ZongjiError(f"at most {MAX_QUERY_LENGTH} characters", field="q")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ZongjiError(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    return normalize(q)


def _text_condition(column, terms: list[str]):
    conds = []
    for t in terms:
        if is_short_term(t):
            conds.append(or_(column.startswith(t, autoescape=True),
                             column.contains(" " + t, autoescape=True)))
        else:
            conds.append(column.contains(t, autoescape=True))
    return conds


def _number_condition(columns: Iterable, pn: PhoneNumber):
    variants = pn.variants()
    if not variants:
        return None
    return or_(*[c.in_(variants) for c in columns])


def _name_score(name: str | None, terms: list[str], query: str, *, personal: bool) -> int:
    """1 exact name, 2 name starts with the query, 3 otherwise."""
    n = normalize(name)
    if not n:
        return 3
    compact = query.replace(" ", "")
    tokens = text_tokens(name, personal_name=personal)
    if n == query or compact in tokens:
        return 1
    if n.startswith(query) or any(tok.startswith(compact) for tok in tokens):
        return 2
    if all(any(tok.startswith(t) for tok in tokens) for t in terms):
        return 2
    return 3


def _in_house_guest_ids(session: Session, guest_ids: Iterable[int], at: dt.datetime) -> dict[int, Stay]:
    """guest id → the stay that has them in house at ``at`` (latest arrival wins)."""
    ids = list(guest_ids)
    if not ids:
        return {}
    out: dict[int, Stay] = {}
    stays = session.scalars(
        select(Stay).where(Stay.guest_id.in_(ids), Stay.arrival <= at, Stay.status != "expected")
        .order_by(Stay.arrival)
    )
    for stay in stays:
        if stay_in_house(stay.status, stay.arrival, stay.departure, at):
            out[stay.guest_id] = stay
    return out


def _room_digits(query: str) -> str | None:
    m = re.fullmatch(r"(\d{1,6})\s*(房间|号房|房|号)?", query)
    return m.group(1) if m else None


def search(
    session: Session,
    q: str,
    *,
    limit: int = 20,
    user: User | None = None,
    organisation_id: int | None = None,
    organisation_ids: Iterable[int] | None = None,
    at: dt.datetime | None = None,
    audit: bool = True,
) -> list[dict[str, Any]]:
    """Find directory entries matching ``q``; best first.

    ``organisation_ids`` (the organisations the user works for, ``WorkScope.organisation_filter``;
    None: all): only their entries are found — another organisation's departments, staff, rooms,
    guests, customers and common numbers never are (issue 8, point 5).

    Exact extension/number hits rank first, then exact names, then names starting with the
    query (Chinese, full pinyin or initials), then other matches. 1–2 letter or digit queries
    match only at the start of a word. When ``user`` is given, guests are included only for
    roles allowed to see guest data, and each guest returned is audited as read by that user.
    """
    query = _validate(q, limit)
    at = at or utcnow()
    terms = query_terms(query)
    if not terms:
        return []
    phone_like = is_phone_like(query)
    pn = normalize_number(query) if phone_like else None
    qdigits = terms[0] if phone_like else None
    scored: list[tuple[tuple, dict[str, Any]]] = []

    def number_hit(*numbers: str | None) -> bool:
        if not qdigits:
            return False
        for n in numbers:
            if n and (digits_only(n) == qdigits or (pn and pn.valid and normalize_number(n).digits == pn.digits)):
                return True
        return False

    def add(kind: str, result: dict[str, Any], exact: bool, name_score: int, search_text: str) -> None:
        toks = search_text.split(" ")
        if exact:
            score = 0
        elif phone_like:
            score = 3 if any(tok.startswith(qdigits) for tok in toks) else 4
        elif name_score == 1:
            score = 1
        elif name_score == 2 or all(t in toks for t in terms):
            score = 2
        else:
            score = 3 if all(any(tok.startswith(t) for tok in toks) for t in terms) else 4
        key = (score, _KIND_ORDER[kind], len(result["name"] or ""), result["name"] or "", result["id"])
        scored.append((key, result))

    orgs = None if organisation_ids is None else sorted(set(organisation_ids))

    def org_filter(stmt, model):
        if organisation_id:
            stmt = stmt.where(model.organisation_id == organisation_id)
        if orgs is not None:
            stmt = stmt.where(model.organisation_id.in_(orgs))
        return stmt

    # Departments and handling units.
    cond = _text_condition(Department.search_text, terms)
    stmt = select(Department).where(*cond)
    if pn and pn.valid:
        stmt = select(Department).where(or_(
            _and(cond), Department.extension == pn.digits,
            _number_condition([Department.phone], pn),
        ))
    for d in session.scalars(org_filter(stmt, Department).order_by(Department.id).limit(_FETCH_CAP)):
        add("department", {
            "kind": "department", "id": d.id, "name": d.name, "title": None,
            "department": d.organisation.name if d.organisation else None,
            "extension": d.extension, "phones": [p for p in [d.phone] if p],
            "category": d.kind, "vip": False, "note": d.duties,
        }, number_hit(d.extension, d.phone), _name_score(d.name, terms, query, personal=False),
            d.search_text)

    # Staff.
    cond = _text_condition(Person.search_text, terms)
    stmt = select(Person).where(*cond)
    if pn and pn.valid:
        stmt = select(Person).where(or_(
            _and(cond), Person.extension == pn.digits,
            _number_condition([Person.mobile, Person.office_phone], pn),
        ))
    for p in session.scalars(org_filter(stmt, Person).order_by(Person.id).limit(_FETCH_CAP)):
        add("person", {
            "kind": "person", "id": p.id, "name": p.name, "title": p.title,
            "department": p.department.name if p.department else None,
            "extension": p.extension, "phones": [x for x in (p.mobile, p.office_phone) if x],
            "category": "manager" if p.is_manager else None, "vip": False,
            "note": f"传呼 {p.pager}" if p.pager else None,
        }, number_hit(p.extension, p.mobile, p.office_phone, p.pager),
            _name_score(p.name, terms, query, personal=True), p.search_text)

    # Rooms: by number or extension (never with their occupant).
    room_q = _room_digits(query)
    if room_q:
        rstmt = select(Room).where(or_(
            Room.number == room_q, Room.extension == room_q,
            Room.number.startswith(room_q, autoescape=True),
            Room.extension.startswith(room_q, autoescape=True),
        )).order_by(Room.number)
        for r in session.scalars(org_filter(rstmt, Room).limit(_FETCH_CAP)):
            exact = room_q in (r.number, r.extension)
            add("room", {
                "kind": "room", "id": r.id, "name": r.number, "title": r.room_type,
                "department": None, "extension": r.extension, "phones": [],
                "category": None, "vip": False, "note": f"{r.floor}楼",
            }, exact, 3, f"{r.number} {r.extension}")

    # Guests: only in house, never "not_staying", never with the room.
    guests_allowed = user is None or user.role in GUEST_DATA_ROLES
    if guests_allowed:
        cond = _text_condition(Guest.search_text, terms)
        stmt = select(Guest).where(Guest.privacy_level != "not_staying", *cond)
        if pn and pn.valid:
            stmt = select(Guest).where(
                Guest.privacy_level != "not_staying",
                or_(_and(cond), _number_condition([Guest.mobile], pn)),
            )
        guests = list(session.scalars(org_filter(stmt, Guest).order_by(Guest.id).limit(_FETCH_CAP)))
        in_house = _in_house_guest_ids(session, (g.id for g in guests), at)
        for g in guests:
            if g.id not in in_house:
                continue
            note = "在住客人"
            if g.privacy_level in PRIVACY_NOTES:
                note += " · " + PRIVACY_NOTES[g.privacy_level]
            add("guest", {
                "kind": "guest", "id": g.id, "name": g.name, "title": g.vip_title if g.vip else None,
                "department": None, "extension": None, "phones": [],
                "category": None, "vip": bool(g.vip), "note": note,
            }, number_hit(g.mobile), _name_score(g.name, terms, query, personal=True), g.search_text)

    # Customers.
    cond = _text_condition(Customer.search_text, terms)
    stmt = select(Customer).where(*cond)
    if pn and pn.valid:
        stmt = select(Customer).where(or_(_and(cond), _number_condition([Customer.phone], pn)))
    for c in session.scalars(org_filter(stmt, Customer).order_by(Customer.id).limit(_FETCH_CAP)):
        add("customer", {
            "kind": "customer", "id": c.id, "name": c.name, "title": c.company,
            "department": None, "extension": None, "phones": [c.phone],
            "category": c.grade, "vip": c.grade == "key", "note": c.note,
        }, number_hit(c.phone), _name_score(c.name, terms, query, personal=True), c.search_text)

    # Common numbers.
    cond = _text_condition(CommonNumber.search_text, terms)
    stmt = select(CommonNumber).where(*cond)
    if pn and pn.valid:
        stmt = select(CommonNumber).where(or_(_and(cond), _number_condition([CommonNumber.number], pn)))
    for n in session.scalars(org_filter(stmt, CommonNumber).order_by(CommonNumber.id).limit(_FETCH_CAP)):
        add("common_number", {
            "kind": "common_number", "id": n.id, "name": n.name, "title": None,
            "department": None, "extension": None, "phones": [n.number],
            "category": n.category, "vip": False, "note": n.note,
        }, number_hit(n.number), _name_score(n.name, terms, query, personal=False), n.search_text)

    scored.sort(key=lambda item: item[0])
    results = [r for _, r in scored[:limit]]
    if user is not None and audit:
        audit_search(session, results, user=user, q=query)
    return results


def audit_search(session: Session, results: list[dict[str, Any]], *, user: User, q: str) -> None:
    """Audit the guests a search showed ``user`` (``search(..., audit=False)`` read them without
    writing: the caller writes this in a short transaction of its own, only when there are any)."""
    audit_guest_reads(session, [r["id"] for r in results if r["kind"] == "guest"],
                      user=user, via="search", detail={"q": normalize(q)})


def shows_guests(results: list[dict[str, Any]]) -> bool:
    return any(r["kind"] == "guest" for r in results)


def _and(conds):
    return and_(*conds) if conds else true()


def audit_guest_reads(
    session: Session,
    guest_ids: Iterable[int],
    *,
    user: User | None,
    via: str,
    actor: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one audit entry (action "read", entity "guest") per guest whose data was shown."""
    who = actor or (f"user:{user.username}" if user is not None else "system")
    for gid in dict.fromkeys(guest_ids):
        audit.record(session, actor=who, user_id=user.id if user is not None else None,
                     action="read", entity="guest", entity_id=gid,
                     detail={"via": via, **(detail or {})})


# --------------------------------------------------------------------------- identification


def _address(guest: Guest) -> str | None:
    """How to address a guest: the VIP title, else 王先生 / 王女士 / Mr Smith."""
    if guest.vip and guest.vip_title:
        return guest.vip_title
    if guest.gender not in ("male", "female"):
        return None
    name = guest.name.strip()
    if re.search(r"[\u4e00-\u9fff]", name):

        surname = next((c for c in COMPOUND_SURNAMES if name.startswith(c)), name[:1])
        return surname + ("先生" if guest.gender == "male" else "女士")
    last = name.split()[-1] if name.split() else name
    return ("Mr " if guest.gender == "male" else "Ms ") + last


def _guest_identity(guest: Guest, pn: PhoneNumber, *, room: Room | None) -> CallerIdentity:
    title = _address(guest)
    detail = "在住客人"
    if guest.privacy_level in PRIVACY_NOTES:
        detail += " · " + PRIVACY_NOTES[guest.privacy_level]
    extra = f"{room.number}房" if room is not None else None
    return CallerIdentity(
        kind="guest", ref_id=guest.id, name=guest.name, title=title, vip=bool(guest.vip),
        label=make_label(guest.name, title, vip=bool(guest.vip), extra=extra),
        department=None, detail=detail, privacy_level=guest.privacy_level,
        room_number=room.number if room is not None else None, normalized_number=pn.digits,
    )


def identify_caller(session: Session, number: str, *, at: dt.datetime | None = None) -> CallerIdentity:
    """Who is calling from ``number`` at ``at`` (default now).

    A guest is identified only while a stay has them in house at ``at``, by their mobile or
    because they call from their room's extension (then, and only then, ``room_number`` is set).
    A room extension with nobody in house gives kind "room". Staff carry their title (managers
    rank first), VIP guests their VIP title. Does not audit: the caller of this function does
    (``audit_guest_reads``) when it shows a guest to a user.
    """
    at = at or utcnow()
    pn = normalize_number(number)
    if not pn.valid:
        return unknown_identity(pn)
    d = pn.digits
    variants = pn.variants()
    local_suffix = pn.kind == "local"
    candidates: list[CallerIdentity] = []

    # Guests by mobile.
    guests = list(session.scalars(select(Guest).where(Guest.mobile.in_(variants))))
    if guests:
        in_house = _in_house_guest_ids(session, (g.id for g in guests), at)
        for g in guests:
            if g.id in in_house:
                candidates.append(_guest_identity(g, pn, room=None))

    # Room extensions: the guest in house in that room, else the room itself.
    if pn.kind == "extension":
        for room in session.scalars(select(Room).where(Room.extension == d)):
            stays = session.scalars(
                select(Stay).where(Stay.room_id == room.id, Stay.arrival <= at,
                                   Stay.status != "expected")
                .order_by(Stay.arrival.desc(), Stay.id)
            ).all()
            occupants = [s for s in stays if stay_in_house(s.status, s.arrival, s.departure, at)]
            if occupants:
                # Several guests in one room: the VIP, else the one who arrived last.
                occupants.sort(key=lambda s: (not s.guest.vip, -s.arrival.timestamp(), s.id))
                candidates.append(_guest_identity(occupants[0].guest, pn, room=room))
            else:
                candidates.append(CallerIdentity(
                    kind="room", ref_id=room.id, name=f"{room.number}房", title=None,
                    label=f"{room.number}房 (空房)", detail="客房分机 · 无在住客人",
                    room_number=room.number, normalized_number=d,
                ))

    # Staff.
    conds = [Person.mobile.in_(variants), Person.office_phone.in_(variants)]
    if pn.kind == "extension":
        conds.append(Person.extension == d)
    if local_suffix:
        conds.append(Person.office_phone.endswith(d, autoescape=True))
    for p in session.scalars(select(Person).where(or_(*conds))):
        dept = p.department.name if p.department else None
        via = "分机 " + p.extension if pn.kind == "extension" and p.extension == d else None
        candidates.append(CallerIdentity(
            kind="staff", ref_id=p.id, name=p.name, title=p.title, vip=False,
            label=make_label(p.name, p.title), department=dept,
            detail=" · ".join(x for x in (dept, via) if x) or None,
            normalized_number=d, is_manager=bool(p.is_manager),
        ))

    # Departments.
    conds = [Department.phone.in_(variants)]
    if pn.kind == "extension":
        conds.append(Department.extension == d)
    if local_suffix:
        conds.append(Department.phone.endswith(d, autoescape=True))
    for dep in session.scalars(select(Department).where(or_(*conds))):
        org = dep.organisation.name if dep.organisation else None
        candidates.append(CallerIdentity(
            kind="department", ref_id=dep.id, name=dep.name, label=dep.name,
            department=dep.name, detail=org, normalized_number=d,
        ))

    # Customers.
    conds = [Customer.phone.in_(variants)]
    if local_suffix:
        conds.append(Customer.phone.endswith(d, autoescape=True))
    for c in session.scalars(select(Customer).where(or_(*conds))):
        candidates.append(CallerIdentity(
            kind="customer", ref_id=c.id, name=c.name, title=c.company,
            label=make_label(c.name, c.company), detail=GRADE_NAMES.get(c.grade, c.grade),
            normalized_number=d,
        ))

    return best_match(candidates, pn)


# --------------------------------------------------------------------------- lists


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def open_at(working_hours: dict[str, Any] | None, local: dt.datetime) -> bool | None:
    """Whether working hours include the local time ``local``; None when hours are unknown."""
    if not working_hours:
        return None
    spans = working_hours.get("all") or working_hours.get(_DAYS[local.weekday()]) or []
    hhmm = local.strftime("%H:%M")
    return any(start <= hhmm < end for start, end in spans)


def list_departments(
    session: Session,
    *,
    organisation_id: int | None = None,
    organisation_ids: Iterable[int] | None = None,
    kind: str | None = None,
    at: dt.datetime | None = None,
    tz: str = "Asia/Shanghai",
) -> list[dict[str, Any]]:
    local = (at or utcnow()).astimezone(ZoneInfo(tz))
    stmt = select(Department).order_by(Department.organisation_id, Department.id)
    if organisation_id:
        stmt = stmt.where(Department.organisation_id == organisation_id)
    if organisation_ids is not None:  # the organisations the user works for (issue 8, point 5)
        stmt = stmt.where(Department.organisation_id.in_(sorted(set(organisation_ids))))
    if kind:
        stmt = stmt.where(Department.kind == kind)
    return [
        {
            "id": d.id, "name": d.name, "name_en": d.name_en, "kind": d.kind,
            "organisation": {"id": d.organisation_id, "name": d.organisation.name,
                             "kind": d.organisation.kind},
            "extension": d.extension, "phone": d.phone, "working_hours": d.working_hours,
            "open_now": open_at(d.working_hours, local), "duties": d.duties, "district": d.district,
            "after_hours_contact": ({"id": d.after_hours_person.id, "name": d.after_hours_person.name}
                                    if d.after_hours_person_id and d.after_hours_person else None),
        }
        for d in session.scalars(stmt)
    ]


def list_common_numbers(
    session: Session, *, category: str | None = None, organisation_id: int | None = None,
    organisation_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Common numbers; with ``organisation_ids`` (the organisations the user works for) only theirs
    and those kept for no organisation in particular (issue 8, point 5)."""
    stmt = select(CommonNumber).order_by(CommonNumber.category, CommonNumber.name)
    if category:
        stmt = stmt.where(CommonNumber.category == category)
    if organisation_id:
        stmt = stmt.where(CommonNumber.organisation_id == organisation_id)
    if organisation_ids is not None:
        stmt = stmt.where(or_(CommonNumber.organisation_id.is_(None),
                              CommonNumber.organisation_id.in_(sorted(set(organisation_ids)))))
    return [
        {"id": n.id, "category": n.category, "name": n.name, "number": n.number, "note": n.note}
        for n in session.scalars(stmt)
    ]


def common_number_categories(session: Session) -> list[str]:
    return list(session.scalars(select(CommonNumber.category).distinct().order_by(CommonNumber.category)))


def organisation_by_code(session: Session, code: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.code == code))
