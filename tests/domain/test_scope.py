"""Each organisation sees its own (issue 8, point 5): which lines and organisations a user works
for, and what belongs to which."""

from __future__ import annotations

import pytest

from zongji.domain.scope import (
    LineRef,
    ScopeError,
    categories_offered,
    check_line_codes,
    organisation_scope,
    scope_for,
)

HOTEL, CITY, COMPANY = 1, 2, 3
HOTEL_LINE = LineRef(id=10, code="hotel-switchboard", kind="switchboard", organisation_id=HOTEL)
LINE_12345 = LineRef(id=20, code="hotline-12345", kind="hotline_12345", organisation_id=CITY)
LINE_400 = LineRef(id=30, code="hotline-400", kind="hotline_400", organisation_id=COMPANY)
ALL = (HOTEL_LINE, LINE_12345, LINE_400)


def _codes(cats) -> set[str]:
    return {c.code for c in cats}


def test_an_operator_works_for_the_lines_assigned_and_their_organisations():
    s = scope_for("operator", assigned=[HOTEL_LINE], all_lines=ALL)
    assert not s.everything
    assert s.line_codes == {"hotel-switchboard"} and s.organisation_ids == {HOTEL}
    assert s.sees_organisation(HOTEL) and not s.sees_organisation(CITY)
    assert s.sees_line(line_id=10) and not s.sees_line(line_id=20)
    assert s.sees_line(line_code="hotel-switchboard") and not s.sees_line(line_code="hotline-12345")
    assert s.organisation_filter == {HOTEL} and s.line_filter == {10}
    assert s.handover_organisation_id == HOTEL


def test_an_admin_and_an_unassigned_user_work_for_everything():
    for s in (scope_for("admin", assigned=[HOTEL_LINE], all_lines=ALL),
              scope_for("supervisor", assigned=[], all_lines=ALL),
              scope_for("operator", assigned=[], all_lines=ALL)):
        assert s.everything and s.organisation_filter is None and s.line_filter is None
        assert all(s.sees_organisation(o) for o in (HOTEL, CITY, COMPANY))
        assert s.handover_organisation_id is None  # the shared handover


def test_a_supervisor_of_both_sees_both_and_prepares_the_shared_handover():
    s = scope_for("supervisor", assigned=[LINE_12345, HOTEL_LINE], all_lines=ALL)
    assert s.sees_organisation(HOTEL) and s.sees_organisation(CITY) and not s.sees_organisation(COMPANY)
    assert s.handover_organisation_id is None


def test_lines_that_no_longer_exist_are_ignored():
    gone = LineRef(id=99, code="gone", kind="switchboard", organisation_id=9)
    s = scope_for("operator", assigned=[gone, HOTEL_LINE], all_lines=ALL)
    assert s.line_codes == {"hotel-switchboard"}
    # Only lines that no longer exist: nothing is restricted any more, as for an unassigned user.
    assert scope_for("operator", assigned=[gone], all_lines=ALL).everything


def test_a_unit_handler_works_for_their_units_organisation():
    s = scope_for("unit_handler", assigned=[], all_lines=ALL, unit_organisation_id=CITY)
    assert s.organisation_ids == {CITY} and s.line_codes == {"hotline-12345"}
    assert not s.everything
    nobody = scope_for("unit_handler", assigned=[], all_lines=ALL, unit_organisation_id=None)
    assert nobody.organisation_ids == frozenset() and not nobody.sees_organisation(HOTEL)


def test_a_call_belongs_to_its_line_else_to_its_callers_organisation():
    hotel = scope_for("operator", assigned=[HOTEL_LINE], all_lines=ALL)
    city = scope_for("operator", assigned=[LINE_12345], all_lines=ALL)
    assert hotel.sees_call(line_id=10, caller_organisation_id=None)
    assert not hotel.sees_call(line_id=20, caller_organisation_id=HOTEL)  # the line decides
    # A room call (no line): the room's organisation.
    assert hotel.sees_call(line_id=None, caller_organisation_id=HOTEL)
    assert not city.sees_call(line_id=None, caller_organisation_id=HOTEL)
    # Nobody can tell whose: shown to every console rather than left unanswered.
    assert hotel.sees_call(line_id=None, caller_organisation_id=None)
    assert city.sees_call(line_id=None, caller_organisation_id=None)


def test_a_call_without_a_line_is_offered_the_categories_of_the_users_lines():
    hotel = scope_for("operator", assigned=[HOTEL_LINE], all_lines=ALL)
    offered = _codes(categories_offered(None, hotel))
    assert {"guest_service", "wake_up", "transfer_request"} <= offered
    assert not offered & {"recruitment", "request", "suggestion"}  # 招聘, 一般诉求, 建议
    # A call of a line: its line's categories, whoever looks.
    assert _codes(categories_offered("hotline_12345", hotel)) >= {"request", "suggestion"}
    both = scope_for("supervisor", assigned=[HOTEL_LINE, LINE_12345], all_lines=ALL)
    assert {"guest_service", "request"} <= _codes(categories_offered(None, both))
    assert "recruitment" not in _codes(categories_offered(None, both))
    every = scope_for("admin", assigned=[], all_lines=ALL)
    assert {"guest_service", "request", "recruitment"} <= _codes(categories_offered(None, every))
    assert _codes(categories_offered(None, None)) == _codes(categories_offered(None, every))


def test_an_organisations_handover_holds_its_lines_and_records():
    s = organisation_scope(CITY, ALL)
    assert s.line_codes == {"hotline-12345"} and s.organisation_ids == {CITY}
    assert not s.sees_organisation(HOTEL) and not s.sees_line(line_id=10)
    # An organisation without a line still owns its records.
    lonely = organisation_scope(7, ALL)
    assert lonely.lines == () and lonely.sees_organisation(7) and not lonely.sees_organisation(HOTEL)


def test_line_codes_to_assign_are_checked_and_name_the_field():
    known = {"hotel-switchboard", "hotline-12345"}
    assert check_line_codes([" hotel-switchboard ", "hotel-switchboard"], known) == ("hotel-switchboard",)
    assert check_line_codes([], known) == ()
    with pytest.raises(ScopeError) as e:
        check_line_codes(["hotel-switchboard", "fax"], known)
    assert e.value.field == "lines[1]" and "fax" in str(e.value)
    with pytest.raises(ScopeError) as e:
        check_line_codes([""], known)
    assert e.value.field == "lines[0]"
