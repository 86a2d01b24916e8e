"""Facilities, service hours and long-distance rates kept up to date by supervisors and admins
(R-H7) on SQLite and PostgreSQL: list, create, update, delete; every refusal names the field;
operators read but do not change; the console's information search answers from the new data;
changes are audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.switchboard_support import as_user, demo  # noqa: F401 (fixtures)
from zongji.store.models import AuditEntry

POOL = {"name": "屋顶网球场", "name_en": "Rooftop tennis court", "category": "康体", "location": "顶楼",
        "location_en": "Roof", "working_hours": {"all": [["06:30", "22:00"]]}, "extension": "6520",
        "keywords": "网球 tennis"}


def test_facility_lifecycle_and_the_console_answer(demo, client, as_user, session_factory):
    as_user("operator")
    before = client.get("/api/information/facilities").json()["items"]
    assert before  # the demo's
    assert client.post("/api/information/facilities", json=POOL).status_code == 403

    as_user("supervisor")
    r = client.post("/api/information/facilities", json=POOL)
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    assert r.json()["hours"]["zh"] and r.json()["working_hours"] == POOL["working_hours"]
    hits = client.get("/api/information", params={"q": "网球"}).json()["facilities"]
    assert [h["id"] for h in hits] == [fid] and hits[0]["extension"] == "6520"

    r = client.put(f"/api/information/facilities/{fid}", json={**POOL, "extension": "6521",
                                                                "working_hours": {"all": [["07:00", "21:00"]]}})
    assert r.status_code == 200 and r.json()["extension"] == "6521"
    assert "07:00" in r.json()["hours"]["zh"]

    assert client.delete(f"/api/information/facilities/{fid}").status_code == 204
    assert client.get("/api/information", params={"q": "网球"}).json()["facilities"] == []
    assert client.delete(f"/api/information/facilities/{fid}").status_code == 404
    with session_factory() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "facility",
                                                                 AuditEntry.entity_id == str(fid))))
        assert sorted(actions) == ["create", "delete", "update"]


@pytest.mark.parametrize("patch, field", [
    ({"name": ""}, "name"),
    ({"category": "   "}, "category"),
    ({"extension": "62-20"}, "extension"),
    ({"working_hours": {"mon": [["25:00", "26:00"]]}}, "working_hours.mon"),
    ({"working_hours": {"someday": []}}, "working_hours.someday"),
    ({"organisation_id": 999999}, "organisation_id"),
])
def test_bad_facilities_are_refused_naming_the_field(demo, client, as_user, patch, field):
    as_user("admin")
    r = client.post("/api/information/facilities", json={**POOL, **patch})
    assert 400 <= r.status_code < 500, r.text
    body = r.json()
    named = body.get("field") or body["fields"][0]["field"]
    assert named.startswith(field), body


def test_rate_lifecycle_validation_and_search(demo, client, as_user):
    as_user("supervisor")
    rates = client.get("/api/information/rates").json()["items"]
    assert rates
    body = {"kind": "idd", "destination": "冰岛", "destination_en": "Iceland", "dial_code": "00354",
            "per_minute": 12.5, "minimum_minutes": 1, "note": "含15%服务费"}
    r = client.post("/api/information/rates", json=body)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert client.get("/api/information", params={"q": "冰岛"}).json()["rates"][0]["per_minute"] == 12.5
    assert client.post("/api/information/rates", json=body).status_code == 409  # listed already

    for patch, field in [({"kind": "moon"}, "kind"), ({"per_minute": 0}, "per_minute"),
                         ({"per_minute": 5000}, "per_minute"), ({"dial_code": "00-354"}, "dial_code"),
                         ({"minimum_minutes": 0}, "minimum_minutes"), ({"destination": ""}, "destination")]:
        r = client.put(f"/api/information/rates/{rid}", json={**body, **patch})
        assert r.status_code == 422, (patch, r.text)
        b = r.json()
        assert (b.get("field") or b["fields"][0]["field"]) == field, (patch, b)

    r = client.put(f"/api/information/rates/{rid}", json={**body, "per_minute": 9.9})
    assert r.status_code == 200 and r.json()["per_minute"] == 9.9
    as_user("leader")
    assert client.delete(f"/api/information/rates/{rid}").status_code == 403
    as_user("admin")
    assert client.delete(f"/api/information/rates/{rid}").status_code == 204
    assert client.get("/api/information", params={"q": "冰岛"}).json()["rates"] == []
