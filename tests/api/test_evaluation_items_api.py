"""Configurable evaluation items (质检项, R-O5; issue 11 point 7): only a supervisor edits them;
a review's total is out of the active items' sum; a review keeps the items it was scored on;
a comment per item; the operator sees their own reviews; the scores feed the operator figures."""

from __future__ import annotations

import contextlib

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.test_cti import _line
from tests.api.test_stats_api import _base, _calls
from tests.api.test_stats_operators_api import _client
from zongji.store.models import Call, User, utcnow


def test_the_supervisor_edits_the_items_and_old_reviews_keep_theirs(app, client, write, cti_token, make_user,
                                                                     settings, request):
    _line(write)
    make_user("operator", username="wang", operator_number="1001", display_name="王小红")
    _calls(client, cti_token, _base(settings.tz))
    with write() as s:
        wang_id = s.scalar(select(User.id).where(User.username == "wang"))
        call_id = s.scalar(select(Call.id).where(Call.answered_by_id == wang_id))
    stack = contextlib.ExitStack()
    request.addfinalizer(stack.close)
    sup = _client(stack, app, make_user, "supervisor")
    leader = _client(stack, app, make_user, "shift_leader", username="zhao")
    wang = stack.enter_context(TestClient(app))
    assert wang.post("/api/auth/login", json={"username": "wang", "password": "secret-pass-1"}).status_code == 200

    # The defaults: the five criteria plus 规范用语 and 禁语, 100 in all.
    got = sup.get("/api/evaluation/items").json()
    keys = [i["key"] for i in got["items"]]
    assert "scripts" in keys and "forbidden" in keys and got["max_points"] == 100
    labels = {i["key"]: i["label_zh"] for i in got["items"]}
    assert labels["scripts"] == "规范用语" and labels["forbidden"] == "禁语"

    scores = {i["key"]: i["points"] for i in got["items"]}
    scores["attitude"] -= 5
    r = sup.put(f"/api/calls/{call_id}/review",
                json={"scores": scores, "item_comments": {"attitude": "语气生硬"}, "comment": "整体尚可"})
    assert r.status_code == 200, r.text
    first = r.json()["review"]
    assert (first["total"], first["max_points"]) == (95, 100)
    assert first["item_comments"] == {"attitude": "语气生硬"}

    # Only a supervisor (or admin) edits the items.
    new = [{"key": "greeting", "label_zh": "开头语", "points": 20},
           {"key": "accuracy", "label_zh": "答复准确", "label_en": "Accuracy", "points": 20},
           {"key": "forbidden", "label_zh": "禁语", "points": 10},
           {"key": "closing", "label_zh": "结束语", "points": 10, "active": False}]
    assert leader.put("/api/evaluation/items", json={"items": new}).status_code == 403
    assert wang.put("/api/evaluation/items", json={"items": new}).status_code == 403
    r = sup.put("/api/evaluation/items", json={"items": new})
    assert r.status_code == 200, r.text
    assert r.json()["max_points"] == 50
    assert [i["key"] for i in wang.get("/api/evaluation/items").json()["items"]] == \
        ["greeting", "accuracy", "forbidden", "closing"]

    # The old review keeps its items and total.
    old = wang.get(f"/api/calls/{call_id}/review").json()
    assert old["review"]["total"] == 95 and len(old["review"]["items"]) == 7
    assert [c["key"] for c in old["criteria"]] == ["greeting", "accuracy", "forbidden"]  # the inactive one is not scored

    # Reviewed again on the new items: out of 50; the operator figures use the 0–100 scale.
    r = sup.put(f"/api/calls/{call_id}/review", json={"scores": {"greeting": 20, "accuracy": 15, "forbidden": 5}})
    assert r.status_code == 200, r.text
    assert (r.json()["review"]["total"], r.json()["review"]["max_points"]) == (40, 50)
    day = utcnow().astimezone(settings.tz).date().isoformat()
    rows = sup.get("/api/stats/operators", params={"date_from": day, "date_to": day}).json()["rows"]
    f = next(r for r in rows if r["operator_number"] == "1001")["figures"]
    assert (f["calls_reviewed"], f["quality_score"]) == (1, 80)

    # 我的质检: the operator sees their reviews with per-item comments; others see none of theirs.
    mine = wang.get("/api/evaluation/mine").json()
    assert [r["call_id"] for r in mine["reviews"]] == [call_id] and mine["mean_score"] == 80
    assert leader.get("/api/evaluation/mine").json()["reviews"] == []

    # Refusals name the field.
    r = sup.put(f"/api/calls/{call_id}/review", json={"scores": {"greeting": 20, "accuracy": 15, "forbidden": 5,
                                                                 "closing": 3}})
    assert r.status_code == 422 and r.json()["field"].startswith("scores")
    r = sup.put(f"/api/calls/{call_id}/review", json={"scores": {"greeting": 20, "accuracy": 15, "forbidden": 5},
                                                      "item_comments": {"speed": "快"}})
    assert r.status_code == 422 and r.json()["field"] == "item_comments"
    dup = [{"key": "greeting", "label_zh": "开头语", "points": 20}] * 2
    r = sup.put("/api/evaluation/items", json={"items": dup})
    assert r.status_code == 422 and r.json()["field"] == "items.1.key"
    r = sup.put("/api/evaluation/items", json={"items": [{"key": "greeting", "label_zh": "开头语", "points": 20,
                                                          "active": False}]})
    assert r.status_code == 422 and r.json()["field"] == "items"
    r = sup.put("/api/evaluation/items", json={"items": [{"key": "greeting", "label_zh": "开头语", "points": 0}]})
    assert r.status_code == 422 and "points" in r.json()["field"]
