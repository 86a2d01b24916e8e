"""Articles, their versions and the units' proposals (issue 11, point 1). One transaction each.

The office edits directly; a handling unit's user proposes (its own unit's articles, new ones
for its unit) and the office approves (the proposal becomes a version) or rejects it with a
reason. Every change is a version (who, when, the whole text, the diff) and an audit entry;
reads are not audited (no personal data).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain.knowledge import articles as rules
from zongji.domain.roles import UNIT_ROLES
from zongji.domain.knowledge.permissions import Access, change_access, create_access, may_decide
from zongji.errors import Conflict, Forbidden, Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.actors import actor, who
from zongji.services.catalogue import matters
from zongji.services.knowledge import indexing
from zongji.store.knowledge_models import KbArticle, KbArticleVersion, KbProposal
from zongji.store.models import Department, Line, User, utcnow

STATUSES = tuple(s.value for s in rules.Status)


# ------------------------------------------------------------------ shapes


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def fields_of(a: KbArticle) -> dict[str, Any]:
    """The versioned fields as JSON values."""
    return {
        "title": a.title, "answer": a.answer, "keywords": indexing.keywords_list(a), "category": a.category,
        "lines": a.line_codes.split(), "unit_id": a.unit_id, "valid_from": _iso(a.valid_from),
        "valid_to": _iso(a.valid_to), "next_review": _iso(a.next_review), "status": a.status,
    }


def article_out(session: Session, a: KbArticle, today: dt.date) -> dict[str, Any]:
    unit = session.get(Department, a.unit_id) if a.unit_id else None
    return fields_of(a) | {
        "id": a.id, "key": a.key, "version": a.version, "organisation_id": a.organisation_id,
        "unit": None if unit is None else {"id": unit.id, "name": unit.name, "phone": unit.phone,
                                           "extension": unit.extension},
        "review_due": rules.review_due(a.next_review, today),
        "valid_today": rules.valid_on(a.valid_from, a.valid_to, today),
        "updated_at": a.updated_at.isoformat(),
    }


def proposal_out(p: KbProposal) -> dict[str, Any]:
    return {
        "id": p.id, "article_id": p.article_id, "unit_id": p.unit_id, "fields": p.fields, "note": p.note,
        "state": p.state, "base_version": p.base_version, "proposed_by": p.proposed_by,
        "proposed_at": p.proposed_at.isoformat(), "decided_by": p.decided_by,
        "decided_at": p.decided_at.isoformat() if p.decided_at else None, "reason": p.reason,
    }


def result_out(session: Session, out: KbArticle | KbProposal, today: dt.date) -> dict[str, Any]:
    """What a create or change gave: ``{"article": …}`` (office) or ``{"proposal": …}`` (unit)."""
    if isinstance(out, KbArticle):
        return {"article": article_out(session, out, today)}
    return {"proposal": proposal_out(out)}


# ------------------------------------------------------------------ validation


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid("not a date (YYYY-MM-DD)", field=field) from None


def clean(session: Session, data: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The versioned fields of ``data`` over ``base``, checked; JSON values."""
    out = dict(base or {})
    for f in rules.VERSIONED_FIELDS:
        if f in data:
            out[f] = data[f]
    title = str(out.get("title") or "").strip()
    if not title:
        raise Invalid("a title is needed", field="title")
    if len(title) > 200:
        raise Invalid("at most 200 characters", field="title")
    answer = str(out.get("answer") or "").strip()
    if not answer:
        raise Invalid("an answer is needed", field="answer")
    keywords = [str(k).strip() for k in (out.get("keywords") or []) if str(k).strip()]
    lines = [str(c).strip() for c in (out.get("lines") or []) if str(c).strip()]
    known = set(session.scalars(select(Line.code).where(Line.code.in_(lines)))) if lines else set()
    for code in lines:
        if code not in known:
            raise Invalid(f"no line {code}", field="lines")
    unit_id = out.get("unit_id")
    if unit_id is not None and session.get(Department, unit_id) is None:
        raise Invalid("no such unit", field="unit_id")
    status = out.get("status") or rules.Status.DRAFT
    if status not in STATUSES:
        raise Invalid(f"one of {', '.join(STATUSES)}", field="status")
    vf, vt = _date(out.get("valid_from"), "valid_from"), _date(out.get("valid_to"), "valid_to")
    bad = rules.check_validity_range(vf, vt)
    if bad:
        raise Invalid("ends before it starts", field=bad)
    return {
        "title": title, "answer": answer, "keywords": list(dict.fromkeys(keywords)),
        "category": str(out.get("category") or "").strip()[:80], "lines": list(dict.fromkeys(lines)),
        "unit_id": unit_id, "valid_from": _iso(vf), "valid_to": _iso(vt),
        "next_review": _iso(_date(out.get("next_review"), "next_review")), "status": status,
    }


