"""Whose catalogue a user works with, and who may edit it.

The catalogue belongs to a city hotline organisation (kind ``city_hotline``). Everyone who works
the console for such an organisation reads it; the hotline office (``OFFICE_ROLES``, supervisors
and admins) edits it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.roles import CONSOLE_ROLES, OFFICE_ROLES
from zongji.errors import Forbidden
from zongji.services.scope import scope_of
from zongji.store.models import Organisation, User

HOTLINE_KIND = "city_hotline"


def hotline_organisation(session: Session, user: User) -> Organisation:
    """The city hotline organisation ``user`` works for (the first by id when several);
    Forbidden when the user works for none or is not a console role."""
    if user.role not in CONSOLE_ROLES:
        raise Forbidden("the responsibility catalogue is read on the hotline console")
    scope = scope_of(session, user)
    query = select(Organisation).where(Organisation.kind == HOTLINE_KIND).order_by(Organisation.id)
    wanted = None if scope is None else scope.organisation_filter
    if wanted is not None:
        query = query.where(Organisation.id.in_(wanted))
    org = session.scalars(query).first()
    if org is None:
        raise Forbidden("you work for no city hotline")
    return org


def may_edit(user: User) -> bool:
    return user.role in OFFICE_ROLES


def check_editor(user: User) -> None:
    if not may_edit(user):
        raise Forbidden("only the hotline office (a supervisor or an admin) edits the catalogue")
