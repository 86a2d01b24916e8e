"""Hold → callback (R-P9; issue 11 point 8): past the limit the caller is called back; the key
ends the hold and creates the callback work order from the call, with the number read back as
the contact, in the shift leader's queue like any other order."""

from __future__ import annotations

import contextlib

from fastapi.testclient import TestClient
from sqlalchemy import select

from zongji.store.models import Call, Line, Organisation


def test_a_long_hold_ends_with_a_callback_order(app, client, write, cti_token, make_user, request):
    def _post(**data):
        assert client.post(f"/api/v1/cti/{cti_token}", data=data).status_code == 200

    with write() as s:
        city = Organisation(code="city", name="示例市", kind="city_hotline")
        s.add(city)
        s.flush()
        s.add(Line(organisation_id=city.id, code="l12345", name="12345", kind="hotline_12345", number="12345"))
    make_user("operator", username="wang", operator_number="1001", display_name="王小红")
    stack = contextlib.ExitStack()
    request.addfinalizer(stack.close)
    wang = stack.enter_context(TestClient(app))
    assert wang.post("/api/auth/login", json={"username": "wang", "password": "secret-pass-1"}).status_code == 200
    call = {"callId": "cb-1", "from": "13800002222", "to": "12345", "direction": "in"}
    _post(event="newCall", **call)
    _post(event="answer", answeringNumber="1001", **call)
    with write() as s:
        call_id = s.scalar(select(Call.id).where(Call.external_id == "cb-1"))
    assert wang.patch(f"/api/calls/{call_id}", json={"notes": "咨询社保卡异地补办所需材料"}).status_code == 200
    assert wang.post(f"/api/calls/{call_id}/hold", json={"consent": True}).status_code == 200

    r = wang.post(f"/api/calls/{call_id}/hold/callback", json={"number": "abc"})
    assert r.status_code == 422 and r.json()["field"] == "number"
    r = wang.post(f"/api/calls/{call_id}/hold/callback", json={"number": "138 0000 3333"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["callback_number"] == "138 0000 3333" and out["hold"]["ended_at"]
    order = wang.get(f"/api/work-orders/{out['order_id']}").json()
    assert order["caller_number"].replace(" ", "") == "13800003333"
    assert "社保卡" in order["description"] and "回电" in order["description"]
    assert wang.get(f"/api/calls/{call_id}/holds").json()["holds"][0]["seconds"] is not None
    assert wang.post(f"/api/calls/{call_id}/hold/end").status_code == 409  # the hold is over
