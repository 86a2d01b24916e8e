"""Who may open the live socket, and who they are to it (issue 9: decided in the domain, the
socket's router only asks)."""

from __future__ import annotations

import pytest

from zongji.domain.live_feed import may_connect, may_receive, viewer_for
from zongji.domain.roles import CONSOLE_ROLES, Role
from zongji.domain.scope import LineRef, scope_for

HOTEL_LINE = LineRef(id=10, code="hotel-switchboard", kind="switchboard", organisation_id=1)
LINE_12345 = LineRef(id=20, code="hotline-12345", kind="hotline_12345", organisation_id=2)
ALL = (HOTEL_LINE, LINE_12345)


@pytest.mark.parametrize("role", sorted(CONSOLE_ROLES))
def test_every_console_role_may_connect(role):
    assert may_connect(role)


def test_a_unit_handler_may_connect_and_nobody_else():
    assert may_connect(Role.UNIT_HANDLER)
    assert may_connect("unit_handler")
    others = {r for r in Role} - set(CONSOLE_ROLES) - {Role.UNIT_HANDLER}
    assert not any(may_connect(r) for r in others)
    assert not may_connect("nobody")


def test_a_unit_handlers_unit_is_their_department():
    v = viewer_for(user_id=7, role=Role.UNIT_HANDLER, department_id=3, scope=None, token_hash="h")
    assert (v.user_id, v.role, v.unit_id, v.token_hash, v.line_codes) == (7, "unit_handler", 3, "h", None)


def test_a_console_users_department_is_no_unit():
    v = viewer_for(user_id=1, role="operator", department_id=3, scope=None, token_hash="h")
    assert v.unit_id is None


def test_the_lines_are_the_scopes_unless_it_is_everything():
    mine = scope_for("operator", assigned=[HOTEL_LINE], all_lines=ALL)
    v = viewer_for(user_id=1, role="operator", department_id=None, scope=mine, token_hash="h")
    assert v.line_codes == frozenset({"hotel-switchboard"})
    every = scope_for("admin", assigned=[], all_lines=ALL)
    assert viewer_for(user_id=1, role="admin", department_id=None, scope=every, token_hash="h").line_codes is None
    call_12345 = {"topic": "call", "payload": {"line": {"code": "hotline-12345"}}}
    assert not may_receive(v, call_12345)
