"""E-mail into the intake queue end to end (issue 15, point 3) against real servers: citizens'
mail lands in a real IMAP mailbox (dovecot), the worker polls it, Chinese in GB2312-labelled GBK,
UTF-8 and HTML bodies and in file names arrives intact, auto-replies and bounces never reach the
queue, attachments go onto the order within the orders' limits, the operator's answer leaves by
SMTP (aiosmtpd) threaded to the citizen's message, and the citizen's reply to it comes back on
the same order."""

from __future__ import annotations

import imaplib
from pathlib import Path
import time
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from sqlalchemy import select

from tests.api.dovecot_server import DOVECOT, dovecot
from zongji.services.intake import mail
from zongji.store.intake_models import IntakeMessage
from zongji.store.models import utcnow
from zongji.worker.runner import Worker
from zongji.worker.tasks import load_all

ORDER = {"order_type": "request", "situation": "general", "caller_name": "李喆", "place": "镕基路东门"}


@pytest.fixture(scope="module")
def imap():
    if not Path(DOVECOT).exists():
        pytest.skip("no dovecot (Debian: dovecot-imapd)")
    with dovecot() as server:
        yield server


@pytest.fixture
def settings(settings, imap, smtp_server):
    ctl, _ = smtp_server
    return settings.model_copy(update={
        "run_worker_in_server": False, "intake_imap_host": imap.host, "intake_imap_port": imap.port,
        "intake_imap_username": imap.username, "intake_imap_password": imap.password,
        "intake_imap_mailbox": f"T{time.monotonic_ns()}",  # a mailbox of this test's own
        "smtp_host": "127.0.0.1", "smtp_port": ctl.port, "intake_mail_address": "12345@city.example.gov.cn",
        "attachment_max_bytes": 2000, "notify_retry_seconds": 0})


def _deliver(imap, settings, *messages: bytes) -> None:
    conn = imaplib.IMAP4(imap.host, imap.port)
    conn.login(imap.username, imap.password)
    conn.create(settings.intake_imap_mailbox)
    for raw in messages:
        typ, _ = conn.append(settings.intake_imap_mailbox, None, None, raw)
        assert typ == "OK"
    conn.logout()


def _run(runtime, write, settings):
    with write() as s:
        mail.ensure_poll(s, utcnow(), settings, soon=True)
    Worker(runtime, handlers=load_all(), clock=utcnow).run_once()


def _gbk_mail() -> bytes:
    m = MIMEMultipart()
    m["From"] = f"{Header('李喆', 'gb18030').encode()} <li.zhe@example.org>"
    m["To"] = "12345@city.example.gov.cn"
    m["Subject"] = Header("镕基路路灯不亮", "gb18030").encode()
    m["Message-ID"] = "<gbk-1@mail.example.org>"
    body = MIMEText("镕基路东门三盏路灯一周不亮，堃园小区门口很黑。", "plain", "gb18030")
    body.set_param("charset", "gb2312")  # what older Chinese clients write over GBK text
    m.attach(body)
    photo = MIMEApplication(b"\x89PNG\r\n" + b"x" * 500, "png")
    photo.add_header("Content-Disposition", "attachment", filename=("gbk", "", "现场照片.png"))
    m.attach(photo)
    big = MIMEApplication(b"y" * 5000, "octet-stream")
    big.add_header("Content-Disposition", "attachment", filename="视频.mp4")
    m.attach(big)
    return m.as_bytes()


def _html_mail() -> bytes:
    m = MIMEText("<html><head><style>p{color:red}</style></head><body><p>人民公园北门&nbsp;有流浪狗</p>"
                 "<div>追着孩子跑</div><script>alert(1)</script></body></html>", "html", "utf-8")
    m["From"] = "wang@example.org"
    m["Subject"] = "流浪狗"
    m["Message-ID"] = "<html-1@mail.example.org>"
    return m.as_bytes()


def _auto_reply() -> bytes:
    m = MIMEText("我正在休假，将于下周回复。", "plain", "utf-8")
    m["From"] = "zhao@example.org"
    m["Subject"] = Header("自动回复：您的工单", "utf-8").encode()
    m["Auto-Submitted"] = "auto-replied"
    m["Message-ID"] = "<auto-1@mail.example.org>"
    return m.as_bytes()


