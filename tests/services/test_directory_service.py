"""Directory search and caller identification on the demo data (R-H2, R-H4, R-H7)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests import demo_snapshot
from zongji.demo import data as demo_data
from zongji.services import directory
from zongji.demo.data import (
    DEMO_GM_MOBILE,
    DEMO_NO_CALLS_GUEST_NAME,
    DEMO_NOT_STAYING_GUEST_MOBILE,
    DEMO_NOT_STAYING_GUEST_NAME,
    DEMO_VIP_GUEST_MOBILE,
    load_demo,
)
from zongji.store.models import AuditEntry, Department, Guest, Person, Room, Stay, User

NOW = dt.datetime(2024, 6, 3, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


@pytest.fixture
def demo(request, session_factory, settings, backend):
    return demo_snapshot.load_for(request, now=NOW)


def _search(write, q, **kw):
    with write() as s:
        return directory.search(s, q, limit=kw.pop("limit", 20), at=NOW, **kw)


def test_initials_find_the_general_manager_first(write, demo):
    results = _search(write, "zjl")
    assert results[0]["kind"] == "person"
    assert results[0]["title"] == "总经理"
    assert results[0]["phones"][0] == DEMO_GM_MOBILE


def test_full_pinyin_finds_a_person(write, demo):
    results = _search(write, "zhangwei")
    assert results[0]["name"] == "张伟" and results[0]["kind"] == "person"


def test_polyphonic_surname_is_found_by_its_surname_reading(write, demo):
    assert "曾晓东" in [r["name"] for r in _search(write, "zengxiaodong")]
    assert "单丽娟" in [r["name"] for r in _search(write, "shanlijuan")]


def test_full_width_digits_find_the_room_extension_first(write, demo):
    results = _search(write, "８３０１")
    assert results[0]["kind"] == "room"
    assert results[0]["name"] == "301" and results[0]["extension"] == "8301"
    # Searching a room never tells who is in it.
    assert all(r["kind"] != "guest" for r in results)


def test_exact_extension_ranks_first(write, demo):
    results = _search(write, "6001")
    assert results[0]["name"] == "陈国华"


def test_one_or_two_letter_queries_match_word_starts(write, demo):
    results = _search(write, "zw")
    assert results, "initials of two-character names"
    assert "张伟" in [r["name"] for r in results]
    assert _search(write, "张")[0]["name"].startswith("张")


def test_duties_find_the_handling_unit(write, demo):
    results = _search(write, "路灯")
    assert results[0]["kind"] == "department" and results[0]["name"] == "市城管局"
    assert results[0]["category"] == "handling_unit"


def test_common_numbers_by_category_and_name(write, demo):
    names = [r["name"] for r in _search(write, "铁路")]
    assert "铁路客户服务中心" in names
    assert _search(write, "12306")[0]["phones"] == ["12306"]


def test_guest_results_never_carry_a_room_number(write, demo):
    results = _search(write, "liming")
    guest = next(r for r in results if r["kind"] == "guest")
    assert guest["name"] == "李明" and guest["vip"] and guest["title"] == "李董事长"
    assert guest["extension"] is None and guest["phones"] == []
    assert demo_data.DEMO_VIP_GUEST_ROOM not in str(guest)


def test_not_staying_guest_is_never_found(write, demo):
    queries = (DEMO_NOT_STAYING_GUEST_NAME, "yangyifan", "yyf", DEMO_NOT_STAYING_GUEST_MOBILE, "杨")
    for q in queries:
        assert DEMO_NOT_STAYING_GUEST_NAME not in [r["name"] for r in _search(write, q, limit=100)], q
    # The control: once the guest lifts "not staying here", every one of those searches finds
    # them, so the absence above is the privacy rule at work and not a search that finds nothing.
    with write() as s:
        guest = s.scalar(select(Guest).where(Guest.name == DEMO_NOT_STAYING_GUEST_NAME))
        guest.privacy_level = "normal"
    for q in queries:
        assert DEMO_NOT_STAYING_GUEST_NAME in [r["name"] for r in _search(write, q, limit=100)], q


def test_no_calls_guest_is_found_with_a_warning(write, demo):
    guest = next(r for r in _search(write, DEMO_NO_CALLS_GUEST_NAME) if r["kind"] == "guest")
    assert "no calls" in guest["note"]


def test_guests_not_in_house_are_not_found(write, demo):
    with write() as s:
        gone = s.scalars(select(Guest).join(Stay, Stay.guest_id == Guest.id)
                         .where(Stay.status == "checked_out")).first()
        name = gone.name
    results = _search(write, name)
    # Another in-house guest may share the name; the checked-out one's id never appears.
    assert gone.id not in [r["id"] for r in results if r["kind"] == "guest"]


def test_search_audits_each_guest_read_for_the_user(write, demo):
    with write() as s:
        user = s.scalar(select(User).where(User.username == "operator"))
        results = directory.search(s, "liming", limit=20, user=user, at=NOW)
        guest_ids = [r["id"] for r in results if r["kind"] == "guest"]
    assert guest_ids
    with write() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "read",
                                                  AuditEntry.entity == "guest")).all()
        assert {r.entity_id for r in rows} == {str(i) for i in guest_ids}
        assert all(r.actor == "user:operator" for r in rows)


def test_unit_handlers_never_see_guests(write, demo):
    with write() as s:
        operator = s.scalar(select(User).where(User.username == "operator"))
        unit = s.scalar(select(User).where(User.username == "unit"))
        # The same search finds the guest for an operator, so an empty answer is not a pass.
        assert any(r["kind"] == "guest" for r in directory.search(s, "liming", limit=20, user=operator, at=NOW))
        results = directory.search(s, "liming", limit=20, user=unit, at=NOW)
        assert all(r["kind"] != "guest" for r in results)
        # The unit handler's search still works: it finds a handling unit.
        assert "市城管局" in [r["name"] for r in directory.search(s, "路灯", limit=20, user=unit, at=NOW)]


def test_search_refuses_bad_input_naming_the_field(write, demo):
    from zongji.errors import ZongjiError

    with write() as s:
        for q, kw, field in (("   ", {}, "q"), ("x" * 101, {}, "q"), ("zjl", {"limit": 0}, "limit"),
                             ("zjl", {"limit": 1000}, "limit")):
            with pytest.raises(ZongjiError) as exc:
                directory.search(s, q, **kw)
            assert exc.value.field == field


def test_like_wildcards_are_literal(write, demo):
    assert _search(write, "%") == []
    assert _search(write, "_") == []


# --------------------------------------------------------------------------- identification


def _identify(write, number, at=NOW):
    with write() as s:
        return directory.identify_caller(s, number, at=at)


def test_vip_guest_mobile_with_country_code_and_spaces(write, demo):
    m = DEMO_VIP_GUEST_MOBILE
    who = _identify(write, f"+86 {m[:3]} {m[3:7]} {m[7:]}")
    assert who.kind == "guest" and who.vip
    assert who.title == "李董事长" and "李董事长" in who.label
    assert who.normalized_number == m
    # Calling from a mobile, the room is not shown.
    assert who.room_number is None


def test_guest_calling_from_their_room_extension(write, demo):
    who = _identify(write, "8" + demo_data.DEMO_VIP_GUEST_ROOM)
    assert who.kind == "guest" and who.name == "李明"
    assert who.room_number == demo_data.DEMO_VIP_GUEST_ROOM


def test_guest_is_identified_only_while_in_house(write, demo):
    assert _identify(write, DEMO_VIP_GUEST_MOBILE, at=NOW + dt.timedelta(days=10)).kind == "unknown"
    assert _identify(write, DEMO_VIP_GUEST_MOBILE, at=NOW - dt.timedelta(days=10)).kind == "unknown"


def test_empty_room_extension_is_the_room(write, demo):
    with write() as s:
        occupied = select(Stay.room_id).where(Stay.status == "in_house")
        room = s.scalars(select(Room).where(Room.id.not_in(occupied)).order_by(Room.id)).first()
        ext, number = room.extension, room.number
    who = _identify(write, ext)
    assert who.kind == "room" and who.room_number == number


def test_manager_mobile_and_extension_carry_the_title(write, demo):
    for number in (DEMO_GM_MOBILE, "139-0200-1001", demo_data.DEMO_GM_EXTENSION):
        who = _identify(write, number)
        assert who.kind == "staff" and who.title == "总经理", number
        assert who.label == f"{demo_data.DEMO_GM_NAME} · 总经理"


def test_in_house_guest_wins_over_staff_with_the_same_number(write, demo):
    with write() as s:
        gm = s.scalar(select(Person).where(Person.mobile == DEMO_GM_MOBILE))
        vip = s.scalar(select(Guest).where(Guest.mobile == DEMO_VIP_GUEST_MOBILE))
        gm.mobile = vip.mobile
    assert _identify(write, DEMO_VIP_GUEST_MOBILE).kind == "guest"


def test_department_and_customer_numbers(write, demo):
    who = _identify(write, "020 8888 6650")
    assert who.kind == "department" and who.name == "保安部"
    who = _identify(write, "+86 136 0000 1111")
    assert who.kind == "customer" and who.title == "示例贸易有限公司"


def test_anonymous_and_unknown_numbers(write, demo):
    for raw in ("anonymous", "", "  ", "Withheld"):
        who = _identify(write, raw)
        assert who.kind == "unknown" and who.label == "未显示号码"
    assert _identify(write, "13000000000").kind == "unknown"
    assert _identify(write, "not a number").kind == "unknown"


def test_search_text_follows_changes(write, demo):
    with write() as s:
        p = s.scalar(select(Person).where(Person.name == "张伟"))
        p.name = "张大伟"
    assert _search(write, "zhangdawei")[0]["name"] == "张大伟"
    with write() as s:
        s.scalar(select(Department).where(Department.name == "工程部")).name = "设备部"
    assert "张大伟" in [r["name"] for r in _search(write, "shebeibu")]


def test_demo_loads_twice_without_duplicates(write, demo, settings):
    with write() as s:
        before = {m.__name__: s.scalar(select(func.count()).select_from(m))
                  for m in (Person, Guest, Room, Stay, User)}
        again = load_demo(s, settings, now=NOW)
    assert not again.created and demo.created
    with write() as s:
        after = {m.__name__: s.scalar(select(func.count()).select_from(m))
                 for m in (Person, Guest, Room, Stay, User)}
    assert before == after
    assert demo.rooms == 300 and demo.in_house_guests == 180 and demo.vip_guests == 10
    assert 35 <= demo.people and 35 <= demo.common_numbers
