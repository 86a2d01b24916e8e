"""Issue 3 console gaps in headless Chromium against a real server (SQLite and PostgreSQL):
a message for a staff member sent by e-mail through a real local SMTP server (aiosmtpd) — the
console shows the directory's address on the form and "已发送" live; "发送…" on a waiting
message sends it to a typed address; a person is put on leave with a deputy chosen by search and
the directory result shows "休假至… · 代理人…". Screenshots go to test-artifacts/ (gitignored)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.web.browser_support import ARTIFACTS, serve
from tests.web.test_switchboard_browser import _login, _wait

pytestmark = pytest.mark.browser

PERSON = "周文杰"
DEPUTY = "曾晓东"


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ctl = Controller(Keep(), hostname="127.0.0.1", port=port)
    ctl.start()
    yield port, received
    ctl.stop()


@pytest.fixture
def gap_settings(settings, smtp):
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp[0], "worker_poll_seconds": 0.2,
                                       "notify_retry_seconds": 1, "notify_max_attempts": 2})


@pytest.fixture
def gap_app(gap_settings):
    """The served app; its runtime (``app.state.runtime``) holds the simulated PBX of this test."""
    from zongji.api.app import create_app
    from zongji.bootstrap import shutdown

    app = create_app(gap_settings)
    yield app
    shutdown(app.state.runtime)


@pytest.fixture
def server(gap_app, gap_settings, write) -> Iterator[str]:
    from zongji.demo.data import load_demo

    with write() as s:
        load_demo(s, gap_settings)
    with serve(gap_app) as url:
        yield url


def _shot(page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"switchboard-gaps-{backend}-{name}.png"))


def _search(page, text: str):
    page.keyboard.press("Control+k")
    page.fill("#search", text)
    row = page.locator(".dir-item.hit", has_text=text)
    row.wait_for()
    return row


def test_message_sent_by_email_and_person_on_leave(server, browser, backend, smtp, session_factory):  # noqa: F811
    from playwright.sync_api import expect

    from zongji.store.models import Person

    _port, received = smtp
    with session_factory() as s:
        person = s.scalar(select(Person).where(Person.name == PERSON))
        email = person.email
    assert email, "the demo gives staff e-mail addresses"

    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, server)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")

    # A message for the front-office manager, sent by e-mail to the directory's address.
    _search(page, PERSON)
    page.keyboard.press("Alt+l")
    expect(page.locator("#sb-message-form")).to_be_visible()
    expect(page.locator("#m-dir-email")).to_contain_text(email)
    expect(page.locator("#m-send")).to_contain_text("传呼")
    page.fill("#m-caller", "李先生")
    page.fill("#m-number", "13811112222")
    page.fill("#m-content", "会议改到下午三点，请回电")
    page.check("#m-send-email")
    page.keyboard.press("Alt+r")
    _shot(page, "01-message-send-by", backend)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#sb-modal")).to_be_hidden()

    row = page.locator("#sb-msg-list .sb-row", has_text=PERSON)
    state = row.locator(".sb-send-state[data-channel=email]")
    expect(state).to_have_attribute("data-state", "sent", timeout=15000)
    expect(state).to_contain_text("已发送")
    assert _wait(lambda: any(m["To"] == email for m in received)), "no e-mail reached the SMTP server"
    mail = next(m for m in received if m["To"] == email)
    assert "会议改到下午三点" in mail.get_payload(decode=True).decode("utf-8")
    _shot(page, "02-message-sent", backend)

    # "发送…" on the waiting message: by e-mail to a typed address.
    row.locator(".sb-send-btn").click()
    expect(page.locator("#sb-send-form")).to_be_visible()
    expect(page.locator("#sb-send-form")).to_contain_text(email)
    page.fill("#s-address", "not-an-address")
    page.check("#s-ch-email")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#s-error")).to_be_visible()
    expect(page.locator("#s-error")).to_contain_text("地址")
    page.fill("#s-address", "duty-manager@hotel.example.com")
    _shot(page, "03-send-dialog", backend)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#sb-modal")).to_be_hidden()
    expect(row.locator(".sb-send-state[data-state=sent]")).to_have_count(2, timeout=15000)
    assert _wait(lambda: any(m["To"] == "duty-manager@hotel.example.com" for m in received))

    # On leave until tomorrow 18:00, deputy chosen by search; the result shows the marker.
    hit = _search(page, PERSON)
    expect(hit.locator(".sb-leave-mark")).to_have_count(0)
    page.keyboard.press("Alt+v")
    expect(page.locator("#sb-leave-form")).to_be_visible()
    page.keyboard.press("Control+Enter")  # no end: refused, naming the end
    expect(page.locator("#l-error")).to_contain_text("结束")
    tomorrow = (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) + dt.timedelta(days=1)).date()
    page.fill("#l-to", f"{tomorrow.isoformat()}T18:00")
    page.fill("#l-deputy", DEPUTY)
    expect(page.locator("#l-deputy-list .sb-deputy.hit")).to_contain_text(DEPUTY)
    page.locator("#l-deputy").press("Enter")
    expect(page.locator("#l-deputy-chosen")).to_contain_text(DEPUTY)
    page.fill("#l-note", "年假")
    _shot(page, "04-leave-form", backend)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#sb-modal")).to_be_hidden()
    mark = page.locator(".dir-item", has_text=PERSON).first.locator(".sb-leave-mark")
    expect(mark).to_contain_text(f"休假至 {tomorrow.month:02d}")
    expect(mark).to_contain_text("18:00")
    expect(mark).to_contain_text(f"代理人 {DEPUTY}")
    _shot(page, "05-on-leave-marker", backend)

    # Another console sees the marker too; in English.
    page2 = context.new_page()
    page2.goto(server + "/")
    page2.evaluate("import('/static/i18n.js').then((i18n) => i18n.setLocale('en', true))")
    _search(page2, PERSON)
    expect(page2.locator(".dir-item", has_text=PERSON).first.locator(".sb-leave-mark")).to_contain_text(
        "On leave until")
    expect(page2.locator(".dir-item", has_text=PERSON).first.locator(".sb-leave-mark")).to_contain_text(DEPUTY)
    _shot(page2, "06-on-leave-marker-en", backend)

    # The transfer decision routes to the deputy.
    page.keyboard.press("Escape")
    _search(page, PERSON)
    page.keyboard.press("Alt+t")
    expect(page.locator("#sb-modal .sb-dialog")).to_contain_text(DEPUTY)
    _shot(page, "07-transfer-to-deputy", backend)
    assert not errors, errors
