"""Rating rules of call charges (issue 13 point 4, R-H10): what a dialled number is, the amount
with per-minute or six-second rounding, minimum charge, grace and surcharge; the charge's states."""

from __future__ import annotations

import pytest

from zongji.domain.charges import posting
from zongji.domain.charges.destination import Rate, classify, digits, parse_free_numbers
from zongji.domain.charges.rating import Tariff, fen, price

RATES = [Rate(1, "idd", "001", "美国、加拿大", 800, 1), Rate(2, "idd", "0044", "英国", 800, 1),
         Rate(3, "idd", "00852", "香港", 300, 1), Rate(4, "idd", "00", "其他国家", 1200, 1),
         Rate(5, "ddd", "0", "国内长途", 120, 1), Rate(6, "ddd", "010", "北京", 100, 2)]
FREE = parse_free_numbers("110,112,119,120，122 800*")


def kind(number, **kw):
    return classify(number, rates=RATES, free=FREE, **kw)


@pytest.mark.parametrize("number,expected,code", [
    ("00442071234567", "idd", "0044"),
    ("+44 20 7123 4567", "idd", "0044"),
    ("０１０－８８８８８８８８", "ddd", "010"),   # full-width digits and dash, as phones send them
    ("00852 2345 6789", "idd", "00852"),       # longest dial code wins over 00
    ("0033123456789", "idd", "00"),
    ("02187654321", "ddd", "0"),
    ("13800138000", "mobile", None),
    ("83456789", "local", None),
    ("110", "free", None),
    ("8001234567", "free", None),
    ("80012345", "local", None),               # an 8-digit local number beginning with 800 is not toll-free
    ("8208", "internal", None),
    ("", "unknown", None),
])
def test_destinations(number, expected, code):
    d = kind(number)
    assert d.kind == expected
    assert (d.rate.dial_code if d.rate else None) == code


def test_own_area_code_dialled_in_full_is_local_and_outside_prefix_is_removed():
    assert kind("02083456789", local_area_code="020").kind == "local"
    assert kind("02183456789", local_area_code="020").kind == "ddd"
    assert digits("900442071234567", outside_prefix="9") == "00442071234567"
    assert kind("900442071234567", outside_prefix="9").kind == "idd"
    assert digits("9110", outside_prefix="9") == "9110"  # too short to carry a prefix: left alone


def test_no_rate_for_an_international_number_is_unknown_not_guessed():
    d = classify("0033123456789", rates=[r for r in RATES if r.dial_code != "00"], free=FREE)
    assert d.kind == "unknown" and d.rate is None


def test_price_per_started_minute_with_minimum():
    uk = kind("00442071234567")
    assert price(uk, 61, Tariff()).amount_fen == 1600       # 2 started minutes at 8 yuan
    assert price(uk, 60, Tariff()).amount_fen == 800
    beijing = kind("01088888888")
    assert price(beijing, 10, Tariff()).amount_fen == 200   # minimum 2 minutes at 1 yuan
    assert price(beijing, 10, Tariff()).units == 2


def test_price_per_six_seconds_rounds_once_at_the_end():
    t = Tariff(rounding="six_seconds")
    uk = kind("00442071234567")
    p = price(uk, 67, t)
    assert (p.units, p.amount_fen) == (12, 960)             # 12 six-second steps of 80 fen
    hk = kind("0085223456789")
    assert price(hk, 61, t).amount_fen == 330               # 11 steps × 30 fen
    assert price(hk, 5, t).units == 10                      # the minimum minute is ten steps


def test_not_talked_free_grace_and_surcharge():
    uk = kind("00442071234567")
    assert price(uk, 0, Tariff()) is None
    assert price(uk, None, Tariff()) is None
    assert price(kind("110"), 300, Tariff()) is None
    assert price(kind("8208"), 300, Tariff()) is None
    assert price(uk, 5, Tariff(grace_seconds=5)) is None
    assert price(uk, 6, Tariff(grace_seconds=5)).amount_fen == 800
    assert price(uk, 60, Tariff(service_percent=15)).amount_fen == 920
    assert price(kind("13800138000"), 90, Tariff(mobile_per_minute_fen=35)).amount_fen == 70


def test_fen_is_exact_for_decimal_prices():
    assert fen(1.15) == 115
    assert fen("0.35") == 35
    assert fen(8.0) == 800


def test_charge_states():
    assert posting.apply("queued", "hand_over") == "pending"
    assert posting.apply("pending", "pms_posted") == "posted"
    assert posting.apply("pending", "pms_unavailable") == "queued"
    assert posting.apply("refused", "requeue") == "queued"
    assert posting.apply("no_stay", "post_by_hand") == "by_hand"
    assert posting.apply("unrated", "write_off") == "written_off"
    for state, action in (("posted", "write_off"), ("free", "requeue"), ("account", "hand_over"),
                          ("written_off", "requeue"), ("queued", "unknown")):
        with pytest.raises(posting.NotAllowed):
            posting.apply(state, action)
    assert set(posting.NOT_POSTED) | set(posting.SETTLED) == set(posting.STATES)


def test_who_pays_and_the_monthly_cap():
    from zongji.domain.charges.caps import CapState, cap_actions, person_part

    assert person_part(1000, "unit", 0) == 0
    assert person_part(1000, "person", 0) == 1000
    assert person_part(1005, "share", 30) == 302          # half up, in fen
    assert person_part(1000, "share", 150) == 1000
    fresh = CapState("2026-12", None, False, None)
    assert cap_actions(7900, 10000, 80, fresh) == []
    assert cap_actions(8000, 10000, 80, fresh) == ["warn"]
    assert cap_actions(10000, 10000, 80, fresh) == ["warn", "bar"]
    warned = CapState("2026-12", "2026-12", False, None)
    assert cap_actions(10500, 10000, 80, warned) == ["bar"]
    assert cap_actions(12000, 10000, 80, CapState("2026-12", "2026-12", True, None)) == []
    assert cap_actions(12000, 10000, 80, CapState("2026-12", "2026-12", False, "2026-12")) == []  # lifted
    assert cap_actions(12000, 10000, 80, CapState("2026-12", "2026-11", False, "2026-11")) == ["warn", "bar"]
    assert cap_actions(12000, None, 80, fresh) == []