def _apply(session: Session, a: KbArticle, f: dict[str, Any], *, index: bool = True) -> None:
    a.title, a.answer, a.category, a.status = f["title"], f["answer"], f["category"], f["status"]
    a.keywords = "\n".join(f["keywords"])
    a.line_codes = (" " + " ".join(f["lines"]) + " ") if f["lines"] else ""
    a.unit_id = f["unit_id"]
    a.valid_from, a.valid_to = _date(f["valid_from"], "valid_from"), _date(f["valid_to"], "valid_to")
    a.next_review = _date(f["next_review"], "next_review")
    if a.unit_id is not None and a.organisation_id is None:
        a.organisation_id = session.get(Department, a.unit_id).organisation_id
    a.updated_at = utcnow()
    session.flush()
    if index:
        indexing.index(a, indexing.analyzer(session))


def _version(session: Session, a: KbArticle, before: dict[str, Any], user: User | None,
             proposal: KbProposal | None = None) -> KbArticleVersion:
    after = fields_of(a)
    diff = rules.changes(before, after)
    v = KbArticleVersion(article_id=a.id, version=a.version, snapshot=after, changes=diff,
                         changed_by_id=user.id if user else None, changed_by=who(user), changed_at=a.updated_at,
                         proposal_id=proposal.id if proposal else None)
    session.add(v)
    audit.record(session, actor=actor(user), user_id=user.id if user else None,
                 action="create" if a.version == 1 else "update", entity="kb_article", entity_id=a.id,
                 detail={"version": a.version, "changes": diff, "proposal_id": proposal.id if proposal else None})
    live_feed.publish(session, "knowledge", a.id, {"id": a.id, "version": a.version})
    return v


# ------------------------------------------------------------------ commands


def get(session: Session, article_id: int) -> KbArticle:
    a = session.get(KbArticle, article_id)
    if a is None:
        raise NotFound("no such article", field="article_id")
    return a


def create(session: Session, user: User | None, data: dict[str, Any], *, key: str | None = None,
           organisation_id: int | None = None, index: bool = True) -> KbArticle | KbProposal:
    """The office creates an article; a unit's user gets a proposal for its unit. ``index=False``
    (a bulk load) leaves the terms to one ``indexing.reindex_all`` afterwards."""
    f = clean(session, data)
    if user is not None:
        access = create_access(user.role, user.department_id, f["unit_id"])
        if access is Access.NONE:
            raise Forbidden("a unit proposes articles for its own unit only", field="unit_id")
        if access is Access.PROPOSE:
            return _propose(session, user, None, f, data.get("note", ""))
    a = KbArticle(key=key, organisation_id=organisation_id, version=1, title="", answer="")
    session.add(a)
    _apply(session, a, f, index=index)
    _version(session, a, {}, user)
    return a


def update(session: Session, user: User, article_id: int, data: dict[str, Any],
           expected_version: int | None = None) -> KbArticle | KbProposal:
    a = get(session, article_id)
    access = change_access(user.role, user.department_id, a.unit_id)
    if access is Access.NONE:
        raise Forbidden("only the office or the owning unit may change this article", field="article_id")
    if expected_version is not None and expected_version != a.version:
        raise Conflict("the article changed meanwhile; reload it", field="version")
    before = fields_of(a)
    f = clean(session, data, before)
    if access is Access.PROPOSE:
        if f["unit_id"] != a.unit_id:
            raise Forbidden("a unit cannot give its article to another unit", field="unit_id")
        return _propose(session, user, a, f, data.get("note", ""))
    if not rules.changes(before, f):
        return a
    a.version += 1
    _apply(session, a, f)
    _version(session, a, before, user)
    return a


