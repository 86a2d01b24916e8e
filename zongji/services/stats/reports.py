"""Call reports (issue 10, point 3): the domain's call figures for a range of days, grouped by
day, week, month, line, operator or category, or as the interval profile (calls per half-hour by
weekday); the same numbers as an XLSX workbook.

The range is whole local days, ``date_from`` to ``date_to`` inclusive, at most ``MAX_DAYS``. The
figures are counted from the call rows of the range (the ``ringing_at`` index serves it); the
viewer's lines bound them, and an operator sees only the calls they answered.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from typing import Any, Callable

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session

from zongji.domain import time_range
from zongji.domain.calls import CATEGORIES
from zongji.domain.roles import Role
from zongji.domain.stats import kpi
from zongji.errors import Invalid
from zongji.services import scope as scope_service
from zongji.services.stats import aggregates
from zongji.services.stats import messages as message_stats
from zongji.services.stats.policy import policy_from
from zongji.settings import Settings
from zongji.store.models import Call, Line, User

MAX_DAYS = 366
GROUPS = ("day", "week", "month", "line", "operator", "category", "interval")
REPORT_FIGURES = ("offered", "answered", "abandoned", "short_abandoned", "answer_rate", "answer_rate_24h", "abandon_rate",
                  "service_level", "asa", "longest_wait", "att", "aht", "transfer_rate")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def check_range(date_from: dt.date, date_to: dt.date) -> None:
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if not time_range.in_range(day):
            raise Invalid(time_range.out_of_range_message(name), field=name)
    if date_to < date_from:
        raise Invalid("date_to is before date_from", field="date_to")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise Invalid(f"at most {MAX_DAYS} days at once", field="date_to")


def _labels(session: Session) -> tuple[dict[int, str], dict[int, str], dict[str, tuple[str, str]]]:
    lines = {i: f"{code} {name}" for i, code, name in session.execute(select(Line.id, Line.code, Line.name))}
    operators = {u.id: " ".join(x for x in (u.operator_number, u.display_name or u.username) if x)
                 for u in session.scalars(select(User))}
    categories = {c.code: (c.zh, c.en) for kind in CATEGORIES.values() for c in kind}
    return lines, operators, categories


def call_report(session: Session, user: User, settings: Settings, *, date_from: dt.date, date_to: dt.date,
                group: str, locale: str = "zh-CN") -> dict[str, Any]:
    check_range(date_from, date_to)
    if group not in GROUPS:
        raise Invalid(f"group is one of {', '.join(GROUPS)}", field="group")
    tz = settings.tz
    policy = policy_from(settings)
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    scope = scope_service.scope_of(session, user)
    line_filter = None if scope is None else scope.line_filter
    own_only = str(user.role) == Role.OPERATOR
    en = locale == "en"
    lines, operators, categories = _labels(session)
    none_label = "—"
    counts, labels = _grouped_counts(session, user, settings, start=start, end=end, group=group,
                                     line_filter=line_filter, own_only=own_only, en=en,
                                     line_labels=lines, operator_labels=operators, category_labels=categories,
                                     none_label=none_label)
    everything = sum(counts.values(), kpi.CallCounts())

    def figures(c: kpi.CallCounts) -> dict[str, Any]:
        all_figures = kpi.call_figures(c, policy)
        return {k: all_figures[k] for k in REPORT_FIGURES}

    ordered = sorted(counts, key=lambda k: (str(type(k)), k)) if group != "operator" and group != "line" \
        else sorted(counts, key=lambda k: labels[k])
    out_rows = [{"key": k if not isinstance(k, tuple) else list(k), "label": labels[k], "figures": figures(counts[k])}
                for k in ordered]
    if group == "interval":
        # The profile: the mean per day of that weekday in the range, beside the count.
        days = defaultdict(int)
        d = date_from
        while d <= date_to:
            days[d.weekday()] += 1
            d += dt.timedelta(days=1)
        for row in out_rows:
            row["per_day"] = round(row["figures"]["offered"] / max(1, days[row["key"][0]]), 2)
    return {
        "date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "group": group,
        "lines": None if line_filter is None else sorted(scope.line_codes),
        "own_calls_only": own_only,
        "rows": out_rows, "total": figures(everything),
        # Messages taken in the range (R-H5, R-C4): for the whole range, by the viewer's lines
        # (an operator: the messages they took).
        "messages": message_stats.figures(kpi.count_messages(
            [f for fs in message_stats.facts_by_taker(session, start, end, line_filter=line_filter,
                                                      taken_by=[user.id] if own_only else None).values()
             for f in fs], message_stats.within(settings))),
        "figures": [_figure(kpi.FIGURES_BY_KEY[k]) for k in REPORT_FIGURES],
        "policy": {"short_abandon_seconds": policy.short_abandon_seconds,
                   "service_level_seconds": policy.service_level_seconds,
                   "abandon_treatment": str(policy.abandon_treatment)},
    }


def _week(day: dt.date) -> tuple[str, str]:
    monday = day - dt.timedelta(days=day.weekday())
    iso = monday.isocalendar()
    return monday.isoformat(), f"{iso.year}-W{iso.week:02d}"


def _grouped_counts(session: Session, user: User, settings: Settings, *, start: dt.datetime, end: dt.datetime,
                    group: str, line_filter: frozenset[int] | None, own_only: bool, en: bool,
                    line_labels: dict[int, str], operator_labels: dict[int, str],
                    category_labels: dict[str, tuple[str, str]], none_label: str
                    ) -> tuple[dict[Any, kpi.CallCounts], dict[Any, str]]:
    """The counts per row of the report and each row's label. Read from the call aggregates
    (services/stats/aggregates.py); an operator's own calls by category, which the aggregates do
    not cross, are counted from the raw rows of that operator alone."""
    tz = settings.tz
    unanswered = "not answered" if en else "未接听"
    if own_only and group == "category":
        rows = session.execute(select(Call.ringing_at, Call.answered_at, Call.ended_at, Call.closed_at,
                                      Call.transferred_at, Call.category).where(
            Call.direction == "in", Call.ringing_at >= start, Call.ringing_at < end, Call.answered_by_id == user.id,
            true() if line_filter is None else or_(Call.line_id.is_(None), Call.line_id.in_(sorted(line_filter)))))
        facts: dict[Any, list[kpi.CallFacts]] = defaultdict(list)
        for r in rows:
            facts[r.category or ""].append(kpi.CallFacts(ringing_at=r.ringing_at, answered_at=r.answered_at,
                                                         ended_at=r.ended_at, closed_at=r.closed_at,
                                                         transferred=r.transferred_at is not None))
        policy = policy_from(settings)
        counts = {k: kpi.count_calls(v, policy) for k, v in facts.items()}
        return counts, {k: category_labels.get(k, (k or none_label,) * 2)[int(en)] for k in counts}
    dim = {"operator": "op", "category": "cat"}.get(group, "op" if own_only else "")
    by = {"day": ("day",), "week": ("day",), "month": ("day",), "line": ("line",), "operator": ("value",),
          "category": ("value",), "interval": ("slot",)}[group]
    raw = aggregates.read(session, settings, start=start, end=end, line_filter=line_filter, dim=dim,
                          values=[str(user.id)] if own_only else None, by=by)
    counts: dict[Any, kpi.CallCounts] = defaultdict(kpi.CallCounts)
    labels: dict[Any, str] = {}
    for (k,), c in raw.items():
        if group in ("day", "week", "month"):
            key, label = {"day": (k.isoformat(),) * 2, "week": _week(k), "month": (k.strftime("%Y-%m"),) * 2}[group]
        elif group == "line":
            key, label = k, line_labels.get(k, none_label)
        elif group == "operator":
            key = int(k)
            label = operator_labels.get(key, unanswered) if key else unanswered
        elif group == "category":
            key, label = k, category_labels.get(k, (k or none_label,) * 2)[int(en)]
        else:  # interval: weekday × local half-hour
            local = k.astimezone(tz)
            key = (local.weekday(), local.hour * 2 + local.minute // 30)
            label = f"{(WEEKDAYS_EN if en else WEEKDAYS_ZH)[local.weekday()]} {local.hour:02d}:{30 * (local.minute // 30):02d}"
        counts[key] = counts[key] + c
        labels[key] = label
    return dict(counts), labels


def _figure(f: kpi.Figure) -> dict[str, str]:
    return {"key": f.key, "label_zh": f.label_zh, "label_en": f.label_en, "definition_zh": f.definition_zh,
            "definition_en": f.definition_en, "unit": f.unit}


_GROUP_TITLE = {"day": ("日期", "Day"), "week": ("周", "Week"), "month": ("月份", "Month"), "line": ("线路", "Line"),
                "operator": ("话务员", "Operator"), "category": ("类别", "Category"),
                "interval": ("时段", "Half-hour"), "unit": ("承办单位", "Unit"), "type": ("工单类型", "Type"),
                "channel": ("渠道", "Channel")}
_SHEET_TITLE = {"calls": ("话务统计", "Calls"), "orders": ("工单统计", "Work orders"),
                "wakeups": ("叫醒统计", "Wake-ups")}


def report_xlsx(report: dict[str, Any], locale: str = "zh-CN", kind: str = "calls") -> bytes:
    """A report (calls or work orders) as a workbook: one row per group and the total, the same
    numbers as the answer (rates as percentages, times in seconds), then the definitions."""
    from openpyxl import Workbook  # imported when a workbook is made: not at start-up
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font, PatternFill

    en = locale == "en"
    wb = Workbook()
    ws = wb.active
    ws.title = _SHEET_TITLE[kind][int(en)]
    figs = report["figures"]
    title = f"{ws.title} {report['date_from']} – {report['date_to']}"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    head = [_GROUP_TITLE[report["group"]][int(en)]] + [f["label_en" if en else "label_zh"]
                                                       + (" (s)" if f["unit"] == "seconds" else "") for f in figs]
    ws.append(head)
    for c in ws[2]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE6F0")

    def put(label: str, values: dict[str, Any], bold: bool = False) -> None:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", label)] + [
            (None if values[f["key"]] is None else round(values[f["key"]], 4 if f["unit"] == "rate" else 1))
            for f in figs])
        row = ws[ws.max_row]
        if row[0].data_type == "f":
            row[0].data_type = "s"
        for f, cell in zip(figs, row[1:]):
            if f["unit"] == "rate":
                cell.number_format = "0.0%"
        if bold:
            for cell in row:
                cell.font = Font(bold=True)

    for r in report["rows"]:
        put(r["label"], r["figures"])
    put("Total" if en else "合计", report["total"], bold=True)
    ws.column_dimensions["A"].width = 24
    defs = wb.create_sheet("Definitions" if en else "指标定义")
    for f in figs:
        defs.append([f["label_en" if en else "label_zh"], f["definition_en" if en else "definition_zh"]])
    defs.column_dimensions["A"].width = 20
    defs.column_dimensions["B"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def evaluation_xlsx(data: dict[str, Any], locale: str = "zh-CN") -> bytes:
    """The operators' evaluation as a workbook: one row per operator, the same numbers, and the
    comment."""
    from openpyxl import Workbook  # imported when a workbook is made: not at start-up
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font, PatternFill

    en = locale == "en"
    wb = Workbook()
    ws = wb.active
    ws.title = "Operators" if en else "话务员考评"
    ws.append([f"{ws.title} {data['date_from']} – {data['date_to']}"])
    ws["A1"].font = Font(bold=True, size=13)
    cols = data["columns"]
    ws.append(["Work number" if en else "工号", "Name" if en else "姓名"]
              + [c["label_en" if en else "label_zh"] + (" (s)" if c["unit"] == "seconds" else "") for c in cols]
              + ["Comment" if en else "考评意见"])
    for c in ws[2]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDE6F0")
    for r in data["rows"]:
        values = [None if r["figures"][c["key"]] is None else round(r["figures"][c["key"]], 4 if c["unit"] == "rate" else 1)
                  for c in cols]
        comment = r["comment"]["text"] if r["comment"] else ""
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", r["operator_number"] or ""), ILLEGAL_CHARACTERS_RE.sub("", r["name"])]
                  + values + [ILLEGAL_CHARACTERS_RE.sub("", comment)])
        row = ws[ws.max_row]
        for cell in (row[0], row[1], row[-1]):
            if cell.data_type == "f":
                cell.data_type = "s"
        for c, cell in zip(cols, row[2:]):
            if c["unit"] == "rate":
                cell.number_format = "0.0%"
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions[ws.cell(2, len(cols) + 3).column_letter].width = 50
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
