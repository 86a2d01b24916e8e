"""Work-order lists and search with millions of orders (issue 18, point 1). See bench/README.md.

Loads orders of a 12345 centre's shape (9,000 a day, about 10 M in three years: order numbers
``YYYYMMDD-NNNNN`` counted per day, the six order types, most orders closed and the open ones the
recent ones — a few thousand with the shift leaders, tens of thousands with the units — 80
handling units, a tenth of the orders with an assisting unit, repeat callers, names, places,
descriptions of 20-120 characters put together from the demo catalogue's and the dispatch
evaluation's citizens' phrases, the stored state JSON as the service writes it) into a fresh
SQLite file and a fresh PostgreSQL database with Zongji's own schema, in steps (``--sizes``,
default a quick 100,000 and 300,000; ``--sizes 1000000,10000000 --repeat 3`` the full run).
Between two steps time passes: the orders still open are brought to where they stand at the new
step's end (most are closed by then).

Loading is bulk: COPY on PostgreSQL (foreign-key triggers off for the session when it may), one
executemany per 50,000 orders on SQLite; the orders' secondary indexes and the search's
full-text index dropped during a load and rebuilt after it (``--sqlite-fts triggers`` keeps
SQLite's FTS5 table through its triggers instead: 2.5 times slower at 200,000 orders), then
ANALYZE (PostgreSQL: VACUUM ANALYZE, so that autovacuum does not start during the timings). A
second process makes the next batch of orders while the last one loads.

At each size it times, in the same run and on the same database:

- Zongji's lists as the API answers them (``services.work_orders.listing.list_orders``: capped
  count, the search box's rules — order number and telephone number through their indexes, text
  through the character-pair full-text index): all orders (first page, page 200), the dispatch
  queue, a status, a unit's orders (a supervisor's filter, a unit handler's own view, the busiest
  unit's view), and the search box with a full caller number, its last 4 digits, an order number,
  a common word (小区 …), a specific phrase (流浪狗 …), a rare phrase (萨克斯 …), a caller's name, a
  piece of a place (幸福路 …), one character (狗 …) and a rare character (萨 …) — single letters
  are terms of the index too (migration 0038);
- the baseline, the old query as it was: an exact ``count(*)``, ``LIKE '%…%'`` over number,
  caller name, caller number, description and place for any search, ``OFFSET`` paging. It runs
  with the new indexes present. Both serve the page the same way afterwards (the 50 order
  summaries: SLA clocks, unit calendars — 10 to 60 ms of each figure on a 2-core machine), so
  that the two differ by their queries only.

Every time is the median of ``--repeat`` runs with different values; "found" is the exact number
of orders the baseline counted (median); "COUNTS DIFFER" would mark a look-up whose exact total
(under 10,000) is not the baseline's (not checked for the last 4 digits of a number: found at
the end of numbers now, anywhere in them by the old LIKE). The last table says how each grows from the smallest size
to the largest. ``--explain`` prints the plan of every statement Zongji runs on the orders at the
largest size (PostgreSQL: EXPLAIN ANALYZE). No test asserts a time.

Disk: about 4 KB an order on SQLite with its indexes and the FTS5 table, about 3 KB on
PostgreSQL (the state JSON is half of it): ~40 GB and ~30 GB at 10 M orders, one database at a
time, in the temporary folder and PostgreSQL's data directory.

Run: ``.venv/bin/python -m bench.work_order_lists --sizes 100000,300000`` (quick);
``.venv/bin/python -m bench.work_order_lists --sizes 1000000,10000000 --repeat 3`` (the full run).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import functools
import importlib.util
import io
import itertools
import json
import math
import multiprocessing
import random
import re
import statistics
import sys
import time
import traceback
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, inspect, or_, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench._databases import DEFAULT_PG_ADMIN_URL, fresh_database, growth_table  # noqa: E402

from bench.dispatch_eval.spoken import SPOKEN  # noqa: E402
from zongji.domain.caller_id import reversed_digits, search_digits  # noqa: E402
from zongji.domain import substring_index  # noqa: E402
from zongji.domain.substring_index import index_text, pairs  # noqa: E402
from zongji.domain.work_orders.state import CallbackRecord, WorkOrderState  # noqa: E402
from zongji.domain.work_orders.words import (  # noqa: E402
    FINAL_STATUSES,
    FOLLOWING_STATUSES,
    LEADER_STATUSES,
    CallbackOutcome,
    OrderType,
    Status,
)
from zongji.services.work_orders import listing  # noqa: E402
from zongji.services.work_orders.categories import categories  # noqa: E402
from zongji.services.work_orders.detail import order_summary, units_by_id  # noqa: E402
from zongji.services.work_orders.sla_context import SlaContext  # noqa: E402
from zongji.services.work_orders.stored_state import state_to_json  # noqa: E402
from zongji.services.work_orders.visibility import Viewer, line_clause, visible_clause  # noqa: E402
from zongji.store import work_order_models  # noqa: E402
from zongji.store.db import make_engine  # noqa: E402
from zongji.store.full_text import FullTextIndex  # noqa: E402
from zongji.store.models import Department, Line, Organisation, User  # noqa: E402
from zongji.store.schema import metadata as SCHEMA  # noqa: E402
from zongji.store.work_order_models import WorkOrder, WorkOrderCategory, WorkOrderUnit  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
PER_DAY = 9_000
END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
UNITS = 80
# The search's stored character pairs and its full-text index ("Order search through character
# pairs"): filled and rebuilt when the schema has them.
HAS_TERMS = "search_terms" in WorkOrder.__table__.c
singles = getattr(substring_index, "singles", None)  # the letters the index holds (0038)
FTS_STATEMENTS = getattr(getattr(work_order_models, "ORDER_SEARCH", None), "statements", None)
MIGRATIONS = Path(__file__).resolve().parents[1] / "zongji" / "store" / "migrations" / "versions"
MATTERS_FILE = Path(__file__).resolve().parents[1] / "zongji" / "demo" / "content" / "matters.json"

ORDER_TYPES = ((OrderType.INQUIRY, 0.35), (OrderType.COMPLAINT, 0.25), (OrderType.REQUEST, 0.18),
               (OrderType.HELP, 0.15), (OrderType.SUGGESTION, 0.05), (OrderType.PRAISE, 0.02))
# Share answered on the line and closed at once (直办), by type.
DIRECT = {OrderType.INQUIRY: 0.75, OrderType.PRAISE: 0.9, OrderType.HELP: 0.25, OrderType.COMPLAINT: 0.08,
          OrderType.REQUEST: 0.12, OrderType.SUGGESTION: 0.3}
CHANNELS = (("phone", 0.86), ("wechat", 0.07), ("app", 0.04), ("web", 0.03))
COLUMNS = ("id", "number", "line_id", "line_kind", "order_type", "category", "urgency", "status", "caller_name",
           "caller_number", "caller_digits", "caller_digits_rev", "contact_consent", "channel", "place",
           "description") + (("search_terms",) if HAS_TERMS else ()) + (
           "created_at", "main_unit_id", "supervised", "sla_state", "completion_deadline", "callback_due_at",
           "closed_at", "state", "version", "updated_at")
# The links' mark of an open order (migration 0040), kept when the schema has it.
HAS_OPEN_LINKS = "order_open" in WorkOrderUnit.__table__.c
UNIT_COLUMNS = ("order_id", "unit_id", "role") + (("order_open",) if HAS_OPEN_LINKS else ())

# ----------------------------------------------------------------------------- words

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
            "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建华 玉兰 萍 鹏 辉 玲 桂兰 丹 建国 "
         "建军 海燕 红 志强 晓东 文 斌 宇 浩 凯 秀珍 丽娟 俊 婷 雪 琳 欣怡 子涵 梓萱 浩然 宇轩 晨 佳 慧 淑珍 国强 海 波").split()
DISTRICTS = ("东区", "西区", "南区", "北区", "高新区", "新城区")
ROADS = ("幸福路 人民路 解放路 建设路 和平路 中山路 新华路 文化路 朝阳路 长江路 黄河路 青年路 滨江路 学院路 花园路 光明路 "
         "胜利路 友谊路 工业路 环城路 公园路 延安路 东风路 红旗路 健康路 体育路 春风路 龙腾路 凤凰路 天河路 金桥路 锦绣路 "
         "海棠路 梧桐路 桂花街 银杏街 府前街 西湖街 南门街 北关街").split()
ESTATES = ("阳光小区 锦绣花园 翠湖苑 金色家园 绿城花园 幸福里 和谐家园 明珠小区 碧水湾 书香门第 世纪新城 丽景苑 春晖小区 "
           "滨江花园 紫薇小区 石榴园 香樟苑 御景湾 机械厂宿舍 供销社家属院 教师新村 电力小区 怡园 龙湖苑").split()
OPENERS = ("", "", "", "市民来电反映：", "来电人反映：", "市民反映：", "来电称：", "市民来电：", "来电人称，", "市民咨询：")
CLOSERS = ("", "", "，希望尽快处理。", "，请相关部门核实处理。", "，要求给予答复。", "，请尽快派人查看。", "，希望有关部门管一管。",
           "，要求回电。", "。")
GENERIC = ("已经反映过好几次了", "一直没人处理", "影响居民正常生活", "老人小孩出行很不安全", "打了好几个电话都没人管",
           "前几天打过电话说会来人看一直没来", "周边居民意见很大", "情况已经持续一个多月", "晚上特别明显",
           "希望相关部门重视", "不知道该找哪个部门", "之前说好的一直没有落实", "附近住户都很着急", "天天都是这样")
STREETS_PER_DISTRICT = 11
SPECIFIC = ("流浪狗", "充电桩", "井盖", "广场舞", "电梯", "油烟", "拖欠工资", "路灯")
RARE = ("萨克斯", "冷却塔", "大摆锤", "诺如", "玻尿酸", "水表井", "咪表")
COMMON = ("小区", "没人", "晚上", "反映", "希望")
ONE_CHAR = ("狗", "灯", "树", "车", "水")
RARE_CHAR = ("萨", "锤", "诺", "尿", "咪")
# Look-ups whose orders are not the LIKE's by design: last digits are looked for at the end of a
# number only (the old LIKE found them anywhere in it).
DIGIT_RULE = {"q: its last 4 digits"}


class Texts:
    """The matters of the demo catalogue (category, responsible unit) with everything citizens say
    about each: the catalogue's examples and the dispatch evaluation's spoken phrasings."""

    def __init__(self):
        matters = json.loads(MATTERS_FILE.read_text(encoding="utf-8"))
        spoken: dict[str, list[str]] = {}
        for line in SPOKEN.strip().splitlines():
            parts = line.split("|")
            if len(parts) >= 4:
                spoken[parts[0]] = [p for col in (1, 3) for p in parts[col].split("；") if p]
        self.matters = []
        for m in matters:
            phrases = list(dict.fromkeys([*m["examples"], *spoken.get(m["matter"], [])]))
            self.matters.append((m["matter"], m["category"], m["unit"], tuple(phrases)))
        rnd = random.Random(7)
        order = list(range(len(self.matters)))
        rnd.shuffle(order)
        # Some matters are called about far more often than others.
        weights = [0.0] * len(order)
        for rank, k in enumerate(order):
            weights[k] = 1 / (rank + 1) ** 0.8
        self.cum = list(itertools.accumulate(weights))
        self.unit_names = sorted({m[2] for m in self.matters})

    def phrase_count(self) -> int:
        return sum(len(m[3]) for m in self.matters)


@functools.lru_cache(maxsize=None)
def _pairs(piece: str | None) -> tuple[str, ...]:
    return tuple(pairs(piece))


@functools.lru_cache(maxsize=None)
def _singles(piece: str | None) -> tuple[str, ...]:
    return tuple(singles(piece)) if singles is not None else ()


class Population:
    """Callers (number and name): a third of orders come from someone who called before; numbers
    as call_log's (mobile mostly, +86 sometimes, landlines with an area code), a few withheld."""

    POOL = 300_000

    def __init__(self, rnd: random.Random):
        self.rnd = rnd
        self.callers: list[tuple] = []
        self.surname_cum = list(itertools.accumulate(1 / (k + 1) ** 0.9 for k in range(len(SURNAMES))))

    def name(self) -> str | None:
        rnd = self.rnd
        r = rnd.random()
        if r < 0.07:
            return None
        surname = rnd.choices(SURNAMES, cum_weights=self.surname_cum)[0]
        if r < 0.72:
            return surname + ("先生" if rnd.random() < 0.5 else "女士")
        return surname + _one(rnd, GIVEN)

    def caller(self) -> tuple:
        rnd = self.rnd
        if self.callers and rnd.random() < 0.33:
            return _one(rnd, self.callers)
        r = rnd.random()
        if r < 0.8:
            n = f"1{_one(rnd, '3456789')}{int(rnd.random() * 1e9):09d}"
            n = "+86" + n if rnd.random() < 0.1 else n
        elif r < 0.99:
            n = _one(rnd, ("0571", "0571", "0571", "010", "021", "0574")) + f"{20_000_000 + int(rnd.random() * 7e7)}"
        else:
            n = None
        key = search_digits(n)
        entry = (n, self.name(), key, reversed_digits(key), tuple(pairs(n)))
        if len(self.callers) < self.POOL:
            self.callers.append(entry)
        else:
            self.callers[rnd.randrange(self.POOL)] = entry
        return entry


