"""The PMS link's status (issue 16): who may read it, what it says, and the page."""

from __future__ import annotations

import datetime as dt

from zongji.domain.fias.equipment import RoomEquipment, equipment_record
from zongji.services.fias import link_status, outbox
from zongji.store.models import AuditEntry, FeedItem, utcnow


def test_status_before_the_link_ever_ran_and_roles(as_role):
    assert as_role("operator").get("/api/fias/status").status_code == 403
    r = as_role("shift_leader").get("/api/fias/status")
    assert r.status_code == 200
    assert r.json()["state"] == "never" and r.json()["outbox"]["pending"] == 0


def test_status_shows_the_outage_alert_and_waiting_records(as_role, write, settings):
    long_ago = utcnow() - dt.timedelta(seconds=settings.fias_alert_after_seconds + 5)
    with write() as s:
        link_status.connecting(s, mode="client", peer="pms:5010", now=long_ago, settings=settings)
        link_status.down(s, error="connection refused", now=long_ago, settings=settings)
        outbox.enqueue(s, equipment_record(RoomEquipment("1201", dnd=True), utcnow(), settings.tz))
    with write() as s:
        assert link_status.check_alert(s, now=utcnow(), settings=settings)
    with write() as s:  # once per outage
        assert not link_status.check_alert(s, now=utcnow(), settings=settings)
        alerts = s.query(FeedItem).filter(FeedItem.topic == "alert").all()
        assert len(alerts) == 1 and alerts[0].payload["kind"] == "fias_link_down"
        assert s.query(AuditEntry).filter(AuditEntry.action == "link_down_alert").count() == 1
    body = as_role("supervisor").get("/api/fias/status").json()
    assert body["state"] == "down" and body["alerted"] and body["last_error"] == "connection refused"
    assert body["outbox"]["pending"] == 1 and body["peer"] == "pms:5010"


def test_the_page_for_leaders_only(as_role):
    assert 'id="fias-page"' in as_role("admin").get("/settings/pms").text
    assert 'id="fias-page"' not in as_role("operator").get("/settings/pms").text


def test_postings_listed_for_leaders_and_a_refused_one_sent_again(as_role, write, settings):
    from zongji.domain.fias.postings import PostingAnswer
    from zongji.services.fias import postings

    with write() as s:
        p = postings.post(s, source="minibar:9", room="1201", amount_minor=800, text="minibar")
        postings.records_to_send(s, utcnow(), settings)
        postings.answer(s, PostingAnswer(p.id, "NP", "no post allowed"), utcnow(), settings)
    assert as_role("operator").get("/api/fias/postings").status_code == 403
    listed = as_role("shift_leader").get("/api/fias/postings").json()
    assert [(x["source"], x["state"], x["answer"]) for x in listed] == [("minibar:9", "refused", "NP")]
    assert as_role("shift_leader").post(f"/api/fias/postings/{p.id}/requeue").status_code == 403
    r = as_role("supervisor").post(f"/api/fias/postings/{p.id}/requeue")
    assert r.status_code == 200 and r.json()["state"] == "queued"
    again = as_role("supervisor").post(f"/api/fias/postings/{p.id}/requeue")
    assert again.status_code == 422 and again.json()["field"] == "posting_id"
    assert as_role("supervisor").get("/api/fias/status").json()["postings"]["queued"] == 1
