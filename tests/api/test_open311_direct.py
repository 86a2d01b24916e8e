"""Issue 15 follow-up, point 5: with ``open311_create_directly`` an Open311 POST with a valid
service and place makes the order at once — the specification's synchronous answer (a
``service_request_id``; the token too, so token look-ups keep working); without a place, or with
the setting off (the default), the request waits in the queue and the answer is a token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api import open311_spec as spec
from zongji.services.intake import open311
from zongji.store.intake_models import IntakeMessage
from zongji.store.work_order_models import WorkOrder, WorkOrderCategory


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"run_worker_in_server": False, "open311_create_directly": True})


@pytest.fixture
def api_key(write, units, as_role):
    with write() as s:
        s.add(WorkOrderCategory(code="city/street_lights", name_zh="路灯", name_en="Street lights",
                                default_unit_id=units[0], sort=1))
    r = as_role("admin").post("/api/open311/clients", json={"name": "随手拍"})
    assert r.status_code == 201, r.text
    return r.json()["api_key"]


def test_a_valid_request_is_an_order_at_once(client, api_key, as_role, write):
    code = open311.spec.service_code("city/street_lights")
    r = client.post("/open311/v2/requests.json", data={"api_key": api_key, "service_code": code, "lat": "31.2304",
                                                       "long": "121.4737", "description": "东门路灯不亮",
                                                       "phone": "13800138000"})
    assert r.status_code == 200, r.text
    spec.check(spec.REQUEST_RESPONSE, r.json())
    number = r.json()[0]["service_request_id"]
    with write() as s:
        o = s.scalar(select(WorkOrder).where(WorkOrder.number == number))
        assert o.channel == "open311" and o.category == "city/street_lights" and o.description == "东门路灯不亮"
        m = s.scalar(select(IntakeMessage).where(IntakeMessage.token == r.json()[0]["token"]))
        assert m.state == "done" and m.outcome == "order" and m.order_id == o.id
    assert as_role("operator").get("/api/intake/queue").json()["items"] == []
    tok = client.get(f"/open311/v2/tokens/{r.json()[0]['token']}.json").json()
    assert tok == [{"service_request_id": number, "token": r.json()[0]["token"]}]
    one = client.get(f"/open311/v2/requests/{number}.xml")
    assert one.status_code == 200 and number in one.text
    # Without a place it cannot be an order by itself: queued, a token.
    r = client.post("/open311/v2/requests.json", data={"api_key": api_key, "service_code": code,
                                                       "address_id": "A-17", "description": "路灯"})
    if r.status_code == 200:
        assert "service_request_id" not in r.json()[0] and r.json()[0]["token"]
    else:  # the specification's location rule refused it
        assert r.status_code == 400


def test_off_by_default_the_request_waits_for_an_operator(client, api_key, app):
    app.state.settings.open311_create_directly = False
    code = open311.spec.service_code("city/street_lights")
    r = client.post("/open311/v2/requests.json", data={"api_key": api_key, "service_code": code,
                                                       "address_string": "幸福路88号", "description": "路灯不亮"})
    assert r.status_code == 200 and set(r.json()[0]) == {"token", "service_notice"}
