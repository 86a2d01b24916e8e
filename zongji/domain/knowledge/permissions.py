"""Who may change an article (issue 11, point 1). Pure.

The hotline office (supervisors, admins) edits directly and decides proposals. A handling unit's
user may only propose: changes to articles its own unit owns, and new articles for its unit.
Everyone who logs in reads.
"""

from __future__ import annotations

from enum import StrEnum

from zongji.domain.roles import OFFICE_ROLES, UNIT_ROLES


class Access(StrEnum):
    EDIT = "edit"  # change directly, a new version at once
    PROPOSE = "propose"  # a proposal the office approves or rejects
    NONE = "none"


def change_access(role: str, user_unit_id: int | None, article_unit_id: int | None) -> Access:
    """What ``role`` may do to an existing article owned by ``article_unit_id``."""
    if role in OFFICE_ROLES:
        return Access.EDIT
    if role in UNIT_ROLES and user_unit_id is not None and user_unit_id == article_unit_id:
        return Access.PROPOSE
    return Access.NONE


def create_access(role: str, user_unit_id: int | None, unit_id: int | None) -> Access:
    """What ``role`` may do to create an article owned by ``unit_id`` (None: the office's own)."""
    return change_access(role, user_unit_id, unit_id)


def may_decide(role: str) -> bool:
    """Approve or reject a proposal."""
    return role in OFFICE_ROLES


def may_edit_synonyms(role: str) -> bool:
    return role in OFFICE_ROLES
