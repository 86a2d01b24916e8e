"""The demo responsibility catalogue and the labelled dispatch set are well-formed.

matters.json feeds the knowledge base and the dispatch suggestion; requests.jsonl measures the
suggestion. A broken unit name or category code would silently spoil both, and an eval line that
repeats a history line or a catalogue example would make the measured accuracy meaningless.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from zongji.demo.data import HANDLING_UNITS
from zongji.demo.work_orders import CATEGORIES_12345

ROOT = Path(__file__).resolve().parents[2]
MATTERS = json.loads((ROOT / "zongji" / "demo" / "content" / "matters.json").read_text(encoding="utf-8"))
REQUESTS = [json.loads(line) for line in
            (ROOT / "bench" / "dispatch_eval" / "requests.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
UNITS = {name for name, _ in HANDLING_UNITS} | {"热线办公室"}
CODES = {code for code, *_ in CATEGORIES_12345}
HISTORY = [r for r in REQUESTS if r["set"] == "history"]
EVAL = [r for r in REQUESTS if r["set"] == "eval"]


def test_catalogue_rows_have_the_documented_shape():
    assert len(MATTERS) >= 110
    names = [m["matter"] for m in MATTERS]
    assert len(names) == len(set(names)), "matter names are unique"
    for m in MATTERS:
        assert set(m) == {"matter", "unit", "assisting", "basis", "examples", "keywords", "category"}, m
        assert m["matter"].strip() and len(m["matter"]) <= 12, m["matter"]
        assert m["unit"] in UNITS, m["unit"]
        assert all(a in UNITS and a != m["unit"] for a in m["assisting"]), m["matter"]
        assert m["basis"].startswith("《") and "》第" in m["basis"], m["basis"]
        assert 8 <= len(m["examples"]) <= 20 and all(e.strip() for e in m["examples"]), m["matter"]
        assert 8 <= len(m["keywords"]) <= 24, m["matter"]
        assert m["category"] is None or m["category"] in CODES, m["category"]


def test_every_unit_has_at_least_five_matters():
    per_unit = Counter(m["unit"] for m in MATTERS)
    assert {u: per_unit[u] for u in UNITS if per_unit[u] < 5} == {}


@pytest.mark.parametrize(("matter_word", "unit"), [
    ("夜间施工", "市住建局"), ("工业噪声", "市生态环境局"), ("社会生活噪声", "市公安局"),
    ("住宅电梯", "市住建局"), ("特种设备", "市市场监管局"), ("东区道路停车收费", "示例东区人民政府"),
    ("违法停车", "市公安局"), ("供水停水", "市水务集团"), ("二次供水", "市住建局"), ("低保", "市民政局"),
    ("社会保险", "市人社局"), ("居民医保", "市医保局"), ("病媒生物", "市卫健委"), ("生活垃圾", "市城管局"),
])
def test_the_hard_boundaries_are_in_the_catalogue(matter_word, unit):
    owners = {m["unit"] for m in MATTERS if matter_word in m["matter"]}
    assert owners == {unit}


def test_request_lines_have_the_documented_shape():
    for r in REQUESTS:
        assert set(r) == {"text", "category", "place", "unit", "set", "returned_from"}, r
        assert 15 <= len(r["text"]) <= 80, r["text"]
        assert r["unit"] in UNITS, r
        assert r["category"] is None or r["category"] in CODES, r
        assert r["set"] in ("history", "eval"), r
        assert r["place"] == "" or r["place"] in r["text"], r
        if r["returned_from"] is not None:
            assert r["set"] == "history" and r["returned_from"] in UNITS and r["returned_from"] != r["unit"], r
        if r["unit"] == "示例东区人民政府":
            assert r["place"].startswith("东区"), r
        if r["unit"] == "示例西区人民政府":
            assert r["place"].startswith("西区"), r


def test_set_sizes_and_proportions():
    # A centre learns from thousands of past orders: 2,000 history lines, the 480 eval lines.
    assert len(REQUESTS) >= 2400 and len(HISTORY) >= 1900 and len(EVAL) >= 450
    for rows in (HISTORY, EVAL):
        per_unit = Counter(r["unit"] for r in rows)
        assert set(per_unit) == UNITS
        busiest = {u for u, _ in per_unit.most_common(5)}
        assert {"市城管局", "市住建局", "市交通运输局", "市人社局"} <= busiest
        null_share = sum(r["category"] is None for r in rows) / len(rows)
        assert 0.12 <= null_share <= 0.35
    returned_share = sum(r["returned_from"] is not None for r in HISTORY) / len(HISTORY)
    assert 0.05 <= returned_share <= 0.15


def test_eval_texts_are_not_copies_of_history_or_catalogue_examples():
    texts = [r["text"] for r in REQUESTS]
    assert len(texts) == len(set(texts)), "no duplicate lines"
    history_texts = [r["text"] for r in HISTORY]
    examples = [e for m in MATTERS for e in m["examples"]]
    leaks = [r["text"] for r in EVAL
             if any(r["text"] in h for h in history_texts) or any(r["text"] in e or e in r["text"] for e in examples)]
    assert leaks == []
    eval_places = {r["place"] for r in EVAL} - {""}
    history_places = {r["place"] for r in HISTORY} - {""}
    assert eval_places.isdisjoint(history_places)


def test_eval_rows_are_the_published_ones():
    """The evaluation set is fixed: regenerating the content (new catalogue examples, a new
    history) must leave every eval row byte-identical, or figures stop being comparable."""
    lines = [line for line in (ROOT / "bench" / "dispatch_eval" / "requests.jsonl").read_text(encoding="utf-8")
             .splitlines() if '"set": "eval"' in line]
    assert hashlib.md5(("\n".join(lines) + "\n").encode("utf-8")).hexdigest() == "ed627bab8b1d8cd1aef153f3bd23f462"
