import datetime as dt

from zongji.domain.stats import wakeups

T = dt.datetime(2026, 12, 4, 23, 0, tzinfo=dt.UTC)  # 07:00 in Shanghai
M = dt.timedelta(minutes=1)


def test_wake_up_figures_count_late_by_the_set_minutes_and_cancelled_apart():
    facts = [
        wakeups.WakeupFacts(wake_at=T, reached_at=T + M, reached_by="phone", first_call_answered=True),
        wakeups.WakeupFacts(wake_at=T, reached_at=T + 6 * M, reached_by="door", escalated=True),
        wakeups.WakeupFacts(wake_at=T, reached_at=T + 9 * M, reached_by="operator", minutes_late=8),
        wakeups.WakeupFacts(wake_at=T, escalated=True),
        wakeups.WakeupFacts(wake_at=T, cancelled_at=T - 60 * M),
    ]
    c = wakeups.count_wakeups(facts, late_limit_minutes=5)
    f = wakeups.figures(c)
    assert (f["due"], f["reached"], f["cancelled"], f["escalated"]) == (4, 3, 1, 2)
    assert f["first_call_rate"] == 0.25 and (f["by_door"], f["by_operator"]) == (1, 1)
    assert f["average_minutes_late"] == 5.0 and f["late"] == 2  # 1, 6, 8 minutes late
    assert wakeups.count_wakeups(facts, late_limit_minutes=7).late == 1
    assert wakeups.columns(7)[-1]["label_zh"] == "迟到超过7分钟"
