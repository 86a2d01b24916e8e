"""Open311 GeoReport v2 (issue 15, point 5) against a real server, with a client written against
the specification (tests/api/open311_spec.py): discovery, services and their definitions, a
request filed with an api_key, registered by an operator through the intake queue, followed by
token and id, listed with the standard filters — every answer in JSON and XML checked against
the specification's schemas, refusals in its error format, and nothing internal in any answer."""

from __future__ import annotations

import httpx
import pytest

from tests.api import open311_spec as spec
from zongji.store.work_order_models import WorkOrderCategory


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"open311_jurisdiction_id": "example.gov.cn", "intake_open311_max_per_hour": 2})


@pytest.fixture
def city(write, units):
    with write() as s:
        s.add_all([WorkOrderCategory(code="city", name_zh="市政", name_en="City works", sort=1),
                   WorkOrderCategory(code="city/street_lights", parent_code="city", name_zh="路灯", name_en="Street lights",
                                     default_unit_id=units[0], sort=2),
                   WorkOrderCategory(code="city/stray_dogs", parent_code="city", name_zh="流浪犬", name_en="Stray dogs",
                                     sort=3)])
    return units


def _both(client: spec.GeoReportClient, resource: str, shape: str, schema: dict, **params):
    """The answer in JSON and in XML, each checked, and equal to each other."""
    rj = client.get(resource, "json", **params)
    rx = client.get(resource, "xml", **params)
    assert rj.status_code == rx.status_code == 200, (rj.text, rx.text)
    assert rj.headers["content-type"].startswith("application/json") and rx.headers["content-type"].startswith("text/xml")
    data = rj.json()
    spec.check(schema, data)
    assert spec.from_xml(rx.content, shape) == data
    return data


def _refused(r: httpx.Response, code: int, fmt: str = "json") -> str:
    assert r.status_code == code, r.text
    errors = r.json() if fmt == "json" else spec.from_xml(r.content, "errors")
    spec.check(spec.ERRORS, errors)
    assert errors[0]["code"] == code
    return errors[0]["description"]


