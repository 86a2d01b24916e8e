"""Issue 15 follow-up, point 4: a long SMS whose last parts never come is not lost. After
``intake_sms_part_wait_minutes`` the worker's ``intake.sms_parts_flush`` job puts the parts that
came into the queue as one message, in order, marked incomplete; running it again adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from zongji.services import auth
from zongji.services.intake import sms
from zongji.store.intake_models import IntakeMessage, SmsPart
from zongji.store.models import utcnow
from zongji.worker.runner import Worker
from zongji.worker.tasks import load_all


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"run_worker_in_server": False})


@pytest.fixture
def sms_token(write) -> str:
    with write() as s:
        return auth.add_integration_token(s, "sms-gateway", scopes="sms").token


def _part(client, token, mid, no, text, ref="9b", total=3):
    r = client.post("/api/v1/sms/inbound", json={"message_id": mid, "from": "13800138000", "text": text,
                                                  "reference": ref, "part": no, "total": total},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()


def test_parts_of_a_long_sms_that_never_completes_are_queued_as_they_are(client, as_role, sms_token, runtime, write):
    assert _part(client, sms_token, "q3", 3, "已经三天了。")["complete"] is False
    assert _part(client, sms_token, "q1", 1, "幸福路八十八号")["complete"] is False
    with write() as s:
        sms.ensure_flush(s, utcnow())
    # Within the wait nothing moves: the job reschedules itself and the parts keep waiting.
    Worker(runtime, handlers=load_all(), clock=lambda: utcnow() + dt.timedelta(minutes=2)).run_once()
    assert as_role("operator").get("/api/intake/queue").json()["items"] == []
    # Past the wait (10 minutes by default) the parts that came are delivered, marked incomplete.
    later = utcnow() + dt.timedelta(minutes=12)
    Worker(runtime, handlers=load_all(), clock=lambda: later).run_once()
    items = as_role("operator").get("/api/intake/queue").json()["items"]
    assert [m["text"] for m in items] == ["【短信不完整：缺第 2 段，共 3 段】幸福路八十八号已经三天了。"]
    with write() as s:
        m = s.scalar(select(IntakeMessage).where(IntakeMessage.channel == "sms"))
        assert m.meta["incomplete"] is True and m.meta["missing"] == [2]
        assert s.scalar(select(func.count()).select_from(SmsPart).where(SmsPart.message_id.is_(None))) == 0
        assert sms.flush_stale(s, runtime.settings, now=later + dt.timedelta(hours=1)) == []  # once only
    # A retried delivery of a part already delivered stores nothing new.
    assert _part(client, sms_token, "q1", 1, "幸福路八十八号")["duplicate"] is True
    assert len(as_role("operator").get("/api/intake/queue").json()["items"]) == 1


def test_a_complete_long_sms_is_not_touched_by_the_flush(client, as_role, sms_token, runtime, write):
    for mid, no, text in (("c1", 1, "甲"), ("c2", 2, "乙")):
        _part(client, sms_token, mid, no, text, ref="c", total=2)
    with write() as s:
        assert sms.flush_stale(s, runtime.settings, now=utcnow() + dt.timedelta(hours=1)) == []
    assert [m["text"] for m in as_role("operator").get("/api/intake/queue").json()["items"]] == ["甲乙"]
