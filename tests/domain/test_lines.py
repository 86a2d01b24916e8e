"""Lines: inbound-only rule, silence detection by hour of the week, fault records."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.lines import (
    FaultError,
    LineKind,
    SilencePolicy,
    check_outbound,
    check_silence,
    close_fault,
    hour_of_week,
    open_fault,
    record_test_call,
    usual_gaps,
)
from zongji.domain.working_hours import WorkingHours

SH = ZoneInfo("Asia/Shanghai")
MON = dt.datetime(2026, 11, 2, 0, 0, tzinfo=SH)  # a Monday


def history(weeks: int = 4) -> list[dt.datetime]:
    """Busy weekday mornings (a call every 5 min 09:00–12:00), quiet afternoons (every 60 min 13:00–17:00)."""
    out = []
    for w in range(weeks):
        for day in range(5):
            base = MON + dt.timedelta(days=7 * w + day)
            out += [base + dt.timedelta(hours=9, minutes=5 * i) for i in range(36)]
            out += [base + dt.timedelta(hours=13 + i) for i in range(5)]
    return out


def test_line_kinds_match_the_store_values():
    assert {k.value for k in LineKind} == {"switchboard", "hotline_400", "hotline_12345"}


def test_check_outbound():
    assert check_outbound(inbound_only=False, line_name="总机") is None
    r = check_outbound(inbound_only=True, line_name="400热线")
    assert r.code == "inbound_only" and "只能接听" in r.zh and "R-S1" not in r.zh + r.en


def test_hour_of_week():
    assert hour_of_week(MON + dt.timedelta(hours=9, minutes=30), SH) == 9
    assert hour_of_week(MON + dt.timedelta(days=6, hours=23), SH) == 167
    assert hour_of_week(dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC), SH) == 9


def test_busy_morning_silence_alerts_at_the_minimum():
    usual = usual_gaps(history(), SH)
    next_monday = MON + dt.timedelta(days=28)
    last = next_monday + dt.timedelta(hours=9, minutes=10)
    pol = SilencePolicy(minimum_minutes=30)
    assert check_silence(line_code="400", last_call_at=last, now=last + dt.timedelta(minutes=29),
                         tz=SH, usual=usual, policy=pol) is None
    alert = check_silence(line_code="400", last_call_at=last, now=last + dt.timedelta(minutes=31),
                          tz=SH, usual=usual, policy=pol)
    assert alert is not None and alert.basis == "hour_of_week"
    assert alert.usual_minutes == pytest.approx(5) and alert.threshold_minutes == 30
    assert "测试电话" in alert.message.zh
    tested = record_test_call(alert, ok=False, at=last + dt.timedelta(minutes=33), by="op07")
    assert tested.test_call_ok is False


def test_minimum_is_settable():
    usual = usual_gaps(history(), SH)
    last = MON + dt.timedelta(days=28, hours=9, minutes=10)
    pol = SilencePolicy(minimum_minutes=10)
    assert check_silence(line_code="400", last_call_at=last, now=last + dt.timedelta(minutes=11),
                         tz=SH, usual=usual, policy=pol) is not None


def test_quiet_afternoon_is_not_unusual():
    usual = usual_gaps(history(), SH)
    last = MON + dt.timedelta(days=28, hours=14)
    # usual afternoon gap is 60 min; factor 2 → alert only after 120 min
    assert check_silence(line_code="400", last_call_at=last, now=last + dt.timedelta(minutes=90),
                         tz=SH, usual=usual) is None
    a = check_silence(line_code="400", last_call_at=last, now=last + dt.timedelta(minutes=121),
                      tz=SH, usual=usual)
    assert a is not None and a.threshold_minutes == pytest.approx(120)


def test_no_alert_outside_line_hours_or_without_history():
    usual = usual_gaps(history(), SH)
    hours = WorkingHours.weekdays(("08:30", "12:00"), ("13:00", "17:30"))
    last = MON + dt.timedelta(days=28, hours=16, minutes=50)
    assert check_silence(line_code="400", last_call_at=last, now=last + dt.timedelta(hours=5),
                         tz=SH, usual=usual, hours=hours) is None
    assert check_silence(line_code="400", last_call_at=None, now=last, tz=SH, usual=usual) is None
    empty = usual_gaps([], SH)
    a = check_silence(line_code="400", last_call_at=last, now=last + dt.timedelta(minutes=31), tz=SH,
                      usual=empty)
    assert a is not None and a.basis == "none"


def test_sparse_bucket_falls_back_to_whole_week():
    times = history(1)
    usual = usual_gaps(times, SH, SilencePolicy(min_samples=3))
    sat = MON + dt.timedelta(days=12, hours=10)  # no Saturday history
    a = check_silence(line_code="400", last_call_at=sat, now=sat + dt.timedelta(hours=5), tz=SH, usual=usual)
    assert a is not None and a.basis == "overall"


def test_fault_record():
    start = MON + dt.timedelta(hours=10)
    f = open_fault(line_code="400", cause="测试电话无振铃", started_at=start,
                   reported_at=start + dt.timedelta(minutes=5), reported_by="op07")
    assert f.open and f.reported_to == "技术部"
    assert f.duration(start + dt.timedelta(hours=1)) == dt.timedelta(hours=1)
    closed = close_fault(f, ended_at=start + dt.timedelta(hours=2), by="tech", resolution="更换中继板")
    assert not closed.open and closed.duration() == dt.timedelta(hours=2)
    with pytest.raises(FaultError):
        close_fault(closed, ended_at=start + dt.timedelta(hours=3), by="tech")
    with pytest.raises(FaultError) as e:
        close_fault(f, ended_at=start - dt.timedelta(minutes=1), by="tech")
    assert e.value.field == "ended_at"


def test_fault_validation():
    with pytest.raises(FaultError) as e:
        open_fault(line_code="400", cause=" ", started_at=MON, reported_at=MON - dt.timedelta(1),
                   reported_by="")
    assert {x.field for x in e.value.errors} == {"cause", "reported_by", "reported_at"}


def test_refusing_an_outbound_call_on_an_inbound_only_line_gives_the_operator_a_script():
    """R-S1: the refusal says what to tell the person who wanted the call made, in zh and en."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from zongji.domain.transfer import Caller, Target, TargetKind, TransferOutcome, TransferRequest, decide_transfer

    d = decide_transfer(TransferRequest(
        target=Target(kind=TargetKind.PERSON, name="张伟", number="8001"), caller=Caller(),
        at=dt.datetime(2026, 5, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tz=ZoneInfo("Asia/Shanghai"),
        direction="out", line_inbound_only=True, line_name="400热线"))
    assert d.outcome is TransferOutcome.REFUSE_INBOUND_ONLY and not d.puts_through
    assert d.script is not None and "只接听来电" in d.script.zh and "incoming calls only" in d.script.en
