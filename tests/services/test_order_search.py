"""The work-order search box through the index of character pairs (issue 18, points 1 and 7), on
both databases: every text finds exactly the orders the old ``LIKE`` over every order found;
an edited order is found by its new words only; the pairs are those of the stored fields."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, or_, select, update

from zongji.domain.substring_index import index_text
from zongji.domain.work_orders.state import WorkOrderState
from zongji.domain.work_orders.words import OrderType, Status
from zongji.services.work_orders import listing
from zongji.services.work_orders.stored_state import state_to_json
from zongji.services.work_orders.visibility import Viewer
from zongji.store.work_order_models import ORDER_SEARCH, SEARCHED, WorkOrder

T0 = dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC)
PHRASES = ["路边流浪狗很多晚上叫", "幸福小区3号楼电梯坏了", "阳光花园物业不打扫楼道", "东区幸福路路灯不亮",
           "WiFi连不上，前台说找客房部", "wifi密码错误", "小区门口夜间施工噪音", "流浪犬只咬人", "１２号楼停水",
           "商场扶梯倒转", "50%的折扣没有兑现", "反映：物业费 太高", "垃圾桶满了没人清", "ABC超市卖过期牛奶"]
NAMES = ["张先生", "李女士", "王小红", "Mr. Smith", None, "欧阳娜娜"]
PLACES = ["东区幸福路12号", "西区阳光小区3栋", "幸福小区", None, "人民广场", "Ｂ座2楼"]
QUERIES = ["流浪狗", "小区", "幸福路", "3号楼", "wifi", "WiFi", "WIFI", "张先生", "李", "物业费 太高", "50%",
           "１２号", "12号", "ab", "ABC", "Smith", "路灯不亮", "东区幸福路12号", "夜间施工噪音", "狗",
           "没有这样的话", "欧阳", "3栋", "过期牛奶", "反映：物业", "13800001111", "0001", "楼道", "Ｂ座"]


def _seed(write, n: int = 240, *, id_step: int | None = None) -> None:
    """``n`` orders; ``id_step``: their ids that far apart (the search index's blocks of ids)."""
    rnd = random.Random(7)
    state = state_to_json(WorkOrderState(order_type=OrderType.REQUEST, created_at=T0, status=Status.CREATED))
    with write() as s:
        for i in range(n):
            text = "".join(rnd.sample(PHRASES, rnd.randint(1, 3)))
            s.add(WorkOrder(id=1 + i * id_step if id_step else None, number=f"20260105-{i:05d}", order_type="request", status="created", created_at=T0 + dt.timedelta(minutes=i),
                            state=state, caller_name=rnd.choice(NAMES), caller_number=f"1380000{i % 40:04d}",
                            description=text, place=rnd.choice(PLACES)))


def _like_everywhere(q: str):
    """The search box's text look-up without the index: ``LIKE`` over every order (letter case
    ignored, as SQLite's LIKE always did)."""
    like = f"%{q}%"
    return or_(*(getattr(WorkOrder, f).ilike(like) for f in SEARCHED))


def test_text_search_finds_the_orders_reading_every_order_found(write, session_factory):
    _seed(write)
    with session_factory() as s:
        total = s.scalar(select(func.count()).select_from(WorkOrder))
        found_any = 0
        for q in QUERIES:
            through_index = set(s.scalars(select(WorkOrder.id).where(listing.search_condition(s, q))))
            reading = set(s.scalars(select(WorkOrder.id).where(_like_everywhere(q))))
            if q.isdigit() and len(q) >= 4:
                continue  # numbers: the digits' own index (tests/services/test_call_log_search.py)
            assert through_index == reading, q
            found_any += 0 < len(reading) < total
        assert found_any >= len(QUERIES) - 6  # most queries select some orders, not none or all


def test_the_list_pages_through_what_the_search_finds(write, session_factory):
    _seed(write)
    boss = Viewer(0, "boss", "boss", "supervisor", None)
    with session_factory() as s:
        expected = set(s.scalars(select(WorkOrder.id).where(_like_everywhere("小区"))))
        seen: list[int] = []
        page = 1
        while True:
            out = listing.list_orders(s, boss, tz=dt.UTC, q="小区", page=page, page_size=25)
            seen += [o["id"] for o in out["items"]]
            if len(out["items"]) < 25:
                break
            page += 1
        assert out["total"] == len(expected) and out["total_exact"]
        assert len(seen) == len(set(seen)) and set(seen) == expected


def test_an_edited_order_is_found_by_its_new_words_only(write, session_factory):
    _seed(write, n=30)
    with write() as s:
        order = s.scalar(select(WorkOrder).order_by(WorkOrder.id))
        old_name = order.caller_name or "张先生"
        order.caller_name = old_name
    with write() as s:
        order = s.scalar(select(WorkOrder).order_by(WorkOrder.id))
        order.description = "井盖丢失，晚上很危险"
        order.caller_name = "赵师傅"
        oid = order.id

    def ids(s, q):
        return set(s.scalars(select(WorkOrder.id).where(listing.search_condition(s, q))))

    with session_factory() as s:
        row = s.get(WorkOrder, oid)
        assert row.search_terms == index_text(getattr(row, f) for f in SEARCHED)
        assert ids(s, "井盖丢失") == {oid} and ids(s, "赵师傅") == {oid}
        assert oid not in ids(s, old_name)
    # The candidates are read from the index: an order whose pairs are gone is not found, though
    # its text still holds the words.
    with write() as s:
        s.execute(update(WorkOrder).where(WorkOrder.id == oid).values(search_terms=""))
    with session_factory() as s:
        assert oid not in ids(s, "井盖丢失")


def test_text_search_lists_newest_first_page_after_page_and_counts_up_to_its_cap(write, session_factory, monkeypatch):
    """Whatever a word's share of the orders — most of them, a few, one character, none — its
    pages list every match once, newest first, and the count is exact up to the cap ("N+"
    beyond). The orders' ids lie as far apart as a history of 2 M orders, and the cap is small,
    so that PostgreSQL's block-by-block read (``_newest_matches``) crosses several windows of
    blocks on the way, as it does at millions of orders."""
    monkeypatch.setattr(listing, "TEXT_COUNT_MAX", 30)
    step = 9_000
    assert ORDER_SEARCH.block_of(1 + 239 * step) >= 2 ** 5  # windows of 1, 2, 4, 8, 16 blocks and more
    _seed(write, id_step=step)
    boss = Viewer(0, "boss", "boss", "supervisor", None)
    with session_factory() as s:
        for q in ("小区", "狗", "ABC", "欧阳", "Ｂ座", "没有这样的话"):
            expected = sorted(s.scalars(select(WorkOrder.id).where(_like_everywhere(q))), reverse=True)
            seen: list[int] = []
            page = 1
            while True:
                out = listing.list_orders(s, boss, tz=dt.UTC, q=q, page=page, page_size=7)
                seen += [o["id"] for o in out["items"]]
                if len(out["items"]) < 7:
                    break
                page += 1
            assert seen == expected, q
            assert (out["total"], out["total_exact"]) == ((len(expected), True) if len(expected) <= 30 else (30, False)), q
