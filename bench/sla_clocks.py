"""The working time of a list's orders (SLA clocks, ``BusinessCalendar.working_time_between``):
Zongji's months' totals beside the day-by-day walk it replaced, measured in the same run.

A list page evaluates the SLA clocks of its 50 orders on calendars built for the request
(``services/work_orders/sla_context``); an order open for months was walked one working window
at a time. For pages of orders opened within the last week, half year and two years, on a fresh
calendar each repeat (as a request has), prints the best of ``--repeat`` runs in ms, for Zongji and
for the walk (``baseline``), and checks that both give the same working time.

    .venv/bin/python bench/sla_clocks.py [--orders 50] [--repeat 7]

No test asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from zoneinfo import ZoneInfo

from zongji.domain.business_calendar import BusinessCalendar

TZ = ZoneInfo("Asia/Shanghai")


def walked(cal: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The baseline: every working window between the two instants, one by one."""
    total, e = dt.timedelta(0), end.astimezone(dt.UTC)
    for a, b in cal.working_intervals(start):
        if a >= e:
            break
        total += min(b, e) - a
        if b >= e:
            break
    return total


def best_ms(measure, starts, end, repeat: int) -> tuple[float, list[dt.timedelta]]:
    best, out = float("inf"), []
    for _ in range(repeat):
        cal = BusinessCalendar.china(TZ)  # one per request, as SlaContext builds it
        t = time.perf_counter()
        out = [measure(cal, s, end) for s in starts]
        best = min(best, time.perf_counter() - t)
    return best * 1e3, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    end = dt.datetime(2026, 12, 6, 10, 0, tzinfo=TZ)
    rnd = random.Random(20261206)
    print(f"{args.orders} orders a page, best of {args.repeat}, ms (a fresh calendar each run)")
    print(f"{'orders opened within':24}{'Zongji':>10}{'baseline':>10}")
    for label, days in (("the last week", 7), ("the last half year", 183), ("the last two years", 730)):
        starts = [end - dt.timedelta(minutes=rnd.randint(60, days * 1440)) for _ in range(args.orders)]
        ours, a = best_ms(lambda c, s, e: c.working_time_between(s, e), starts, end, args.repeat)
        base, b = best_ms(walked, starts, end, args.repeat)
        assert a == b, "the two disagree"
        print(f"{label:24}{ours:>10.2f}{base:>10.2f}")


if __name__ == "__main__":
    main()