def _bounce() -> bytes:
    m = MIMEMultipart("report", report_type="delivery-status")
    m["From"] = "MAILER-DAEMON@mail.example.org"
    m["Subject"] = "Undelivered Mail Returned to Sender"
    m["Message-ID"] = "<bounce-1@mail.example.org>"
    m.attach(MIMEText("This is the mail system. I'm sorry to have to inform you …", "plain", "utf-8"))
    return m.as_bytes()


def test_mail_is_queued_answered_and_threaded(imap, settings, smtp_server, runtime, write, as_role):
    _, sent = smtp_server
    _deliver(imap, settings, _gbk_mail(), _html_mail(), _auto_reply(), _bounce(), _gbk_mail())
    _run(runtime, write, settings)
    op = as_role("operator")
    queue = op.get("/api/intake/queue").json()["items"]
    assert [m["channel"] for m in queue] == ["email", "email"]  # no auto-reply, no bounce, no duplicate
    first, second = queue
    assert first["sender"] == "li.zhe@example.org"
    assert "镕基路东门三盏路灯一周不亮，堃园小区门口很黑。" in first["text"] and first["text"].startswith("镕基路路灯不亮")
    assert second["text"] == "流浪狗\n\n人民公园北门 有流浪狗\n追着孩子跑"
    with write() as s:
        auto = dict(s.execute(select(IntakeMessage.external_id, IntakeMessage.outcome)
                              .where(IntakeMessage.outcome == "automatic")).all())
        assert auto == {"<auto-1@mail.example.org>": "automatic", "<bounce-1@mail.example.org>": "automatic"}
        meta = s.get(IntakeMessage, first["id"]).meta
        assert [a["filename"] for a in meta["attachments"]] == ["现场照片.png"]
        assert meta["attachments_refused"] == [{"filename": "视频.mp4", "size": 5000, "why": "too_large"}]
    # Polling again reads nothing twice.
    _run(runtime, write, settings)
    assert len(op.get("/api/intake/queue").json()["items"]) == 2

    r = op.post(f"/api/intake/messages/{first['id']}/order", json=ORDER)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["channel"] == "email" and [a["filename"] for a in order["attachments"]] == ["现场照片.png"]
    _run(runtime, write, settings)  # sends the answer
    assert len(sent) == 1
    answer = sent[0]
    assert answer["To"] == "li.zhe@example.org" and answer["From"] == "12345@city.example.gov.cn"
    assert answer["In-Reply-To"] == "<gbk-1@mail.example.org>" and "<gbk-1@mail.example.org>" in answer["References"]
    from email.header import decode_header, make_header

    subject = str(make_header(decode_header(answer["Subject"])))
    assert subject == f"Re: 镕基路路灯不亮 [工单 {order['number']}]"
    assert order["number"] in answer.get_payload(decode=True).decode("utf-8")

    # The citizen answers our answer: it comes back on the same order.
    reply = MIMEText("谢谢，另外北侧也有一盏不亮。", "plain", "utf-8")
    reply["From"] = "li.zhe@example.org"
    reply["Subject"] = "Re: " + subject
    reply["Message-ID"] = "<gbk-2@mail.example.org>"
    reply["In-Reply-To"] = answer["Message-ID"]
    reply["References"] = f"<gbk-1@mail.example.org> {answer['Message-ID']}"
    _deliver(imap, settings, reply.as_bytes())
    _run(runtime, write, settings)
    back = [m for m in op.get("/api/intake/queue").json()["items"] if "北侧" in m["text"]]
    assert len(back) == 1 and back[0]["order_id"] == order["id"]
    cands = op.get(f"/api/intake/messages/{back[0]['id']}/candidates").json()
    assert [o["number"] for o in cands["same_sender"]] == [order["number"]]  # its thread's order first
    r = op.post(f"/api/intake/messages/{back[0]['id']}/add", json={"order_id": order["id"]})
    assert r.status_code == 200
    conv = op.get(f"/api/intake/orders/{order['id']}/conversation").json()["items"]
    assert [(m["direction"], m["channel"]) for m in conv] == [("in", "email"), ("out", "email"), ("in", "email"),
                                                               ("out", "email")]
