"""The PMS link page in a real browser (issue 16): a supervisor watches the FIAS link come up and
go down live, and sees the down alert — the link runs against the PMS emulator over TCP. SQLite
only (the API is tested on both databases)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


class LinkThread:
    """Zongji's link and the PMS emulator on an event loop of their own thread (Playwright's
    sync API has the test's)."""

    def __init__(self, settings, session_factory):
        self.settings, self.session_factory = settings, session_factory
        self.loop = asyncio.new_event_loop()
        self.stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=lambda: self.loop.run_until_complete(self._main()), daemon=True)
        self.thread.start()

    async def _main(self):
        from zongji.demo.fias_pms import FiasPms
        from zongji.worker.fias_link import FiasLink

        self.stop = asyncio.Event()
        pms = FiasPms()
        port = await pms.listen()
        fast = self.settings.model_copy(update={
            "fias_port": port, "fias_poll_seconds": 0.05, "fias_backoff_seconds": 0.05,
            "fias_backoff_max_seconds": 0.1, "fias_alert_after_seconds": 0})
        await FiasLink(self.session_factory, fast).run(self.stop)
        await pms.close()

    def close(self):
        while self.stop is None and self.thread.is_alive():
            self.thread.join(0.01)
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_supervisor_sees_the_link_come_up_and_the_down_alert(demo_server, browser, backend, settings,
                                                             session_factory, write):
    from playwright.sync_api import expect

    context, page, errors = logged_in(browser, demo_server, "supervisor", "/settings/pms")
    state = page.locator("#fias-state")
    expect(state).to_have_attribute("data-state", "never")
    expect(state).to_contain_text("未启动")
    link = LinkThread(settings, session_factory)
    try:
        expect(state).to_have_attribute("data-state", "up")  # live: topic fias_link
        expect(page.locator("#fias-outbox")).to_contain_text("0 条记录")
        expect(page.locator("#fias-banner")).to_be_hidden()
    finally:
        link.close()  # the link process stops: down, and the alert (after 0 s here)
    expect(state).to_have_attribute("data-state", "down")
    expect(page.locator("#fias-banner")).to_be_visible()
    expect(page.locator("#fias-banner")).to_contain_text("PMS 接口自")
    page.screenshot(path=str(ARTIFACTS / "fias_page.png"))
    assert not errors, errors
    context.close()