def _one(rnd: random.Random, seq):
    """``rnd.choice(seq)``, faster."""
    return seq[int(rnd.random() * len(seq))]


def _u(i: int, k: int) -> float:
    """A uniform number in [0, 1) fixed by the order (and k): its life does not depend on when it
    is generated, so a later step can tell where an open order stands then."""
    h = (i * 0x9E3779B97F4A7C15 + k * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 31
    h = (h * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 29
    return h / 18446744073709551616.0


DAY = dt.timedelta(days=1)


def lifecycle(i: int, order_type: str, created: dt.datetime, now: dt.datetime) -> tuple:
    """(status, sla_state, completion_deadline, callback_due_at, closed_at, updated_at, days) of
    order ``i`` at ``now``: closed directly at once (most inquiries), or handled over ``days``
    (a few on average, a long tail, a few left open for months) through dispatch, acceptance,
    handling, reply and callback (``STAGES``)."""
    if _u(i, 1) < DIRECT[order_type]:
        closed = created + dt.timedelta(minutes=3 + 20 * _u(i, 2))
        return "closed_directly", "on_time", None, None, closed, closed, 0.0
    days = 0.3 + 6 * -math.log(1 - 0.999 * _u(i, 2))
    if _u(i, 3) < 0.002:
        days = 200 + 600 * _u(i, 4)
    deadline = created + 7 * DAY
    age = (now - created) / DAY
    if age >= days:
        closed = created + days * DAY
        return "closed", "breached" if days > 7 else "on_time", deadline, None, closed, closed, days
    f, u = age / days, _u(i, 4)
    if f < STAGES[1]:
        status = "created"
    elif f < STAGES[2]:
        status = "returned" if u < 0.1 else "dispatched"
    elif f < STAGES[3]:
        status = "accepted"
    elif f < STAGES[4]:
        status = "in_progress"
    elif f < STAGES[5]:
        status = "replied"
    else:
        status = "review" if u < 0.15 else "callback"
    callback_due = created + (STAGES[4] * days + 2) * DAY if status in ("replied", "callback", "review") else None
    sla = "breached" if age > 7 else "warning" if age > 5 else "on_time"
    return status, sla, deadline, callback_due, None, now, days


# Where an order stands, as a share of its handling time: created, dispatched, accepted, started,
# replied, callback under way, closed.
STAGES = (0.0, 0.05, 0.12, 0.22, 0.85, 0.92, 1.0)
_REACHED = {"created": 0, "dispatched": 1, "returned": 1, "accepted": 2, "in_progress": 3, "replied": 4,
            "callback": 5, "review": 5, "closed": 6}
_MARK = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_UNIT_MARK = 987654321


def _templates() -> dict[tuple[str, str], tuple[list[tuple[str, int]], str]]:
    """The stored state (JSON, as ``state_to_json`` writes it) of an order of each type in each
    status, cut where its times and its main unit go: (literal, what follows) pieces and the end.
    What follows: 0-6 the time of a stage (``STAGES``), 7 the completion deadline, 9 the unit."""
    def mark(k: int) -> dt.datetime:
        return _MARK + dt.timedelta(seconds=k)

    out = {}
    for st in Status:
        for ot in OrderType:
            kw: dict = {"order_type": ot, "created_at": mark(0), "status": st, "line_kind": "hotline_12345"}
            if st == Status.CLOSED_DIRECTLY:
                kw.update(closed_at=mark(6), direct_handling="电话解答", direct_result="已向来电人解释相关政策")
            else:
                r = _REACHED[str(st)]
                if r >= 1:
                    kw.update(first_dispatched_at=mark(1), dispatched_at=mark(1), completion_deadline=mark(7),
                              main_unit_id=_UNIT_MARK)
                if r >= 2:
                    kw.update(accepted_at=mark(2))
                if r >= 3:
                    kw.update(started_at=mark(3))
                if r >= 4:
                    kw.update(replied_at=mark(4), first_reply_at=mark(4),
                              reply_text="经核实，已安排工作人员现场处理，问题已解决。")
                if r >= 5:
                    kw.update(callback_started_at=mark(5))
                if r >= 6:
                    kw.update(callback=CallbackRecord(mark(6), CallbackOutcome.SATISFIED), closed_at=mark(6))
                if st == Status.RETURNED:
                    kw.update(last_return_reason="不属于本单位职责", return_count=1)
                if st == Status.REVIEW:
                    kw.update(callback_attempts=1)
            doc = json.dumps(state_to_json(WorkOrderState(**kw)), ensure_ascii=False)
            for k in range(8):
                doc = doc.replace(mark(k).isoformat(), f"@@{k}@@")
            doc = doc.replace(str(_UNIT_MARK), "@@9@@")
            cut = re.split(r"@@(\d)@@", doc)
            out[(str(st), str(ot))] = ([(cut[j], int(cut[j + 1])) for j in range(0, len(cut) - 1, 2)], cut[-1])
    return out


def state_json(template: tuple, created: dt.datetime, days: float, closed: dt.datetime | None,
               deadline: dt.datetime | None, unit: int, now: dt.datetime) -> str:
    """An order's stored state: its template with the order's own times and unit."""
    pieces, end = template
    out = []
    for literal, k in pieces:
        out.append(literal)
        if k == 9:
            out.append(str(unit))
        elif k == 7:
            out.append(deadline.isoformat())
        elif k == 6 and closed is not None:
            out.append(closed.isoformat())
        else:
            out.append(min(created + STAGES[k] * days * DAY, now).isoformat())
    out.append(end)
    return "".join(out)


def _sqlite_ts(v: dt.datetime | None) -> str | None:
    # Every time here is in UTC already: its ISO form without the offset, as SQLAlchemy stores it.
    return None if v is None else v.isoformat(" ", "microseconds")[:26]


def _same(v):
    return v


class Timeline:
    """When order ``i`` of a history of ``total`` orders ending at END comes in (the largest size
    fixes the span; the steps fill it in order, oldest first)."""

    def __init__(self, total: int):
        self.span = dt.timedelta(days=total / PER_DAY)
        self.start = END - self.span
        self.step = self.span / total

    def created_at(self, i: int) -> dt.datetime:
        return self.start + self.step * (i - 1)

    def now(self, size: int) -> dt.datetime:
        """The moment a step's lists are looked at: just after its last order."""
        return self.created_at(size) + dt.timedelta(minutes=1)


class Orders:
    """Orders ``1 …`` of a history of ``total`` orders ending at END, oldest first, in steps."""

    def __init__(self, seed: int, total: int, line_id: int, unit_ids: dict[str, int],
                 streets: dict[str, list[int]], sqlite: bool):
        self.rnd = random.Random(seed)
        self.texts = Texts()
        self.pop = Population(self.rnd)
        self.timeline = Timeline(total)
        self.start, self.step = self.timeline.start, self.timeline.step
        self.line_id = line_id
        self.unit_ids = unit_ids
        self.streets = streets
        self.all_units = sorted({*unit_ids.values(), *itertools.chain(*streets.values())})
        self.states = _templates()
        self.ts = _sqlite_ts if sqlite else _same
        self.day, self.seq, self.next_day = "", 0, self.start
        self.checked = 0

    def created_at(self, i: int) -> dt.datetime:
        return self.timeline.created_at(i)

    def place(self) -> tuple[str | None, str]:
        rnd = self.rnd
        district = _one(rnd, DISTRICTS)
        r = rnd.random()
        if r < 0.08:
            return None, district
        if r < 0.5:
            return f"{district}{_one(rnd, ROADS)}{1 + int(rnd.random() * 300)}号", district
        if r < 0.9:
            return f"{district}{_one(rnd, ESTATES)}{1 + int(rnd.random() * 30)}栋", district
        a, b = rnd.sample(ROADS, 2)
        return f"{district}{a}与{b}交叉口", district

    def description(self, matter: tuple) -> list[str]:
        """The description's pieces (joined, they are the description; each piece starts and ends
        where no character pair crosses)."""
        rnd = self.rnd
        phrases = matter[3]
        want = int(rnd.triangular(20, 120, 45))
        opener, closer = _one(rnd, OPENERS), _one(rnd, CLOSERS)
        pieces, size = [opener] if opener else [], len(opener) + len(closer)
        for p in rnd.sample(phrases, min(len(phrases), 8)):
            if size >= want:
                break
            if size + len(p) > 120 and size >= 20:
                continue
            if pieces and pieces[-1] not in OPENERS:
                pieces.append("，")
            pieces.append(p)
            size += len(p) + 1
            g = _one(rnd, GENERIC) if rnd.random() < 0.15 else ""
            if g and size + len(g) < 120:
                pieces += ["，", g]
                size += len(g) + 1
        if closer:
            pieces.append(closer)
        return pieces

    def batch(self, first: int, count: int, now: dt.datetime) -> tuple[list[tuple], list[tuple]]:
        rnd, texts, ts = self.rnd, self.texts, self.ts
        random_ = rnd.random
        types = [str(t) for t, _ in ORDER_TYPES]
        type_cum = list(itertools.accumulate(w for _, w in ORDER_TYPES))
        channels = [c for c, _ in CHANNELS]
        channel_cum = list(itertools.accumulate(w for _, w in CHANNELS))
        matters, matter_cum = texts.matters, texts.cum
        orders, units = [], []
        jitter = self.step.total_seconds() * 0.9
        for i in range(first, first + count):
            created = self.created_at(i) + dt.timedelta(seconds=random_() * jitter)
            if created >= self.next_day:  # numbers count orders per local day
                local = created.astimezone(TZ)
                self.day, self.seq = f"{local:%Y%m%d}", 0
                self.next_day = (local.replace(hour=0, minute=0, second=0, microsecond=0)
                                 + DAY).astimezone(dt.UTC)
            self.seq += 1
            day, seq = self.day, f"{self.seq:05d}"
            number = f"{day}-{seq}"
            order_type = types[bisect.bisect(type_cum, random_() * type_cum[-1])]
            matter = matters[bisect.bisect(matter_cum, random_() * matter_cum[-1])]
            caller, name, key, key_rev, caller_pairs = self.pop.caller()
            place, district = self.place()
            pieces = self.description(matter)
            description = "".join(pieces)
            if rnd.random() < 0.55 and matter[2] in self.unit_ids:
                main = self.unit_ids[matter[2]]
            else:
                main = _one(rnd, self.streets[district])
            status, sla, deadline, callback_due, closed, updated, days = lifecycle(i, order_type, created, now)
            row = [i, number, self.line_id, "hotline_12345", order_type, matter[1],
                   "urgent" if rnd.random() < 0.03 else "normal", status, name, caller, key, key_rev,
                   random_() < 0.97, channels[bisect.bisect(channel_cum, random_() * channel_cum[-1])], place, description]
            if HAS_TERMS:
                # index_text((number, caller_name, caller_number, description, place)), from the
                # pairs and letters of each piece (cached): a pair never crosses a "-" or a "，".
                terms = " ".join(dict.fromkeys(itertools.chain(
                    _pairs(day), _pairs(seq), _pairs(name), caller_pairs, *map(_pairs, pieces), _pairs(place),
                    _singles(name), _singles(caller), *map(_singles, pieces), _singles(place))))
                if i % 499 == 1:
                    assert terms == index_text((number, name, caller, description, place)), number
                    self.checked += 1
                row.append(terms)
            row += [ts(created), main, _u(i, 5) < 0.01, sla, ts(deadline), ts(callback_due), ts(closed),
                    state_json(self.states[(status, order_type)], created, days, closed, deadline, main, now), 1,
                    ts(updated)]
            orders.append(tuple(row))
            mark = (status not in FINAL_STATUSES,) if HAS_OPEN_LINKS else ()
            units.append((i, main, "main", *mark))
            if rnd.random() < 0.1:
                other = _one(rnd, self.all_units)
                if other != main:
                    units.append((i, other, "assisting", *mark))
        return orders, units


def _produce(conn, args: tuple) -> None:
    """The producer process: makes the batches asked for (the next while the last one loads)."""
    try:
        gen = Orders(*args)
        while (job := conn.recv()) is not None:
            conn.send(gen.batch(*job))
    except Exception:  # noqa: BLE001 - handed to the loading process, which raises it
        conn.send(traceback.format_exc())
    finally:
        conn.close()


class Producer:
    """Batches of orders made in another process while the last batch loads (making an order costs
    about as much as loading it: the two cores share the work)."""

    def __init__(self, *args):
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_produce, args=(child, args), daemon=True)
        self.proc.start()
        child.close()

    def batches(self, jobs: list[tuple]):
        if jobs:
            self.conn.send(jobs[0])
        for k in range(len(jobs)):
            got = self.conn.recv()
            if isinstance(got, str):
                raise RuntimeError(f"the order producer failed:\n{got}")
            if k + 1 < len(jobs):
                self.conn.send(jobs[k + 1])
            yield got

    def close(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(timeout=30)
        if self.proc.is_alive():
            self.proc.kill()


# ----------------------------------------------------------------------------- loading


def _placeholders(backend: str, n: int) -> str:
    return ", ".join(("?" if backend == "sqlite" else "%s") for _ in range(n))


def load(engine, backend: str, orders: list[tuple], units: list[tuple]) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if backend == "sqlite":
            cur.execute("BEGIN")  # the engine's connections run without implicit transactions
            cur.executemany(f"INSERT INTO work_orders ({', '.join(COLUMNS)}) "
                            f"VALUES ({_placeholders(backend, len(COLUMNS))})", orders)
            cur.executemany(f"INSERT INTO work_order_units ({', '.join(UNIT_COLUMNS)}) "
                            f"VALUES ({_placeholders(backend, len(UNIT_COLUMNS))})", units)
        else:
            # The batches' references are right by construction: no foreign-key triggers per row
            # (a superuser's session setting; without it the load checks them, a third slower).
            try:
                cur.execute("SET LOCAL session_replication_role = replica")
            except Exception:  # noqa: BLE001 - not a superuser
                raw.rollback()
            with cur.copy(f"COPY work_orders ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for r in orders:
                    copy.write_row(r)
            with cur.copy(f"COPY work_order_units ({', '.join(UNIT_COLUMNS)}) FROM STDIN") as copy:
                for r in units:
                    copy.write_row(r)
        raw.commit()
    finally:
        raw.close()


def age_open_orders(engine, backend: str, now: dt.datetime) -> int:
    """Time passes between two steps: the orders still open go on (most are closed by now)."""
    from zongji.store.work_order_models import OPEN_ORDERS_SQL

    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if backend == "sqlite":
            cur.execute("BEGIN")
        cur.execute(f"SELECT id, order_type, created_at, main_unit_id FROM work_orders WHERE {OPEN_ORDERS_SQL}")
        rows = cur.fetchall()
        changes = []
        states, ts = _templates(), (_sqlite_ts if backend == "sqlite" else _same)
        for i, order_type, created, unit in rows:
            if isinstance(created, str):
                created = dt.datetime.fromisoformat(created).replace(tzinfo=dt.UTC)
            status, sla, deadline, callback_due, closed, updated, days = lifecycle(i, order_type, created, now)
            state = state_json(states[(status, order_type)], created, days, closed, deadline, unit, now)
            changes.append((status, sla, ts(callback_due), ts(closed), state, ts(updated), i))
        p = "?" if backend == "sqlite" else "%s"
        cur.executemany(f"UPDATE work_orders SET status = {p}, sla_state = {p}, callback_due_at = {p}, "
                        f"closed_at = {p}, state = {p}, updated_at = {p} WHERE id = {p}", changes)
        if HAS_OPEN_LINKS:
            cur.executemany(f"UPDATE work_order_units SET order_open = false WHERE order_id = {p}",
                            [(c[-1],) for c in changes if c[0] in FINAL_STATUSES])
        raw.commit()
        return len(changes)
    finally:
        raw.close()


def _indexes():
    return [*WorkOrder.__table__.indexes, *WorkOrderUnit.__table__.indexes]


def grow(engine, backend: str, producer: Producer, timeline: Timeline, have: int, want: int,
         fts_mode: str) -> tuple[float, float, int]:
    """Add orders ``have+1 … want`` (indexes dropped, loaded, rebuilt, ANALYZE): (seconds to load,
    seconds to index, orders brought forward)."""
    now = timeline.now(want)
    aged = age_open_orders(engine, backend, now) if have else 0
    t0 = time.perf_counter()
    drop_fts = HAS_TERMS and FTS_STATEMENTS is not None and (backend != "sqlite" or fts_mode == "rebuild")
    with engine.begin() as c:
        for ix in _indexes():
            ix.drop(c, checkfirst=True)
        if drop_fts:
            for sql in FTS_STATEMENTS(c.dialect.name, drop=True):
                c.exec_driver_sql(sql)
    chunk = 50_000
    jobs = [(first, min(chunk, want - first + 1), now) for first in range(have + 1, want + 1, chunk)]
    for orders, units in producer.batches(jobs):
        load(engine, backend, orders, units)
    t1 = time.perf_counter()
    with engine.begin() as c:
        if backend == "postgresql":
            c.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        for ix in _indexes():
            ix.create(c)
        if drop_fts:
            for sql in FTS_STATEMENTS(c.dialect.name):
                c.exec_driver_sql(sql)
        if backend == "sqlite":
            c.execute(text("ANALYZE"))
    if backend == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE work_orders, work_order_units")
    return t1 - t0, time.perf_counter() - t1, aged


# ----------------------------------------------------------------------------- the two lists


def old_list(s: Session, viewer: Viewer, *, now: dt.datetime, view: str = "all", status: str | None = None,
             unit_id: int | None = None, q: str | None = None, page: int = 1, page_size: int = 50) -> int:
    """The order list before issue 18 (an exact count(*), LIKE for any search, OFFSET paging),
    serving the page as the service does; the count."""
    conds = []
    clause = visible_clause(viewer)
    if clause is None:
        clause = line_clause(s, viewer)
    if clause is not None:
        conds.append(clause)
    order_by = [WorkOrder.created_at.desc(), WorkOrder.id.desc()]
    if view == "dispatch":
        conds.append(WorkOrder.status.in_([str(x) for x in LEADER_STATUSES]))
        conds.append(or_(WorkOrder.duplicate_of_id.is_(None),
                         WorkOrder.status.notin_([str(x) for x in FOLLOWING_STATUSES])))
        order_by = [WorkOrder.created_at, WorkOrder.id]
    elif view == "unit":
        order_by = [WorkOrder.status.in_([str(x) for x in FINAL_STATUSES]), WorkOrder.completion_deadline,
                    WorkOrder.id]
    if status:
        conds.append(WorkOrder.status.in_(status.split(",")))
    if unit_id is not None:
        conds.append(WorkOrder.id.in_(select(WorkOrderUnit.order_id).where(WorkOrderUnit.unit_id == unit_id)))
    if q:
        like = f"%{q.strip()[:100]}%"
        conds.append(or_(WorkOrder.number.like(like), WorkOrder.caller_name.like(like),
                         WorkOrder.caller_number.like(like), WorkOrder.description.like(like),
                         WorkOrder.place.like(like)))
    base = select(WorkOrder).where(*conds)
    total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = list(s.scalars(base.order_by(*order_by).offset((page - 1) * page_size).limit(page_size)))
    sla = SlaContext.load(s, TZ)
    units = units_by_id(s, (r.main_unit_id for r in rows))
    cats = {c.code: c for c in categories(s)}
    [order_summary(s, r, sla, now, viewer, units, cats) for r in rows]
    return total


def _cycle(values, n: int) -> list:
    values = list(values)
    return [values[k % len(values)] for k in range(n)]


class Statements:
    """The SELECTs on the orders run while a block runs, with their parameters."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._take)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._take)

    def _take(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and re.search(r"\bwork_order(s|_units)\b", statement):
            self.seen.append((statement, parameters))


def explain(s: Session, engine, backend: str, name: str, run) -> None:
    with Statements(engine) as st:
        run()
    conn = s.connection()
    for statement, parameters in st.seen:
        print(f"--- {backend} {name}\n{statement.strip()}\n  {parameters}")
        if backend == "sqlite":
            for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters):
                print(f"  {row[-1]}")
        else:
            for (line,) in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters):
                print(f"  {line}")
    s.rollback()


def measure(engine, backend: str, size: int, repeat: int, rnd: random.Random, now: dt.datetime, ctx: dict,
            show_plans: bool, only: tuple[str, ...] = ()) -> dict[str, tuple[float, float, float, bool]]:
    """Zongji's and the baseline's median per look-up (``only``: the look-ups whose names hold
    one of these)."""
    with Session(engine) as s:
        boss = Viewer.of(s.get(User, ctx["boss"]))
        handlers = {u: Viewer.of(s.get(User, uid)) for u, uid in ctx["handlers"].items()}
        ids = [rnd.randint(1, size) for _ in range(repeat * 6)]
        sample = s.execute(select(WorkOrder.number, WorkOrder.caller_number, WorkOrder.caller_name)
                           .where(WorkOrder.id.in_(ids))).all()
        order_numbers = _cycle([r.number for r in sample][:repeat], repeat)
        phones = _cycle([r.caller_number for r in sample if r.caller_number and len(r.caller_number) >= 11]
                        or ["13800138000"], repeat)
        names = _cycle([r.caller_name for r in sample if r.caller_name] or ["王女士"], repeat)
        counts = dict(s.execute(select(WorkOrderUnit.unit_id, func.count()).group_by(WorkOrderUnit.unit_id)).all())
        probe_units = [rnd.choice(sorted(counts)) for _ in range(repeat)]
        busiest = max(counts, key=counts.get)
        places = _cycle(rnd.sample(ROADS, min(repeat, len(ROADS))), repeat)
        out: dict[str, tuple[float, float, float, bool]] = {}
        zongji = functools.partial(listing.list_orders, s, tz=TZ, now=now)
        old = functools.partial(old_list, s, now=now)
        lookups = {
            "all orders, first page": (lambda _: zongji(boss), lambda _: old(boss), range(repeat)),
            "all orders, page 200": (lambda _: zongji(boss, page=200), lambda _: old(boss, page=200), range(repeat)),
            "dispatch view": (lambda _: zongji(boss, view="dispatch"), lambda _: old(boss, view="dispatch"),
                              range(repeat)),
            "status in_progress": (lambda _: zongji(boss, status="in_progress"),
                                   lambda _: old(boss, status="in_progress"), range(repeat)),
            "a unit's orders (unit_id)": (lambda u: zongji(boss, unit_id=u), lambda u: old(boss, unit_id=u),
                                          probe_units),
            "unit view (its handler)": (lambda u: zongji(handlers[u], view="unit"),
                                        lambda u: old(handlers[u], view="unit"), probe_units),
            "unit view, busiest unit": (lambda u: zongji(handlers[u], view="unit"),
                                        lambda u: old(handlers[u], view="unit"), [busiest] * repeat),
            "q: full caller number": (lambda n: zongji(boss, q=n), lambda n: old(boss, q=n), phones),
            "q: its last 4 digits": (lambda n: zongji(boss, q=n[-4:]), lambda n: old(boss, q=n[-4:]), phones),
            "q: order number": (lambda n: zongji(boss, q=n), lambda n: old(boss, q=n), order_numbers),
            "q: common word (小区…)": (lambda w: zongji(boss, q=w), lambda w: old(boss, q=w), _cycle(COMMON, repeat)),
            "q: phrase (流浪狗…)": (lambda w: zongji(boss, q=w), lambda w: old(boss, q=w), _cycle(SPECIFIC, repeat)),
            "q: rare phrase (萨克斯…)": (lambda w: zongji(boss, q=w), lambda w: old(boss, q=w), _cycle(RARE, repeat)),
            "q: caller name": (lambda w: zongji(boss, q=w), lambda w: old(boss, q=w), names),
            "q: place (幸福路…)": (lambda w: zongji(boss, q=w), lambda w: old(boss, q=w), places),
            "q: one character (狗…)": (lambda w: zongji(boss, q=w), lambda w: old(boss, q=w),
                                      _cycle(ONE_CHAR, repeat)),
            "q: rare character (萨…)": (lambda w: zongji(boss, q=w), lambda w: old(boss, q=w),
                                       _cycle(RARE_CHAR, repeat)),
        }
        for name, (new, base, probes) in lookups.items():
            if only and not any(o in name for o in only):
                continue
            s.rollback()
            answers: list[dict] = []
            t_new = _median_ms(lambda p: answers.append(new(p)), probes)
            s.rollback()
            found: list[int] = []
            t_old = _median_ms(lambda p: found.append(base(p)), probes)
            # The same orders: Zongji's count, where exact, is the old exact count (but for a piece
            # of a number, which is now found at its beginning or end only: issue 18).
            same = name in DIGIT_RULE or all(a["total"] == n for a, n in zip(answers, found) if a["total_exact"])
            out[name] = (t_new, t_old, statistics.median(found), same)
        if show_plans:
            picks = {"all orders, first page": None, "dispatch view": None, "status in_progress": None,
                     "a unit's orders (unit_id)": probe_units[0], "unit view, busiest unit": busiest,
                     "q: full caller number": phones[0], "q: its last 4 digits": phones[0],
                     "q: common word (小区…)": COMMON[0], "q: phrase (流浪狗…)": SPECIFIC[0], "q: caller name": names[0],
                     "q: place (幸福路…)": places[0], "q: one character (狗…)": ONE_CHAR[0],
                     "q: rare character (萨…)": RARE_CHAR[0]}
            for name, probe in picks.items():
                if only and not any(o in name for o in only):
                    continue
                s.rollback()
                explain(s, engine, backend, name, functools.partial(lookups[name][0], probe))
    return out


def _median_ms(fn, probes) -> float:
    times = []
    for p in probes:
        t0 = time.perf_counter()
        fn(p)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


# ----------------------------------------------------------------------------- run


def _seed_reference(engine, texts: Texts) -> dict:
    """The organisation, the 12345 line, 80 handling units (the catalogue's units and the
    districts' street offices), the categories, a supervisor and a handler per unit."""
    with Session(engine) as s:
        org = Organisation(code="city", name="示例市", kind="city_hotline")
        s.add(org)
        s.flush()
        line = Line(organisation_id=org.id, code="city", name="12345", kind="hotline_12345", number="12345")
        names = list(texts.unit_names)
        streets_of: dict[str, list[str]] = {}
        k = 0
        while len(names) < UNITS:
            district = DISTRICTS[k % len(DISTRICTS)]
            street = f"{district}第{k // len(DISTRICTS) + 1}街道办事处"
            names.append(street)
            streets_of.setdefault(district, []).append(street)
            k += 1
        units = [Department(organisation_id=org.id, name=n, kind="handling_unit") for n in names]
        s.add_all([line, *units])
        s.flush()
        by_name = {u.name: u.id for u in units}
        seen = set()
        for _matter, category, unit, _ in texts.matters:
            if category and category not in seen:
                seen.add(category)
                s.add(WorkOrderCategory(code=category, parent_code=category.split("/")[0], name_zh=category,
                                        default_unit_id=by_name[unit]))
        boss = User(username="boss", display_name="值班长", role="supervisor", password_hash="!")
        handlers = {u.id: User(username=f"unit{u.id}", display_name=u.name, role="unit_handler", password_hash="!",
                               department_id=u.id) for u in units}
        s.add_all([boss, *handlers.values()])
        s.commit()
        return {"line": line.id, "boss": boss.id, "handlers": {u: h.id for u, h in handlers.items()},
                "units": {n: by_name[n] for n in texts.unit_names},
                "streets": {d: [by_name[n] for n in ns] for d, ns in streets_of.items()}}


def run_backend(backend: str, sizes: list[int], repeat: int, pg_admin_url: str, seed: int, fts_mode: str,
                show_plans: bool, keep: bool = False) -> dict:
    results: dict[int, dict] = {}
    with fresh_database(backend, "orders", pg_admin_url, keep=keep) as url:
        engine = make_engine(url, pool_size=2)
        producer = None
        try:
            SCHEMA.create_all(engine)
            ctx = _seed_reference(engine, Texts())
            timeline = Timeline(sizes[-1])
            producer = Producer(seed, sizes[-1], ctx["line"], ctx["units"], ctx["streets"], backend == "sqlite")
            have = 0
            for size in sizes:
                took_load, took_index, aged = grow(engine, backend, producer, timeline, have, size, fts_mode)
                added, have = size - have, size
                now = timeline.now(size)
                with Session(engine) as s:
                    open_n = s.scalar(select(func.count()).where(
                        WorkOrder.status.notin_([str(x) for x in FINAL_STATUSES])))
                    leader = s.scalar(select(func.count()).where(
                        WorkOrder.status.in_([str(x) for x in LEADER_STATUSES])))
                print(f"[{backend}] {size:,} orders: {added:,} loaded in {took_load:.0f} s "
                      f"({added / took_load:,.0f} orders/s), indexed in {took_index:.0f} s; {aged:,} open orders "
                      f"brought forward; {open_n:,} open, {leader:,} with the shift leaders", flush=True)
                results[size] = measure(engine, backend, size, repeat, random.Random(seed + size), now, ctx,
                                        show_plans and size == sizes[-1])
                _print_results(backend, size, results[size])
        finally:
            if producer is not None:
                producer.close()
            engine.dispose()
    return results


def _print_results(backend: str, size: int, out: dict) -> None:
    for name, (new, old, found, same) in out.items():
        print(f"[{backend}] {size:>11,}  {name:<28} zongji {new:9.1f} ms   baseline {old:9.1f} ms"
              f"   found {found:>11,.0f}{'' if same else '   COUNTS DIFFER'}", flush=True)


def _mark_open_links(engine, backend: str, size: int) -> None:
    """Run migration 0040 (the links' open mark and its partial index) on a database made
    before it, timed: what ``zongji db upgrade`` does to a centre's database."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with engine.connect() as c:
        if "order_open" in {col["name"] for col in inspect(c).get_columns("work_order_units")}:
            return
    spec = importlib.util.spec_from_file_location("migration_0040", MIGRATIONS / "0040_open_unit_links.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    t0 = time.perf_counter()
    with engine.begin() as c, Operations.context(MigrationContext.configure(c)):
        migration.upgrade()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM ANALYZE work_order_units" if backend == "postgresql" else "ANALYZE work_order_units")
    print(f"[{backend}] {size:,} orders: migration 0040 (links marked open, partial index) in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)


def measure_existing(url: str, repeat: int, seed: int, show_plans: bool,
                     only: tuple[str, ...] = ()) -> tuple[str, int, dict]:
    """Measure a database a ``--keep`` run left, as it would have at its largest size, after
    bringing its search index to this code's (PostgreSQL: the GIN index by blocks of ids,
    migration 0039, built from the stored terms; the old one dropped) and its links' open mark
    (migration 0040, timed)."""
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    engine = make_engine(url, pool_size=2)
    try:
        with Session(engine) as s:
            size = s.scalar(select(func.max(WorkOrder.id))) or 0
            boss = s.scalar(select(User.id).where(User.username == "boss"))
            handlers = dict(s.execute(select(User.department_id, User.id).where(User.role == "unit_handler")).all())
        search_index = work_order_models.ORDER_SEARCH.gin_index
        with engine.connect() as c:
            has_index = backend == "sqlite" or bool(c.scalar(text("SELECT to_regclass(:name) IS NOT NULL"),
                                                              {"name": search_index}))
        if not has_index and FTS_STATEMENTS is not None:
            t0 = time.perf_counter()
            with engine.connect() as c:
                c.execute(text("SET maintenance_work_mem = '1GB'"))
                plain = FullTextIndex("work_orders")
                if plain.gin_index != search_index:
                    for sql in plain.statements(c.dialect.name, drop=True):
                        c.exec_driver_sql(sql)
                for sql in FTS_STATEMENTS(c.dialect.name):
                    c.exec_driver_sql(sql)
                c.commit()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE work_orders")
            print(f"[{backend}] {size:,} orders: search index brought to this code's in "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
        if HAS_OPEN_LINKS:
            _mark_open_links(engine, backend, size)
        ctx = {"boss": boss, "handlers": handlers}
        out = measure(engine, backend, size, repeat, random.Random(seed + size), Timeline(size).now(size), ctx,
                      show_plans, only)
        _print_results(backend, size, out)
        return backend, size, out
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100000,300000", help="comma-separated order counts, ascending")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--repeat", type=int, default=5, help="runs per look-up (median)")
    p.add_argument("--seed", type=int, default=20261205)
    p.add_argument("--sqlite-fts", choices=("triggers", "rebuild"), default="rebuild",
                   help="SQLite's order search index during a load: kept by its triggers row by row, or "
                        "dropped and rebuilt after the load")
    p.add_argument("--explain", action="store_true", help="print the plans of Zongji's statements at the "
                   "largest size")
    p.add_argument("--keep", action="store_true", help="leave the databases for a look (their address is "
                   "printed; drop them yourself)")
    p.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL)
    p.add_argument("--existing", metavar="URL", help="measure a database a --keep run left (no loading), "
                   "with this code's search index and open links")
    p.add_argument("--only", default="", help="with --existing: the look-ups whose names hold one of these "
                   "comma-separated pieces (e.g. 'unit view,q: place')")
    args = p.parse_args(argv)
    if args.existing:
        only = tuple(o.strip() for o in args.only.split(",") if o.strip())
        backend, size, res = measure_existing(args.existing, args.repeat, args.seed, args.explain, only)
        buf = io.StringIO()
        growth_table(backend, {size: res}, [size], 28, buf)
        print("\n" + buf.getvalue())
        return 0
    sizes = sorted(int(x.replace("_", "")) for x in args.sizes.split(",") if x.strip())
    buf = io.StringIO()
    print(f"work-order lists bench {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, sizes {sizes}, "
          f"repeat {args.repeat}, search pairs {'on' if HAS_TERMS else 'absent from the schema'}, "
          f"SQLite search index by {args.sqlite_fts}", file=buf)
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        res = run_backend(backend, sizes, args.repeat, args.pg_admin_url, args.seed, args.sqlite_fts, args.explain,
                          args.keep)
        growth_table(backend, res, sizes, 28, buf)
    print("\n" + buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
