"""The call log's number search and paging that do not grow with history (issue 18), on SQLite and
PostgreSQL.

The number search reads digit keys by their beginning or end; the rows it finds are compared with
what the old ``LIKE '%…%'`` on the stored numbers found, in the same database: the same for a full
number, its last digits and its first digits, the only rows left out being those where the digits
typed appear only in the middle of a number. Keyset pages walk the whole log, forwards and back,
without a duplicate or a gap, also through calls ringing at the same instant.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random

from sqlalchemy import insert, or_, select

from zongji.domain.caller_id import normalize_number, search_digits
from zongji.domain.work_orders.state import WorkOrderState
from zongji.domain.work_orders.words import OrderType
from zongji.services import calls as service
from zongji.services.work_orders import listing
from zongji.services.work_orders.stored_state import state_to_json
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import Call, User
from zongji.store.work_order_models import WorkOrder

TZ = dt.timezone(dt.timedelta(hours=8))


def _mobile(rnd: random.Random) -> str:
    return f"1{rnd.choice('3456789')}{rnd.randint(0, 999_999_999):09d}"


def _stored_forms(rnd: random.Random) -> list[str]:
    """Numbers as PBXs send them: bare, with +86/0086/86, landlines, extensions, URIs, abroad."""
    out = []
    for _ in range(160):
        m = _mobile(rnd)
        out.append(rnd.choice([m, m, "+86" + m, "0086" + m, "86" + m]))
    for _ in range(30):
        out.append(rnd.choice(["010", "020", "0755"]) + f"{rnd.randint(0, 99_999_999):08d}")
    out += [f"{rnd.randint(8000, 8999)}" for _ in range(15)]
    out += ["4008001234", "12345", "sip:8301@pbx.local", "tel:+8613800138000", "+442071234567",
            "", "anonymous", "13800138000", "+8613800138000", "13813813813"]
    return out


def _seed_calls(write, numbers: list[str], rnd: random.Random) -> None:
    t0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with write() as s:
        s.execute(insert(Call), [
            {"direction": "in", "calling_number": n, "called_number": rnd.choice(["12345", "4008001234", "8000"]),
             "state": "ended", "ringing_at": t0 + dt.timedelta(minutes=i), "caller_kind": "unknown"}
            for i, n in enumerate(numbers)])


def _like_ids(session, typed: str) -> set[int]:
    """The old search, as it was: ``LIKE '%…%'`` on either number as stored."""
    number = service.clean_number(typed, "number")
    like = "%" + number.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
    return set(session.scalars(select(Call.id).where(or_(Call.calling_number.like(like, escape="\\"),
                                                         Call.called_number.like(like, escape="\\")))))


def _new_ids(session, typed: str) -> set[int]:
    ids, cursor = set(), None
    while True:
        page = service.list_calls(session, service.CallFilter(number=typed), tz=TZ, page_size=200, cursor=cursor)
        ids |= {c["id"] for c in page["items"]}
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def _only_inside(stored: str, typed: str) -> bool:
    """``typed``'s digits are in ``stored`` but neither at the start of its key (the number
    without a country code) nor at its end: inside the number, or across the country code."""
    key, q = search_digits(stored), search_digits(typed)
    return q in "".join(ch for ch in stored if ch.isdigit()) and not key.startswith(q) and not key.endswith(q)


def test_search_keys_read_numbers_as_caller_id_does():
    assert search_digits("+86 138 0013 8000") == search_digits("0086-13800138000") == "13800138000"
    assert search_digits("8613800138000") == search_digits("１３８００１３８０００") == "13800138000"
    assert search_digits("020-8888 6666") == "02088886666"
    assert search_digits("+86 20 8888 6666") == "2088886666"  # never a trunk 0 added: a tail of the digits
    assert search_digits("sip:8301@10.0.0.1;user=phone") == "8301"
    assert search_digits("+44 20 7123 4567") == "442071234567"
    assert search_digits("anonymous") == search_digits("") == search_digits(None) == ""
    # Every form caller identification reads as one mobile or 400 number has that number's key.
    for number in ("13800138000", "4008001234"):
        forms = normalize_number(number).variants()
        assert len(forms) > 3 and {search_digits(v) for v in forms} == {number}, forms


def test_lookups_find_what_like_found(write, session_factory):
    rnd = random.Random(18)
    numbers = _stored_forms(rnd)
    _seed_calls(write, numbers, rnd)
    stored = {n for n in numbers if search_digits(n)}
    mobiles = [n for n in stored if len(search_digits(n)) == 11 and search_digits(n)[0] == "1"]
    # Full numbers as they are written without a country code (with one, see below).
    full = [n for n in sorted(stored)[::7] if not n.startswith(("+86", "0086", "86", "tel:+86"))] \
        + ["13800138000", "8301", "02012345678"]
    tails = [search_digits(n)[-k:] for n in sorted(stored)[::5] for k in (4, 6, 8) if len(search_digits(n)) > k]
    heads = ["1381", "139", "0755", "020", "400"] + [search_digits(m)[:5] for m in mobiles[:10]]
    with session_factory() as s:
        by_id = dict(s.execute(select(Call.id, Call.calling_number)).all())
        checked = 0
        for typed in full + tails + heads:
            old, new = _like_ids(s, typed), _new_ids(s, typed)
            if typed in full:
                assert new == old, typed
            # Everything found was found before; whatever is no longer found had the digits only
            # inside a number (documented in the API and the README).
            assert new <= old, (typed, sorted(by_id[i] for i in new - old))
            assert all(_only_inside(by_id[i], typed) for i in old - new), \
                (typed, sorted(by_id[i] for i in old - new))
            checked += bool(old)
        assert checked > 40
        # A number typed with spaces or dashes, full-width or with the country code finds the
        # same calls as its digits: with +86 it finds more than LIKE did (the bare number too).
        same = _new_ids(s, "13800138000")
        assert len(same) == 3  # 13800138000, +8613800138000, tel:+8613800138000
        assert _new_ids(s, "138-0013-8000") == _new_ids(s, "＋86 138 0013 8000") == same
        assert _like_ids(s, "+8613800138000") < same
        assert _new_ids(s, "+86138") == _new_ids(s, "0086138") == _new_ids(s, "138")
        assert _new_ids(s, "8000") >= same and not _new_ids(s, "0013")  # "0013" only ever inside


def test_keys_follow_every_writer(write, session_factory, client, cti_token, login):
    """The CTI writer (insert and the number a later newCall corrects), the supplementary record
    and bulk inserts all fill the keys."""
    headers = {"Authorization": f"Bearer {cti_token}"}
    at = "2026-11-02T09:00:00+08:00"
    assert client.post("/api/cti/events", headers=headers, json={
        "event": "newCall", "callId": "k1", "from": "13900000000", "to": "12345", "direction": "in",
        "at": at}).status_code == 202
    assert client.post("/api/cti/events", headers=headers, json={
        "event": "newCall", "callId": "k1", "from": "+86 139 0139 0001", "to": "12345", "direction": "in",
        "at": at}).status_code == 202
    login("operator")
    r = client.post("/api/calls/supplementary", json={
        "occurred_at": at, "direction": "in", "calling_number": "020-8888 6666", "talk_seconds": 30,
        "outcome": "answered"})
    assert r.status_code in (200, 201), r.text
    with session_factory() as s:
        rows = {c.calling_number: (c.calling_digits, c.calling_digits_rev, c.called_digits)
                for c in s.scalars(select(Call))}
    assert rows["+86 139 0139 0001"] == ("13901390001", "10009310931", "12345")
    assert rows["02088886666"][:2] == ("02088886666", "66668888020")
    assert client.get("/api/calls", params={"number": "0001"}).json()["total"] == 1
    assert client.get("/api/calls", params={"number": "020 8888"}).json()["total"] == 1


def _seed_same_instants(write, n: int) -> list[int]:
    """``n`` calls on few instants (many ring at the same microsecond), ids not in time order."""
    t0 = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
    rnd = random.Random(7)
    with write() as s:
        s.execute(insert(Call), [
            {"direction": "in", "calling_number": "13800138000", "called_number": "12345", "state": "ended",
             "ringing_at": t0 + dt.timedelta(seconds=rnd.choice([0, 0, 0, 1, 5, 5, 9])), "caller_kind": "unknown"}
            for _ in range(n)])
    with write() as s:
        return list(s.scalars(select(Call.id).order_by(Call.ringing_at.desc(), Call.id.desc())))


def test_cursor_pages_walk_the_whole_log_without_duplicates_or_gaps(write, session_factory):
    expected = _seed_same_instants(write, 93)
    f = service.CallFilter()
    with session_factory() as s:
        seen, cursor, pages = [], None, []
        while True:
            page = service.list_calls(s, f, tz=TZ, page_size=10, cursor=cursor)
            pages.append(page)
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected and len(pages) == 10
        assert pages[0]["prev_cursor"] is None and pages[-1]["next_cursor"] is None
        assert all(p["total"] == 93 and p["total_exact"] and p["page"] is None for p in pages[1:])
        # Back from the last page to the first by prev_cursor: the same pages.
        back, cursor = [], pages[-1]["prev_cursor"]
        while cursor is not None:
            page = service.list_calls(s, f, tz=TZ, page_size=10, cursor=cursor)
            back.insert(0, [c["id"] for c in page["items"]])
            cursor = page["prev_cursor"]
        assert [i for ids in back for i in ids] + [c["id"] for c in pages[-1]["items"]] == expected
        # Page numbers still work, and give the same pages.
        by_number = service.list_calls(s, f, tz=TZ, page_size=10, page=3)
        assert [c["id"] for c in by_number["items"]] == expected[20:30]
        nxt = service.list_calls(s, f, tz=TZ, page_size=10, cursor=by_number["next_cursor"])
        assert [c["id"] for c in nxt["items"]] == expected[30:40]


def test_total_is_exact_only_up_to_the_cap(write, session_factory, monkeypatch):
    _seed_same_instants(write, 12)
    monkeypatch.setattr(service, "COUNT_EXACT_MAX", 10)
    with session_factory() as s:
        page = service.list_calls(s, service.CallFilter(), tz=TZ, page_size=5)
        assert (page["total"], page["total_exact"]) == (10, False)
        page = service.list_calls(s, service.CallFilter(date_to="2026-11-03T08:00:03+08:00"), tz=TZ, page_size=5)
        assert page["total_exact"] and 0 < page["total"] < 10


def _cursor(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def test_a_bad_cursor_is_refused_naming_cursor(client, login):
    login("operator")
    for cursor in [
        "garbage", "!!", "x" * 201, _cursor({"d": "sideways", "t": "2026-11-03T00:00:00+00:00", "i": 1}),
        _cursor({"d": "next", "t": "2026-11-03T00:00:00", "i": 1}), _cursor({"d": "next", "t": "soon", "i": 1}),
        _cursor({"d": "next", "t": "2026-11-03T00:00:00+00:00", "i": "1"}), _cursor([1, 2]),
        _cursor({"d": "next", "t": "2026-11-03T00:00:00+00:00", "i": 2 ** 70}),
        _cursor({"d": "next", "t": "0001-01-01T00:00:00+14:00", "i": 1}), _cursor({"d": "next", "t": 5, "i": 1}),
        "eyJkIjoibmV4dCJ9x",  # base64 of a different length
    ]:
        r = client.get("/api/calls", params={"cursor": cursor})
        assert r.status_code in (400, 422), (cursor, r.text)
        assert r.json()["fields"][0]["field"] == "cursor", (cursor, r.text)
    ok = _cursor({"d": "prev", "t": "2026-11-03T00:00:00+00:00", "i": 1})
    assert client.get("/api/calls", params={"cursor": ok}).status_code == 200


def test_order_search_by_number_and_the_keys_follow_edits(write, session_factory, make_user):
    username, _ = make_user("supervisor")
    at = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    state = state_to_json(WorkOrderState(order_type=OrderType.REQUEST, created_at=at))
    with write() as s:
        for k, number in enumerate(["13800138000", "+86 139 0139 0001", None, "020-8888 6666"]):
            s.add(WorkOrder(number=f"20261102-{k + 1:04d}", order_type="request", status="created",
                            created_at=at, state=state, caller_number=number, description="路灯不亮 0001"))
    with write() as s:
        viewer = Viewer.of(s.scalar(select(User).where(User.username == username)))
        order = s.scalar(select(WorkOrder).where(WorkOrder.number == "20261102-0001"))
        order.caller_number = "13700137000"  # corrected afterwards: the keys follow

    def found(q):
        with session_factory() as s:
            return sorted(o["number"][-1] for o in listing.list_orders(s, viewer, tz=TZ, q=q)["items"])

    assert found("20261102-0003") == ["3"]
    assert found("0001") == ["2"]  # the caller's number, not the description's words
    assert found("139 0139 0001") == found("+8613901390001") == ["2"]
    assert found("138") == [] and found("137") == ["1"] and found("6666") == ["4"]
    assert found("路灯") == ["1", "2", "3", "4"]  # words: anywhere, as before
