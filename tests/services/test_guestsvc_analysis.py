"""The guest-service centre's analysis (R-G3, R-G6) on both databases: what guests asked for,
borrowed and called engineering about in a week or a month, what staff called the switchboard
about, the share answered in time and satisfied, and the trend of the periods before."""

from __future__ import annotations

import datetime as dt

from zongji.services.guestsvc import analysis
from zongji.store.guestsvc_models import GsItem, GsRequest
from zongji.store.models import Call, Organisation, Room

TZ_DAY = dt.date(2026, 12, 2)  # a Wednesday: the week is 30 Nov – 6 Dec


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.UTC)


def test_a_week_and_a_month_of_the_centre(write, session_factory, settings):
    with write() as s:
        org = Organisation(code="h", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        room = Room(organisation_id=org.id, number="1206", floor=12, extension="81206")
        s.add(room)
        items = {k: GsItem(name_zh=zh, name_en=k, team=team, kind=kind, target_minutes=10)
                 for k, zh, team, kind in (("towels", "加毛巾", "housekeeping", "service"),
                                           ("adaptor", "借转换插头", "housekeeping", "loan"),
                                           ("ac", "空调不会用", "engineering", "service"))}
        s.add_all(items.values())
        s.flush()

        def req(key, day, hour, *, accepted_after=None, result=None, quantity=1):
            it = items[key]
            created = _at(day, hour)
            s.add(GsRequest(item_id=it.id, item_name=it.name_zh, team=it.team, kind=it.kind, target_minutes=10,
                            quantity=quantity, room_id=room.id, created_at=created, created_by="op",
                            accepted_at=created + dt.timedelta(minutes=accepted_after) if accepted_after is not None else None,
                            follow_up_result=result, state="done"))

        req("towels", TZ_DAY, 9, accepted_after=3, result="satisfied")
        req("towels", TZ_DAY, 10, accepted_after=12, result="not_satisfied")   # late
        req("towels", dt.date(2026, 12, 6), 23, accepted_after=5)              # Sunday night: same week
        req("adaptor", TZ_DAY, 11, accepted_after=2, result="satisfied", quantity=2)
        req("ac", dt.date(2026, 12, 1), 20, accepted_after=8, result="satisfied")
        req("ac", dt.date(2026, 12, 7), 8)                                     # next Monday: not this week
        req("towels", dt.date(2026, 11, 25), 9, accepted_after=1)              # last week
        for n, (kind, cat) in enumerate((("staff", "information"), ("staff", "information"), ("staff", "transfer_request"),
                                                 ("guest", "information"))):
            s.add(Call(external_id=f"sc{n}", direction="in", calling_number=f"60{n}", called_number="8000",
                       state="ended", ringing_at=_at(TZ_DAY, 14), caller_kind=kind, category=cat))

    with session_factory() as s:
        week = analysis.report(s, settings, period="week", day=TZ_DAY)
        month = analysis.report(s, settings, period="month", day=TZ_DAY)
    assert (week["from"], week["to"]) == ("2026-11-30", "2026-12-06")
    assert week["asked"][0] == {"item": "加毛巾", "requests": 3, "quantity": 3}
    assert week["borrowed"] == [{"item": "借转换插头", "requests": 1, "quantity": 2}]
    assert week["equipment"] == [{"item": "空调不会用", "requests": 1, "quantity": 1}]
    assert [(c["category"], c["calls"]) for c in week["staff_calls"]] == [("information", 2), ("transfer_request", 1)]
    assert week["staff_calls"][0]["label_zh"] != "information"
    assert week["targets"] == {"requests": 5, "accepted": 5, "in_time": 4, "followed_up": 4, "satisfied": 3}
    assert (week["in_time_share"], week["satisfied_share"]) == (0.8, 0.75)
    assert [p["requests"] for p in week["trend"][-2:]] == [1, 5]
    assert len(week["trend"]) == analysis.TREND
    assert (month["from"], month["to"]) == ("2026-12-01", "2026-12-31")
    assert month["targets"]["requests"] == 6            # 1–31 December, 7 December too
    assert month["trend"][-2] == {"from": "2026-11-01", "requests": 1}
