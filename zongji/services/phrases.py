"""Forbidden phrases (R-P10, R-S16; issue 11, point 7): the editable list per line, the check
of a text as it is typed, and the hits recorded when a text is saved.

- ``listing``/``add``/``update``/``remove``: the list (supervisors and admins edit it, audited);
  a database without any phrase uses ``domain.service_language.defaults``, copied into the table
  (for every line) on the first edit;
- ``check``: the hits of a text for a line, nothing written;
- ``record``: the hits of a saved text, one ``PhraseHit`` row each (who, when, line, phrase,
  kind of text); the save goes through, the caller answers the hits as warnings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zongji.domain.roles import ADMIN_ROLES
from zongji.domain.service_language.checker import check as check_text
from zongji.domain.service_language.defaults import DEFAULT_PHRASES
from zongji.domain.service_language.phrases import Phrase, PhraseError, PhraseKind
from zongji.errors import Forbidden, Invalid, NotFound
from zongji.services import audit
from zongji.store.models import Line, User
from zongji.store.quality_models import ForbiddenPhrase, PhraseHit

TEXT_KINDS = ("note", "message", "reply", "handling", "sms", "other")


def _out(row: ForbiddenPhrase) -> dict[str, Any]:
    return {"id": row.id, "line_id": row.line_id, "phrase": row.phrase, "suggestion": row.suggestion,
            "kind": row.kind, "exceptions": list(row.exceptions or []), "active": row.active}


def _to_phrase(row: ForbiddenPhrase) -> Phrase:
    return Phrase(row.phrase, row.suggestion, PhraseKind(row.kind), tuple(row.exceptions or ()))


def _has_rows(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(ForbiddenPhrase)) > 0


def _seed(session: Session) -> None:
    if _has_rows(session):
        return
    for p in DEFAULT_PHRASES:
        session.add(ForbiddenPhrase(line_id=None, phrase=p.text, suggestion=p.suggestion, kind=str(p.kind),
                                    exceptions=list(p.exceptions), active=True))
    session.flush()


def phrases_for(session: Session, line_id: int | None) -> list[Phrase]:
    """The active phrases that apply on a line (its own and those of every line)."""
    if not _has_rows(session):
        return list(DEFAULT_PHRASES)
    query = select(ForbiddenPhrase).where(ForbiddenPhrase.active.is_(True))
    if line_id is None:
        query = query.where(ForbiddenPhrase.line_id.is_(None))
    else:
        query = query.where(or_(ForbiddenPhrase.line_id.is_(None), ForbiddenPhrase.line_id == line_id))
    return [_to_phrase(r) for r in session.scalars(query.order_by(ForbiddenPhrase.id))]


def listing(session: Session, line_id: int | None = None) -> list[dict[str, Any]]:
    if not _has_rows(session):
        return [{"id": None, "line_id": None, "phrase": p.text, "suggestion": p.suggestion, "kind": str(p.kind),
                 "exceptions": list(p.exceptions), "active": True} for p in DEFAULT_PHRASES]
    query = select(ForbiddenPhrase).order_by(ForbiddenPhrase.id)
    if line_id is not None:
        query = query.where(or_(ForbiddenPhrase.line_id.is_(None), ForbiddenPhrase.line_id == line_id))
    return [_out(r) for r in session.scalars(query)]


def _check_editor(viewer: User) -> None:
    if viewer.role not in ADMIN_ROLES:
        raise Forbidden("only a supervisor or an admin edits the forbidden phrases")


def _apply(session: Session, row: ForbiddenPhrase, data: dict[str, Any]) -> None:
    if "line_id" in data:
        if data["line_id"] is not None and session.get(Line, data["line_id"]) is None:
            raise Invalid("no such line", field="line_id")
        row.line_id = data["line_id"]
    for key in ("phrase", "suggestion", "kind", "exceptions", "active"):
        if key in data and data[key] is not None:
            setattr(row, key, data[key])
    try:
        checked = Phrase(row.phrase, row.suggestion or "", PhraseKind(row.kind), tuple(row.exceptions or ()))
    except PhraseError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    except ValueError:
        raise Invalid("not a kind of phrase", field="kind") from None
    row.phrase = checked.text


def add(session: Session, viewer: User, data: dict[str, Any]) -> dict[str, Any]:
    _check_editor(viewer)
    _seed(session)
    row = ForbiddenPhrase(line_id=None, phrase="", suggestion="", kind=str(PhraseKind.HURTFUL), exceptions=[],
                          active=True)
    _apply(session, row, data)
    session.add(row)
    session.flush()
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="add",
                 entity="forbidden_phrase", entity_id=row.id, detail=_out(row))
    return _out(row)


def _row(session: Session, phrase_id: int) -> ForbiddenPhrase:
    row = session.get(ForbiddenPhrase, phrase_id)
    if row is None:
        raise NotFound("no such phrase", field="phrase_id")
    return row


def update(session: Session, viewer: User, phrase_id: int, data: dict[str, Any]) -> dict[str, Any]:
    _check_editor(viewer)
    row = _row(session, phrase_id)
    _apply(session, row, data)
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="update",
                 entity="forbidden_phrase", entity_id=row.id, detail=_out(row))
    return _out(row)


def remove(session: Session, viewer: User, phrase_id: int) -> None:
    _check_editor(viewer)
    row = _row(session, phrase_id)
    detail = _out(row)
    session.delete(row)
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="delete",
                 entity="forbidden_phrase", entity_id=phrase_id, detail=detail)


def check(session: Session, text: str, line_id: int | None) -> list[dict[str, Any]]:
    return [h.as_dict() for h in check_text(text, phrases_for(session, line_id))]


def record(session: Session, user: User | None, text: str, *, text_kind: str, line_id: int | None,
           call_id: int | None = None) -> list[dict[str, Any]]:
    """Check a saved text and store one row per hit; the hits are the save's warnings."""
    hits = check(session, text, line_id)
    for hit in hits:
        session.add(PhraseHit(user_id=user.id if user else None,
                              department_id=user.department_id if user else None,
                              line_id=line_id, call_id=call_id, text_kind=text_kind, phrase=hit["phrase"]))
    return hits


def hit_counts(session: Session, start, end) -> dict[int, int]:
    """Hits per user in [start, end), for the operator figures."""
    rows = session.execute(select(PhraseHit.user_id, func.count()).where(
        PhraseHit.at >= start, PhraseHit.at < end, PhraseHit.user_id.is_not(None)).group_by(PhraseHit.user_id))
    return {uid: n for uid, n in rows}


def call_hits(session: Session, call_id: int) -> list[dict[str, Any]]:
    """The hits recorded on one call, for its reviewer."""
    rows = session.scalars(select(PhraseHit).where(PhraseHit.call_id == call_id).order_by(PhraseHit.id))
    return [{"phrase": r.phrase, "text_kind": r.text_kind, "at": r.at.isoformat(), "user_id": r.user_id}
            for r in rows]
