"""Forbidden phrases in work-order saves (R-P10, R-S16; issue 11 point 7): a unit's reply and an
operator's direct-close handling are saved (never blocked), the save answers the warnings naming
the field, and each hit is recorded against who wrote it for the quality figures."""

from __future__ import annotations

from sqlalchemy import select

from tests.api.test_work_orders_api import ORDER, _create
from zongji.store.quality_models import PhraseHit


def test_a_units_reply_and_a_direct_close_record_their_phrase_hits(as_role, units, write):
    city, _ = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_city = as_role("unit_handler", department_id=city)
    o = _create(op)
    assert "phrase_warnings" not in o
    leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": city})
    unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "accept"})
    r = unit_city.post(f"/api/work-orders/{o['id']}/actions",
                       json={"action": "reply", "text": "这是规定我没办法，你自己去民政部门问吧"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] != "accepted"  # saved, not blocked
    warned = r.json()["phrase_warnings"]
    assert {w["field"] for w in warned} == {"text"}
    assert [w["phrase"] for w in warned] == ["这是规定*没办法", "你自己去*部门问吧"]

    d = _create(op, order_type="help", situation="outside_remit", place=None,
                close_directly={"handling": "喂，告知拨打12348", "result": "来电人已知晓"})
    assert [(w["field"], w["phrase"]) for w in d["phrase_warnings"]] == [("close_directly.handling", "喂")]

    with write() as s:
        hits = s.execute(select(PhraseHit.text_kind, PhraseHit.department_id, PhraseHit.phrase)
                         .order_by(PhraseHit.id)).all()
    assert [(h.text_kind, h.department_id) for h in hits] == [("unit_reply", city)] * 2 + [("handling", None)]
    # A clean text warns of nothing.
    assert "phrase_warnings" not in op.post(f"/api/work-orders/{o['id']}/actions",
                                            json={"action": "note", "note": "已联系来电人说明进度"}).json()


def test_a_message_text_records_its_phrase_hits(write, settings, client):
    from tests.api.test_message_phone_and_channels_api import _as
    from zongji.demo.data import load_demo
    from zongji.store.models import Person

    with write() as s:
        load_demo(s, settings)
    with write() as s:
        person_id = s.scalar(select(Person.id).where(Person.name == "周文杰"))
    _as(client, "operator")
    m = client.post("/api/switchboard/messages", json={
        "recipient_kind": "staff", "recipient_id": person_id, "caller_name": "李经理", "caller_number": "13700001234",
        "content": "喂，请回电话", "read_back": True})
    assert m.status_code == 201, m.text
    assert [w["phrase"] for w in m.json()["phrase_warnings"]] == ["喂"]
    with write() as s:
        assert s.scalars(select(PhraseHit.text_kind)).all() == ["message"]
