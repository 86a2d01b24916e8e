"""The demo knowledge-base content is well-formed (issue 11, point 1): articles, synonyms, search cases."""

import json
import re
from pathlib import Path

import pytest

from zongji.demo import data
from zongji.domain.chinese_text import parse_synonym_group

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "zongji" / "demo" / "content"
FIELDS = {"key", "scope", "title", "answer", "keywords", "category", "lines", "unit", "review_months"}
LINE_OF_SCOPE = {"city": data.HOTLINE_12345_CODE, "hotel": data.HOTEL_LINE_CODE, "company": data.COMPANY_400_CODE}
UNITS_OF_SCOPE = {
    "city": {name for name, _ in data.HANDLING_UNITS},
    "hotel": {row[0] for row in data.HOTEL_DEPARTMENTS},
    "company": {row[0] for row in data.COMPANY_DEPARTMENTS},
}
MINIMUM_OF_SCOPE = {"city": 55, "hotel": 28, "company": 7}


def _articles() -> list[dict]:
    return json.loads((CONTENT / "articles.json").read_text(encoding="utf-8"))


def _synonym_lines() -> list[str]:
    lines = (CONTENT / "synonyms.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _sentences(text: str) -> int:
    return len([s for s in re.split(r"[。！？!?]", text) if s.strip()])


def test_articles_have_every_field_and_unique_keys():
    articles = _articles()
    keys = [a["key"] for a in articles]
    assert len(keys) == len(set(keys))
    for a in articles:
        assert set(a) == FIELDS, a.get("key")
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a["key"]), a["key"]
        assert a["title"].strip() and a["category"].strip(), a["key"]
        assert 2 <= _sentences(a["answer"]) <= 6, a["key"]
        assert 5 <= len(a["keywords"]) <= 10 and len(set(a["keywords"])) == len(a["keywords"]), a["key"]
        assert a["review_months"] in (3, 6, 12), a["key"]


def test_articles_belong_to_the_demo_lines_and_units():
    articles = _articles()
    for a in articles:
        assert a["scope"] in LINE_OF_SCOPE, a["key"]
        assert a["lines"] == [LINE_OF_SCOPE[a["scope"]]], a["key"]
        assert a["unit"] is None or a["unit"] in UNITS_OF_SCOPE[a["scope"]], a["key"]
    for scope, minimum in MINIMUM_OF_SCOPE.items():
        assert sum(a["scope"] == scope for a in articles) >= minimum, scope


def test_every_handling_unit_owns_city_articles():
    owners = {a["unit"] for a in _articles() if a["scope"] == "city"}
    assert UNITS_OF_SCOPE["city"] <= owners


def test_synonym_groups_have_two_words_and_no_word_in_two_groups():
    groups = [parse_synonym_group(line) for line in _synonym_lines()]
    assert len(groups) >= 120
    assert all(len(g) >= 2 for g in groups)
    words = [w for g in groups for w in g]
    assert len(words) == len(set(words))


def test_search_cases_name_existing_articles_and_do_not_copy_titles():
    articles = {a["key"]: a for a in _articles()}
    cases = json.loads((ROOT / "tests" / "domain" / "kb_search_cases.json").read_text(encoding="utf-8"))
    assert len(cases) >= 40
    for case in cases:
        assert set(case) == {"query", "expect"}
        assert case["expect"] in articles, case
        assert case["query"].strip() and case["query"] != articles[case["expect"]]["title"], case


@pytest.mark.parametrize("scope", sorted(LINE_OF_SCOPE))
def test_each_scope_has_search_cases(scope):
    articles = {a["key"]: a for a in _articles()}
    cases = json.loads((ROOT / "tests" / "domain" / "kb_search_cases.json").read_text(encoding="utf-8"))
    assert any(articles[c["expect"]]["scope"] == scope for c in cases)
