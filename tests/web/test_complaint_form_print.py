"""The printable complaint-handling form (投诉处理表, R-S9): /work-orders/{id}/complaint-form/print."""

from __future__ import annotations


def test_complaint_form_prints_every_field_and_respects_units(as_role, units):
    city, housing = units
    op = as_role("operator", display_name="王小红", operator_number="1001")
    leader = as_role("shift_leader")
    r = op.post("/api/work-orders", json={
        "order_type": "complaint", "situation": "general", "caller_name": "张三", "caller_number": "13800000001",
        "caller_unit_room": "3栋502", "place": "幸福小区3栋", "description": "物业维修人员上门后态度恶劣，问题仍未解决"})
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    assert leader.post(f"/api/work-orders/{oid}/actions", json={"action": "dispatch", "unit_id": city}).status_code == 200

    r = op.get(f"/work-orders/{oid}/complaint-form/print")
    assert r.status_code == 200
    html = r.text
    assert 'lang="zh-CN"' in html and "@page" in html and "A4 portrait" in html
    assert "投诉处理表" in html and "示例市12345热线" in html
    assert "王小红" in html and "张三" in html and "3栋502" in html and "13800000001" in html
    assert "物业维修人员上门后态度恶劣，问题仍未解决" in html and "市城管局" in html
    for label in ("日期", "时间", "客户姓名", "单位/房号", "联系电话", "投诉方式", "受理客服", "投诉内容", "责任部门",
                  "部门调查结果及处理方案", "部门经理", "回访结果", "处理人及日期", "项目经理意见", "签名及日期"):
        assert f"<th>{label}</th>" in html, label
    assert 'class="cf-blank"' in html  # empty fields leave a line to sign on

    # English follows the user's locale.
    assert op.post("/ui/locale", json={"locale": "en"}).status_code == 204
    html = op.get(f"/work-orders/{oid}/complaint-form/print").text
    assert 'lang="en"' in html and "Complaint-handling form" in html and "<th>Customer name</th>" in html
    assert "Example City 12345" in html and "张三" in html

    # Unit handlers: their unit's orders only.
    assert as_role("unit_handler", department_id=city).get(f"/work-orders/{oid}/complaint-form/print").status_code == 200
    other = as_role("unit_handler", department_id=housing).get(f"/work-orders/{oid}/complaint-form/print",
                                                                follow_redirects=False)
    assert other.status_code in (403, 404) and "张三" not in other.text
    assert op.get("/work-orders/999999/complaint-form/print").status_code == 404


def test_complaint_form_print_needs_login(client):
    r = client.get("/work-orders/1/complaint-form/print", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
