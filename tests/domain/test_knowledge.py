"""Knowledge-base rules: ranking, synonyms, validity, review, proposals (issue 11)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from zongji.domain.chinese_text import Analyzer, Synonyms
from zongji.domain.knowledge import articles, permissions, ranking
from zongji.domain.roles import Role

CONTENT = Path(__file__).resolve().parents[2] / "zongji" / "demo" / "content"
CASES = json.loads((Path(__file__).with_name("kb_search_cases.json")).read_text("utf-8"))


def index_text(analyzer: Analyzer, title: str, keywords: list[str], answer: str) -> tuple[list, list]:
    return analyzer.terms(title + " " + " ".join(keywords)), analyzer.terms(answer)


def search(analyzer, docs, query, limit=3):
    """What the service does, in memory: candidates share a term, the domain ranks them."""
    q = analyzer.query_terms(query)
    qs = set(q)
    cands = [c for c in docs if qs & c.term_set()]
    avg = sum(c.length for c in docs) / len(docs)
    return [s.id for s in ranking.rank(q, cands, collection_size=len(docs), average_length=avg,
                                       query_text=query, limit=limit)]


@pytest.fixture(scope="module")
def demo():
    items = json.loads((CONTENT / "articles.json").read_text("utf-8"))
    synonyms = Synonyms.from_lines((CONTENT / "synonyms.txt").read_text("utf-8").splitlines())
    words = {k for a in items for k in a["keywords"]}
    analyzer = Analyzer(synonyms, words)
    docs = []
    for i, a in enumerate(items):
        t, b = index_text(analyzer, a["title"], a["keywords"], a["answer"])
        docs.append(ranking.Candidate.of(i, t, b, a["title"] + " " + " ".join(a["keywords"]) + " " + a["answer"]))
    return items, analyzer, docs


def test_shared_cases_find_their_article_in_the_top_three(demo):
    """Each case is said on the line of the article it expects (the console searches the call's
    line): the line filter applies as it does in the service."""
    items, analyzer, docs = demo
    line_of = {a["key"]: a["lines"][0] for a in items}
    misses = []
    for case in CASES:
        line = line_of[case["expect"]]
        on_line = [d for d in docs if articles.applies_to_line(items[d.id]["lines"], line)]
        top = [items[i]["key"] for i in search(analyzer, on_line, case["query"])]
        if case["expect"] not in top:
            misses.append((case["query"], case["expect"], top))
    assert not misses, misses


def test_title_match_outranks_answer_match():
    a = Analyzer()
    t1, b1 = index_text(a, "路灯不亮", [], "请联系城管局")
    t2, b2 = index_text(a, "城管局电话", [], "路灯不亮也可找城管局")
    docs = [ranking.Candidate.of(1, t2, b2), ranking.Candidate.of(2, t1, b1)]
    assert search(a, docs, "路灯不亮")[0] == 2


def test_exact_phrase_earns_a_bonus():
    a = Analyzer()
    docs = [
        ranking.Candidate.of(1, *index_text(a, "停车", ["收费"], "停车 收费"), "停车 收费 标准"),
        ranking.Candidate.of(2, *index_text(a, "停车", ["收费"], "停车 收费"), "停车收费标准"),
    ]
    assert search(a, docs, "停车收费")[0] == 2


def test_synonyms_find_the_canonical_word_and_pinyin_initials_work():
    a = Analyzer(Synonyms.from_lines(["流浪狗 = 流浪犬只 = 野狗"]))
    docs = [
        ranking.Candidate.of(1, *index_text(a, "流浪犬只收容", [], "由城管负责")),
        ranking.Candidate.of(2, *index_text(a, "噪音投诉", [], "由环保负责")),
    ]
    assert search(a, docs, "小区门口有野狗") == [1]
    assert search(a, docs, "樓上噪音") == [2]
    assert search(a, docs, "zy")[:1] == [2]


def test_no_terms_no_results():
    assert ranking.rank([], [], collection_size=0, average_length=0) == []


def test_validity_and_lines_and_review():
    d = dt.date(2026, 12, 4)
    assert articles.valid_on(None, None, d)
    assert articles.valid_on(d, d, d)
    assert not articles.valid_on(d + dt.timedelta(days=1), None, d)
    assert not articles.valid_on(None, d - dt.timedelta(days=1), d)
    assert articles.applies_to_line([], "hotline-12345")
    assert articles.applies_to_line(["hotel-switchboard"], "hotel-switchboard")
    assert not articles.applies_to_line(["hotel-switchboard"], "hotline-12345")
    assert not articles.review_due(d, d)
    assert articles.review_due(d - dt.timedelta(days=1), d)
    assert articles.next_review_after(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert articles.check_validity_range(d, d - dt.timedelta(days=1)) == "valid_to"


def test_changes_list_only_what_differs():
    old = {"title": "a", "answer": "x", "keywords": ["k"]}
    new = {"title": "a", "answer": "y", "keywords": ["k", "j"]}
    assert articles.changes(old, new) == {"answer": ["x", "y"], "keywords": [["k"], ["k", "j"]]}


@pytest.mark.parametrize(
    ("role", "user_unit", "article_unit", "expected"),
    [
        (Role.ADMIN, None, 5, permissions.Access.EDIT),
        (Role.SUPERVISOR, None, None, permissions.Access.EDIT),
        (Role.UNIT_HANDLER, 5, 5, permissions.Access.PROPOSE),
        (Role.UNIT_HANDLER, 5, 6, permissions.Access.NONE),
        (Role.UNIT_HANDLER, 5, None, permissions.Access.NONE),
        (Role.UNIT_HANDLER, None, None, permissions.Access.NONE),
        (Role.OPERATOR, None, 5, permissions.Access.NONE),
        (Role.SHIFT_LEADER, None, 5, permissions.Access.NONE),
    ],
)
def test_who_edits_and_who_proposes(role, user_unit, article_unit, expected):
    assert permissions.change_access(role, user_unit, article_unit) == expected


def test_only_the_office_decides():
    assert permissions.may_decide(Role.SUPERVISOR)
    assert not permissions.may_decide(Role.UNIT_HANDLER)
    assert not permissions.may_decide(Role.OPERATOR)


def test_common_terms_do_not_fetch_candidates_alone():
    df = {"办理": 900, "社保卡": 12, "挂失": 30, "无": 0}
    assert ranking.retrieval_terms(["办理", "社保卡", "挂失", "无"], df, 1000, 0.05) == ["社保卡", "挂失"]
    assert ranking.retrieval_terms(["办理", "电话"], {"办理": 900, "电话": 800}, 1000, 0.05) == ["电话"]
    assert ranking.retrieval_terms(["无"], df, 1000, 0.05) == []


def test_term_counts_are_exact_for_repeated_and_longer_terms():
    assert ranking._counts("a a ab b a", ["a", "b", "c"]) == {"a": 3, "b": 1}
