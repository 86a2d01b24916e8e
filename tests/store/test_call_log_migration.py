"""Migration 0027 (issue 18): the number keys of calls and orders written before it are filled in,
so the new search finds them, on both databases."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.store import test_migrations
from zongji.domain.caller_id import reversed_digits, search_digits
from zongji.store.db import make_engine
from zongji.store.migrate import upgrade

fresh_db_url = test_migrations.fresh_db_url  # the fixture: an empty database of its own
NUMBERS = ["13800138000", "+86 139 0139 0001", "0086-137-0013-7000", "8613600136000", "sip:8301@pbx",
           "020-8888 6666", "", "anonymous", "+442071234567"]


def test_existing_calls_and_orders_get_their_keys(fresh_db_url):
    upgrade(fresh_db_url, "0026")
    engine = make_engine(fresh_db_url)
    with Session(engine) as s:
        s.execute(text("INSERT INTO calls (direction, calling_number, called_number, state, caller_kind, "
                       "caller_vip, supplementary, created_at, updated_at) VALUES ('in', :n, '12345', "
                       "'ended', 'unknown', false, false, :t, :t)"),
                  [{"n": n, "t": "2026-11-01 00:00:00"} for n in NUMBERS * 700])  # more than one batch
        for i, n in enumerate(NUMBERS):
            s.execute(text("INSERT INTO work_orders (number, order_type, urgency, status, caller_number, "
                           "contact_consent, channel, description, supervised, state, version, created_at, "
                           "updated_at) VALUES (:no, 'request', 'normal', 'created', :n, true, 'phone', '', "
                           "false, '{}', 1, :t, :t)"), {"no": f"20261101-{i:04d}", "n": n, "t": "2026-11-01 00:00:00"})
        s.commit()
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with Session(engine) as s:
        calls = s.execute(text("SELECT calling_number, calling_digits, calling_digits_rev, called_digits, "
                               "called_digits_rev FROM calls")).all()
        orders = s.execute(text("SELECT caller_number, caller_digits, caller_digits_rev FROM work_orders")).all()
    engine.dispose()
    assert len(calls) == len(NUMBERS) * 700
    for number, a, a_rev, b, b_rev in calls:
        assert (a, a_rev, b, b_rev) == (search_digits(number), reversed_digits(search_digits(number)),
                                        "12345", "54321"), number
    assert {o[0]: o[1:] for o in orders} == {
        n: (search_digits(n), reversed_digits(search_digits(n))) for n in NUMBERS}
