"""The intake's pure rules (issue 15): the closed channel set and the legacy values, the
first-response clock, long-SMS reassembly and the SMS status query."""

from __future__ import annotations

import datetime as dt

import pytest

from zongji.domain.intake import first_response, public_status, sms_parts
from zongji.domain.intake.channels import CHANNELS, Channel, from_legacy, parse_channel
from zongji.domain.intake.status_query import order_number_asked


def test_the_channel_is_one_of_the_closed_set():
    assert set(CHANNELS) == {"phone", "sms", "email", "web", "open311", "app", "letter", "walk-in"}
    assert parse_channel("sms") is Channel.SMS and parse_channel(None) is Channel.PHONE
    for bad in ("SMS", "wechat", "fax", "phone "):
        with pytest.raises(ValueError):
            parse_channel(bad)


@pytest.mark.parametrize("old,new", [("wechat", "app"), ("visit", "walk-in"), ("电话", "phone"), ("来信", "letter"),
                                     ("Web", "web"), ("E-mail", "email"), ("whatever an operator typed", "phone"),
                                     ("", "phone"), (None, "phone"), ("短信", "sms")])
def test_free_text_written_before_maps_to_the_closest_channel(old, new):
    assert from_legacy(old) == new


def test_the_first_response_clock_runs_per_channel():
    t0 = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.timezone.utc)
    minutes = {"sms": 3, "email": 60}
    due = first_response.due_at(t0, "sms", minutes)
    assert due == t0 + dt.timedelta(minutes=3)
    assert first_response.due_at(t0, "email", minutes) == t0 + dt.timedelta(hours=1)
    c = first_response.clock(due, t0 + dt.timedelta(minutes=4))
    assert c.late and c.seconds_left == -60
    stopped = first_response.clock(due, t0 + dt.timedelta(hours=5), responded_at=t0 + dt.timedelta(minutes=2))
    assert not stopped.late and stopped.seconds_left == 60


def test_a_long_sms_is_whole_only_with_every_part_in_order():
    parts = [sms_parts.Part(3, 3, "丙"), sms_parts.Part(1, 3, "甲")]
    assert sms_parts.assemble(parts) is None
    parts.append(sms_parts.Part(1, 3, "甲"))  # a repeat changes nothing
    parts.append(sms_parts.Part(2, 3, "乙"))
    assert sms_parts.assemble(parts) == "甲乙丙"
    assert sms_parts.check(None, None) is None
    assert sms_parts.check(4, 3) == "part" and sms_parts.check(1, None) == "total" and sms_parts.check(1, 256) == "total"


@pytest.mark.parametrize("text,number", [("查询 20261204-0001", "20261204-0001"), ("查询：２０２６１２０４－０００１", "20261204-0001"),
                                         ("cx 20261204 0012", "20261204-0012"), ("查询20261204-0003。", "20261204-0003"),
                                         ("查询一下我的问题", None), ("路灯坏了 20261204-0001", None)])
def test_a_status_query_names_the_order_number(text, number):
    assert order_number_asked(text) == number


def test_the_public_status_names_the_stage_and_nothing_internal():
    assert public_status.status_reply("20261204-0001", "dispatched") == "【12345】工单 20261204-0001：已转承办单位办理。"
    assert "未查到" in public_status.status_reply("20261204-0009", None)
    assert public_status.is_open("in_progress") and not public_status.is_open("closed_directly")


def test_mail_is_read_in_every_chinese_encoding_and_automatic_mail_is_recognised():
    from zongji.domain.intake.mail import charset_of, html_to_text, parse, reply_subject

    assert charset_of("GB2312") == "gb18030" and charset_of(None) == "utf-8" and charset_of("utf-8") == "utf-8"
    body = "镕基路路灯坏了".encode("gb18030")
    raw = (b"From: =?GBK?B?" + __import__("base64").b64encode("李喆".encode("gbk")) + b"?= <li@example.org>\r\n"
           b"Subject: test\r\nMessage-ID: <m1@x>\r\nContent-Type: text/plain; charset=gb2312\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body)
    m = parse(raw)
    assert (m.from_name, m.from_address, m.text, m.message_id, m.automatic) == ("李喆", "li@example.org", "镕基路路灯坏了",
                                                                                "<m1@x>", None)
    for header in (b"X-Autoreply: yes", b"Precedence: bulk", b"Auto-Submitted: auto-generated"):
        assert parse(b"From: a@b.c\r\n" + header + b"\r\nSubject: x\r\n\r\nbody").automatic is not None
    assert parse(b"From: a@b.c\r\nAuto-Submitted: no\r\nSubject: x\r\n\r\nbody").automatic is None
    assert html_to_text("<p>第一行</p><script>x()</script><div>第二&nbsp;行</div>") == "第一行\n第二 行"
    assert reply_subject("回复：Re: 路灯", "20261204-0001") == "Re: 路灯 [工单 20261204-0001]"
