"""Issue 8: rooms in the order people read them (201 < 1001, A3 < A12), not as text."""

from __future__ import annotations

from zongji.domain.room_numbers import room_sort_key


def test_numbers_sort_as_numbers_and_letters_as_text():
    rooms = ["1001", "201", "A12", "a3", "808", "B1", "12A", "12", "1206"]
    assert sorted(rooms, key=room_sort_key) == ["12", "12A", "201", "808", "1001", "1206", "a3", "A12", "B1"]


def test_the_key_is_total_and_stable_for_odd_numbers():
    rooms = ["", "  201 ", "0201", "201", "201-1", "201-10", "201-2"]
    assert sorted(rooms, key=room_sort_key) == ["", "0201", "  201 ", "201", "201-1", "201-2", "201-10"]


def test_a_room_typed_with_full_width_digits_spaces_or_a_suffix_is_the_room():
    from zongji.domain.room_numbers import normalize_room

    assert normalize_room("３０１") == "301"
    assert normalize_room(" 3\u30000 1 ") == "301"
    assert normalize_room("301房") == normalize_room("３０１房间") == normalize_room("301号") == "301"
    assert normalize_room("Ａ３") == "A3"
    assert normalize_room("房") == "房" and normalize_room(None) == ""