def test_an_open311_client_files_and_follows_a_request(core_server, city, make_user):
    admin = httpx.Client(base_url=core_server)
    user, pw = make_user("admin")
    assert admin.post("/api/auth/login", json={"username": user, "password": pw}).status_code == 200
    issued = admin.post("/api/open311/clients", json={"name": "随手拍 app"})
    assert issued.status_code == 201, issued.text
    api_key = issued.json()["api_key"]

    # Discovery names the endpoint and its formats.
    anon = spec.GeoReportClient(core_server + "/open311/v2/", jurisdiction_id="example.gov.cn")
    disc = _both(anon, "discovery", "discovery", spec.DISCOVERY)
    base = disc["endpoints"][0]["url"]
    assert base == core_server + "/open311/v2/" and set(disc["endpoints"][0]["formats"]) == {"text/xml", "application/json"}
    client = spec.GeoReportClient(base, api_key=api_key, jurisdiction_id="example.gov.cn")

    services = _both(client, "services", "services", spec.SERVICES)
    assert {s["service_code"]: s["group"] for s in services} == {"city.street_lights": "市政", "city.stray_dogs": "市政"}
    definition = _both(client, "services/city.street_lights", "service_definition", spec.SERVICE_DEFINITION)
    attr = definition["attributes"][0]
    assert attr["code"] == "order_type" and "complaint" in [v["key"] for v in attr["values"]]
    _refused(client.get("services/city.nothing"), 404)
    _refused(client.get("services/city.nothing", "xml"), 404, "xml")
    _refused(client.get("services", "json", jurisdiction_id="elsewhere"), 404)

    # Filing: refusals in the specification's format, then a request with a token.
    no_key = spec.GeoReportClient(base, jurisdiction_id="example.gov.cn")
    _refused(no_key.post_request(service_code="city.street_lights", lat="31.23", long="121.47"), 403)
    _refused(client.post_request(service_code="city.nothing", lat="31.23", long="121.47"), 400)
    assert "location" in _refused(client.post_request(service_code="city.street_lights", description="灯坏了"), 400)
    _refused(client.post_request("xml", service_code="city.street_lights", lat="91", long="0"), 400, "xml")
    _refused(client.post_request(service_code="city.street_lights", lat="31.2", long="121.4", media_url="javascript:x"), 400)
    r = client.post_request(service_code="city.street_lights", lat="31.2304", long="121.4737",
                            address_string="幸福路88号东门", description="东门路灯不亮，晚上很黑",
                            media_url="https://img.example.org/p/1.jpg", first_name="小明", last_name="李",
                            phone="13800138000", email="li@example.org", **{"attribute[order_type]": "request"})
    assert r.status_code == 200, r.text
    filed = r.json()
    spec.check(spec.REQUEST_RESPONSE, filed)
    token = filed[0]["token"]
    waiting = spec.GeoReportClient(base).get(f"tokens/{token}")
    spec.check(spec.TOKEN_RESPONSE, waiting.json())
    assert "service_request_id" not in waiting.json()[0]  # not registered yet
    rx = client.post_request("xml", service_code="city.stray_dogs", address_string="人民公园北门",
                             description="几条野狗追人")
    assert rx.status_code == 200 and spec.from_xml(rx.content, "requests")[0]["token"]

    # An operator works it from the intake queue like any message: the order carries what was filed.
    op = httpx.Client(base_url=core_server)
    user, pw = make_user("operator")
    assert op.post("/api/auth/login", json={"username": user, "password": pw}).status_code == 200
    queue = op.get("/api/intake/queue").json()["items"]
    assert [m["channel"] for m in queue] == ["open311", "open311"]
    order = op.post(f"/api/intake/messages/{queue[0]['id']}/order",
                    json={"order_type": "request", "situation": "general"})
    assert order.status_code == 201, order.text
    o = order.json()
    assert (o["channel"], o["category"], o["place"], o["latitude"]) == ("open311", "city/street_lights", "幸福路88号东门", 31.2304)
    number = o["number"]

    tok = _both(client, f"tokens/{token}", "requests", spec.TOKEN_RESPONSE)
    assert tok == [{"service_request_id": number, "token": token}]

    one = _both(client, f"requests/{number}", "requests", spec.REQUESTS)
    assert len(one) == 1 and one[0]["status"] == "open" and one[0]["service_code"] == "city.street_lights"
    assert one[0]["media_url"] == "https://img.example.org/p/1.jpg" and one[0]["address"] == "幸福路88号东门"
    assert one[0]["requested_datetime"].endswith("+08:00")
    listed = _both(client, "requests", "requests", spec.REQUESTS, service_code="city.street_lights,city.stray_dogs",
                   status="open")
    assert [x["service_request_id"] for x in listed] == [number]
    assert _both(client, "requests", "requests", spec.REQUESTS, status="closed") == []
    assert _both(client, "requests", "requests", spec.REQUESTS, service_request_id=number) == one
    # Nothing internal or personal: no operator, no caller's name, number or e-mail.
    for resource in (f"requests/{number}", "requests"):
        for fmt in ("json", "xml"):
            text = client.get(resource, fmt).text
            for secret in ("13800138000", "li@example.org", "李", "小明", user):
                assert secret not in text, (secret, resource, fmt)
    _refused(client.get("requests/20000101-9999"), 404)
    _refused(client.get("requests", "json", start_date="yesterday"), 400)
    _refused(client.get("requests", "json", start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z"), 400)
    _refused(client.get("tokens/nope"), 404)

    # Two requests within the hour is this test's limit: the third is refused in the spec's format.
    assert "hour" in _refused(client.post_request(service_code="city.street_lights", lat="31.2", long="121.4"), 429)
    # A revoked key files nothing more.
    cid = issued.json()["id"]
    assert admin.post(f"/api/open311/clients/{cid}/revoke").status_code == 200
    _refused(client.post_request(service_code="city.street_lights", lat="31.2", long="121.4"), 403)
    for c in (admin, op):
        c.close()
    for c in (anon, client, no_key):
        c.close()


def test_only_admins_and_supervisors_issue_api_keys(as_role):
    assert as_role("operator").post("/api/open311/clients", json={"name": "x"}).status_code == 403
    r = as_role("supervisor").post("/api/open311/clients", json={"name": " "})
    assert r.status_code == 422 and r.json()["field"] == "name"
