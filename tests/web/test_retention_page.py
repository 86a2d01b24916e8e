"""The retention page (issue 18 point 3): supervisors and admins only, in either language."""

from __future__ import annotations


def test_retention_page_for_supervisors_and_admins_only(client, login):
    assert client.get("/settings/retention", follow_redirects=False).status_code == 303
    login("operator")
    r = client.get("/settings/retention")
    assert r.status_code == 200 and 'id="retention-page"' not in r.text
    login("supervisor")
    r = client.get("/settings/retention")
    assert r.status_code == 200 and 'id="retention-page"' in r.text and "数据保留" in r.text
    assert 'href="/settings/retention"' in client.get("/settings/work-orders").text
    assert client.post("/ui/locale", json={"locale": "en"}).status_code == 204
    assert "Data retention" in client.get("/settings/retention").text
    assert client.get("/static/retention.js").status_code == 200