def _propose(session: Session, user: User, a: KbArticle | None, f: dict[str, Any], note: str) -> KbProposal:
    p = KbProposal(article_id=a.id if a else None, unit_id=f["unit_id"], fields=f,
                   base_version=a.version if a else None, note=str(note or "")[:2000], state="pending",
                   proposed_by_id=user.id, proposed_by=who(user), proposed_at=utcnow())
    session.add(p)
    session.flush()
    audit.record(session, actor=actor(user), user_id=user.id, action="propose", entity="kb_proposal",
                 entity_id=p.id, detail={"article_id": p.article_id})
    live_feed.publish(session, "knowledge", None, {"proposal_id": p.id})
    return p


def decide(session: Session, user: User, proposal_id: int, *, approve: bool, reason: str = "") -> KbProposal:
    if not may_decide(user.role):
        raise Forbidden("only the hotline office decides proposals", field="proposal_id")
    p = session.get(KbProposal, proposal_id)
    if p is None:
        raise NotFound("no such proposal", field="proposal_id")
    if p.state != rules.ProposalState.PENDING:
        raise Conflict("this proposal has been decided", field="proposal_id")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise Invalid("a reason is needed to reject", field="reason")
    p.decided_by, p.decided_at, p.reason = who(user), utcnow(), reason or None
    if approve:
        f = clean(session, p.fields)
        if p.article_id is None:
            a = KbArticle(version=1, title="", answer="")
            session.add(a)
            _apply(session, a, f)
            p.article_id = a.id
            before: dict[str, Any] = {}
        else:
            a = get(session, p.article_id)
            if p.base_version is not None and p.base_version != a.version:
                raise Conflict("the article changed since it was proposed", field="proposal_id")
            before = fields_of(a)
            a.version += 1
            _apply(session, a, f)
        p.state = rules.ProposalState.APPROVED
        session.flush()
        _version(session, a, before, user, p)
    else:
        p.state = rules.ProposalState.REJECTED
    audit.record(session, actor=actor(user), user_id=user.id, action="approve" if approve else "reject",
                 entity="kb_proposal", entity_id=p.id, detail={"reason": p.reason})
    live_feed.publish(session, "knowledge", p.article_id, {"proposal_id": p.id, "state": p.state})
    return p


# ------------------------------------------------------------------ reads


def visible_proposals(session: Session, user: User, state: str | None = "pending") -> list[KbProposal]:
    """The office sees every proposal; a unit its own; others none."""
    q = select(KbProposal).order_by(KbProposal.id)
    if state:
        q = q.where(KbProposal.state == state)
    if not may_decide(user.role):
        if user.department_id is None:
            return []
        q = q.where(KbProposal.unit_id == user.department_id)
    return list(session.scalars(q))


def versions(session: Session, article_id: int) -> list[KbArticleVersion]:
    get(session, article_id)
    return list(session.scalars(select(KbArticleVersion).where(KbArticleVersion.article_id == article_id)
                                .order_by(KbArticleVersion.version)))


def version_out(v: KbArticleVersion) -> dict[str, Any]:
    return {"version": v.version, "snapshot": v.snapshot, "changes": v.changes, "changed_by": v.changed_by,
            "changed_at": v.changed_at.isoformat(), "proposal_id": v.proposal_id}


def unit_choices(session: Session, user: User) -> list[dict[str, Any]]:
    """The units an article may name for ``user`` (the page's unit list): the hotline's units on
    the console, its own unit for a handling unit's user."""
    if user.role in UNIT_ROLES:
        unit = session.get(Department, user.department_id) if user.department_id else None
        return [] if unit is None else [{"id": unit.id, "name": unit.name}]
    try:
        return [{"id": u["id"], "name": u["name"]} for u in matters.unit_choices(session, user)]
    except Forbidden:  # a console user of no city hotline (a hotel's, a company's): no units
        return []


def listing(session: Session, *, unit_id: int | None = None, review_due_on: dt.date | None = None,
            limit: int = 200, organisations: frozenset[int] | None = None) -> list[KbArticle]:
    """The articles of the ``organisations`` the user works for (None: every one; an article kept
    for no organisation is everyone's)."""
    q = select(KbArticle).order_by(KbArticle.id).limit(limit)
    if organisations is not None:
        q = q.where(or_(KbArticle.organisation_id.is_(None), KbArticle.organisation_id.in_(sorted(organisations))))
    if unit_id is not None:
        q = q.where(KbArticle.unit_id == unit_id)
    if review_due_on is not None:
        q = q.where(KbArticle.next_review < review_due_on)
    return list(session.scalars(q))
