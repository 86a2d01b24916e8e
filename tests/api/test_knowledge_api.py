"""Knowledge-base API: who edits, who proposes, the office decides; versions; search (issue 11)."""

from __future__ import annotations

import pytest


@pytest.fixture
def kb(write, units):
    from zongji.store.models import Line, Organisation
    from sqlalchemy import select

    with write() as s:
        org_id = s.scalar(select(Organisation.id).where(Organisation.code == "city"))
        s.add(Line(organisation_id=org_id, code="hotline-12345", name="12345热线", kind="city_hotline", number="12345"))
    return units


def _article(unit_id, **kw):
    return {"title": "流浪犬只收容", "answer": "请联系市城管局动物收容站，电话 12319。",
            "keywords": ["流浪狗", "野狗"], "lines": ["hotline-12345"], "unit_id": unit_id,
            "status": "published", "next_review": "2027-06-01"} | kw


def test_office_edits_units_propose_only_their_own_and_the_office_decides(kb, as_role):
    mine, other = kb
    office = as_role("supervisor")
    handler = as_role("unit_handler", department_id=mine)
    operator = as_role("operator")

    a = office.post("/api/knowledge/articles", json=_article(mine)).json()["article"]
    b = office.post("/api/knowledge/articles", json=_article(other, title="住房公积金提取")).json()["article"]
    assert a["version"] == 1 and a["unit"]["name"] == "市城管局"

    # The unit cannot touch another unit's article, nor propose for another unit.
    r = handler.put(f"/api/knowledge/articles/{b['id']}", json=_article(other, answer="改"))
    assert r.status_code == 403 and r.json()["field"] == "article_id"
    r = handler.post("/api/knowledge/articles", json=_article(other))
    assert r.status_code == 403 and r.json()["field"] == "unit_id"
    # Operators read only.
    assert operator.put(f"/api/knowledge/articles/{a['id']}", json=_article(mine)).status_code == 403

    # The unit's change to its own article is a proposal; the article is unchanged until approved.
    p = handler.put(f"/api/knowledge/articles/{a['id']}", json=_article(mine, answer="收容站电话改为 12345。"))
    assert p.status_code == 200, p.text
    proposal = p.json()["proposal"]
    assert office.get(f"/api/knowledge/articles/{a['id']}").json()["article"]["version"] == 1
    assert [x["id"] for x in handler.get("/api/knowledge/proposals").json()["proposals"]] == [proposal["id"]]
    assert handler.post(f"/api/knowledge/proposals/{proposal['id']}/approve", json={}).status_code == 403

    r = office.post(f"/api/knowledge/proposals/{proposal['id']}/approve", json={})
    assert r.status_code == 200 and r.json()["proposal"]["state"] == "approved"
    versions = office.get(f"/api/knowledge/articles/{a['id']}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["changes"] == {"answer": ["请联系市城管局动物收容站，电话 12319。", "收容站电话改为 12345。"]}
    assert versions[1]["proposal_id"] == proposal["id"]

    # A new article proposed by the unit; rejecting needs a reason.
    new = handler.post("/api/knowledge/articles", json=_article(mine, title="占道经营")).json()["proposal"]
    r = office.post(f"/api/knowledge/proposals/{new['id']}/reject", json={"reason": " "})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = office.post(f"/api/knowledge/proposals/{new['id']}/reject", json={"reason": "与第 1 号重复"})
    assert r.json()["proposal"]["state"] == "rejected"
    assert office.post(f"/api/knowledge/proposals/{new['id']}/approve", json={}).status_code == 409


def test_search_synonyms_and_bad_input(kb, as_role):
    mine, _ = kb
    office = as_role("admin")
    operator = as_role("operator")
    a = office.post("/api/knowledge/articles", json=_article(mine, keywords=[])).json()["article"]
    assert operator.put("/api/knowledge/synonyms", json={"lines": ["a = b"]}).status_code == 403
    r = office.put("/api/knowledge/synonyms", json={"lines": ["流浪犬只 = 流浪狗 = 野狗"]})
    assert r.json()["lines"] == ["流浪犬只 = 流浪狗 = 野狗"]
    # The re-index job runs in the worker; the article's next edit re-indexes it too.
    office.put(f"/api/knowledge/articles/{a['id']}", json=_article(mine, keywords=[], category="城管"))
    found = operator.get("/api/knowledge/search", params={"q": "小区门口有野狗", "line": "hotline-12345"}).json()
    assert [x["id"] for x in found["results"]] == [a["id"]]
    assert found["results"][0]["unit"]["name"] == "市城管局"

    r = office.post("/api/knowledge/articles", json=_article(mine, lines=["no-such-line"]))
    assert r.status_code == 422 and r.json()["field"] == "lines"
    r = office.post("/api/knowledge/articles", json=_article(mine, valid_from="2027-01-02", valid_to="2027-01-01"))
    assert r.status_code == 422 and r.json()["field"] == "valid_to"
    r = office.put(f"/api/knowledge/articles/{a['id']}", json=_article(mine, version=1))
    assert r.status_code == 409 and r.json()["field"] == "version"
    assert office.get("/api/knowledge/articles/999999").status_code == 404
