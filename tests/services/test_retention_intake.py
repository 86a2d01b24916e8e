"""Retention of the intake queue's messages (issue 18 point 3, R-S17) on both databases: a run
anonymises the messages received before the period and the answers sent, deletes the files that
came with them and the parts of long SMS; a message still waiting and every younger one stay as
they are; the channel figures are the same before and after."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from zongji.domain.retention import anonymise
from zongji.services import retention
from zongji.services.intake.figures import channel_figures
from zongji.services.intake.mail import attachments_dir
from zongji.services.retention.keys import anonymisation_key
from zongji.settings import Settings
from zongji.store.intake_models import IntakeMessage, SmsPart
from zongji.store.retention_models import RetentionRun

NOW = dt.datetime(2026, 12, 4, 4, 0, tzinfo=dt.UTC)
CUTOFF = NOW - dt.timedelta(days=1095)
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path, retention_batch_rows=2)


def _message(s, at: dt.datetime, **kw) -> int:
    values = dict(channel="sms", direction="in", state="done", outcome="order", sender="13800001111",
                  sender_digits="13800001111", text="幸福路88号路灯不亮", received_at=at,
                  first_response_due_at=at + dt.timedelta(minutes=3),
                  first_responded_at=at + dt.timedelta(minutes=2))
    values.update(kw)
    m = IntakeMessage(**values)
    s.add(m)
    s.flush()
    return m.id


def test_expired_messages_are_anonymised_their_files_and_sms_parts_deleted(write, session_factory, settings, tmp_path):
    old, young = CUTOFF - dt.timedelta(days=1), CUTOFF + dt.timedelta(days=1)
    stored = "0f" * 16
    (attachments_dir(tmp_path) / stored).write_bytes(b"photo")
    kept_file = "1e" * 16
    (attachments_dir(tmp_path) / kept_file).write_bytes(b"photo")
    with write() as s:
        mail = _message(s, old, channel="email", sender="citizen@example.cn", sender_digits=None,
                        text="路灯坏了\n附照片", meta={"subject": "路灯", "name": "张三",
                                                 "attachments": [{"filename": "灯.jpg", "stored": stored}]})
        web = _message(s, old + dt.timedelta(hours=1), channel="web", client_address="203.0.113.9",
                       meta={"phone": "13800002222", "address": "幸福路88号"})
        answer = _message(s, old + dt.timedelta(hours=2), direction="out", state="sent", outcome=None,
                          text="您的诉求已受理，工单号 2026-001", first_response_due_at=None, first_responded_at=None)
        waiting = _message(s, old + dt.timedelta(hours=3), state="waiting", outcome=None, first_responded_at=None)
        fresh = _message(s, young, channel="email", sender="someone@example.cn", sender_digits=None,
                         meta={"attachments": [{"filename": "b.jpg", "stored": kept_file}]})
        s.add_all([SmsPart(external_id="p-old", sender="13800003333", reference="7a", part=1, total=2,
                           text="东湖路", received_at=old),
                   SmsPart(external_id="p-young", sender="13800003333", reference="7b", part=1, total=2,
                           text="东湖路", received_at=young)])
    days = (old.astimezone(TZ).date() - dt.timedelta(days=2), young.astimezone(TZ).date() + dt.timedelta(days=2))
    with session_factory() as s:
        figures_before = channel_figures(s, *days, TZ)
        before = {m.id: (m.sender, m.text, m.meta) for m in s.scalars(select(IntakeMessage))}
        assert {m.channel for m in s.scalars(select(IntakeMessage))} == {"sms", "email", "web"}

    key = retention.run(session_factory, settings, NOW, run_key="intake-1")

    with session_factory() as s:
        assert channel_figures(s, *days, TZ) == figures_before
        rows = {m.id: m for m in s.scalars(select(IntakeMessage))}
        for mid in (mail, web, answer):
            m = rows[mid]
            assert anonymise.is_stand_in(m.sender) and m.text == ""
            assert (m.sender_digits, m.client_address, m.meta, m.error) == (None, None, None, None)
        # The same sender gets the same stand-in (counts of distinct senders stay).
        assert rows[web].sender == rows[answer].sender == anonymise.stand_in("13800001111", anonymisation_key(settings))
        for mid in (waiting, fresh):
            assert (rows[mid].sender, rows[mid].text, rows[mid].meta) == before[mid]
        assert list(s.scalars(select(SmsPart.external_id))) == ["p-young"]
        report = s.scalar(select(RetentionRun).where(RetentionRun.run_key == key, RetentionRun.kind == "intake"))
        assert report.rows == 4 and report.finished_at is not None  # three messages, one SMS part
    assert not (attachments_dir(tmp_path) / stored).exists()
    assert (attachments_dir(tmp_path) / kept_file).exists()

    # A second run finds nothing more to do.
    again = retention.run(session_factory, settings, NOW, run_key="intake-2")
    with session_factory() as s:
        assert s.scalar(select(RetentionRun.rows).where(RetentionRun.run_key == again, RetentionRun.kind == "intake")) == 0
