"""Phone numbers as PBXs and people write them, and which record wins a number (R-H2)."""

import datetime as dt

import pytest

from zongji.domain.caller_id import (
    CallerIdentity,
    best_match,
    normalize_number,
    stay_in_house,
    storage_form,
)


@pytest.mark.parametrize("raw, digits, kind", [
    ("+86 138 0013 8000", "13800138000", "mobile"),
    ("0086-13800138000", "13800138000", "mobile"),
    ("8613800138000", "13800138000", "mobile"),
    ("１３８ ００１３ ８０００", "13800138000", "mobile"),
    ("(138)0013-8000", "13800138000", "mobile"),
    ("020-8888 6666", "02088886666", "landline"),
    ("(020)88886666", "02088886666", "landline"),
    ("+86 20 8888 6666", "02088886666", "landline"),
    ("0755-12345678", "075512345678", "landline"),
    ("8301", "8301", "extension"),
    ("８３０１", "8301", "extension"),
    ("sip:8301@pbx.local", "8301", "extension"),
    ("400-800-1234", "4008001234", "service"),
    ("88886666", "88886666", "local"),
    ("+44 20 7946 0958", "+442079460958", "international"),
    ("anonymous", "", "anonymous"),
    ("Withheld", "", "anonymous"),
    ("", "", "anonymous"),
    (None, "", "anonymous"),
    ("abc", "", "invalid"),
    ("12", "", "invalid"),
])
def test_normalize_number(raw, digits, kind):
    n = normalize_number(raw)
    assert (n.digits, n.kind) == (digits, kind)


def test_landline_area_codes():
    assert normalize_number("020-88886666").area_code == "020"
    assert normalize_number("010 12345678").area_code == "010"
    assert normalize_number("0755 12345678").area_code == "0755"


def test_variants_cover_stored_forms():
    v = normalize_number("13800138000").variants()
    assert "+8613800138000" in v and "138 0013 8000" in v
    assert "020-88886666" in normalize_number("02088886666").variants()


def test_storage_form():
    assert storage_form(" +86 139-0200-1001 ") == "13902001001"
    assert storage_form("") is None
    with pytest.raises(ValueError):
        storage_form("not a number")


def _id(kind, ref_id, *, manager=False, vip=False):
    return CallerIdentity(kind=kind, ref_id=ref_id, label=f"{kind}{ref_id}", vip=vip,
                          is_manager=manager)


def test_matching_rule_guest_then_managers_then_staff_department_customer():
    n = normalize_number("13800138000")
    cands = [_id("customer", 1), _id("department", 2), _id("staff", 3),
             _id("staff", 4, manager=True), _id("guest", 5)]
    assert best_match(cands, n).kind == "guest"
    assert best_match(cands[:4], n).ref_id == 4  # the manager
    assert best_match(cands[:3], n).ref_id == 3
    assert best_match(cands[:2], n).kind == "department"
    assert best_match(cands[:1], n).kind == "customer"
    assert best_match([], n).kind == "unknown"
    assert best_match([_id("guest", 9), _id("guest", 8, vip=True)], n).ref_id == 8


def test_to_dict_has_the_contract_fields():
    d = _id("staff", 1, manager=True).to_dict()
    assert set(d) == {"kind", "ref_id", "name", "title", "vip", "label", "department", "detail",
                      "privacy_level", "room_number", "normalized_number"}


def test_stay_in_house():
    t0 = dt.datetime(2024, 6, 1, 6, tzinfo=dt.UTC)
    arr, dep = t0 - dt.timedelta(days=1), t0 + dt.timedelta(days=1)
    assert stay_in_house("in_house", arr, dep, t0)
    assert not stay_in_house("expected", arr, dep, t0)
    assert not stay_in_house("in_house", t0 + dt.timedelta(hours=1), dep, t0)
    assert not stay_in_house("checked_out", arr, dep, dep + dt.timedelta(hours=1))
    assert stay_in_house("checked_out", arr, dep, t0)
