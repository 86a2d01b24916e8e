"""One live feed per tab (issue 9, point 5): every script of a page shares one WebSocket."""

from __future__ import annotations

import pytest

from tests.web.browser_support import logged_in

pytestmark = [pytest.mark.browser]


# The console's feed also on PostgreSQL (the smoke set); the other pages' on SQLite.
@pytest.mark.parametrize("user, path", [pytest.param("operator", "/", marks=pytest.mark.both_databases),
                                        ("operator", "/wakeups"), ("supervisor", "/wallboard")])
def test_a_page_opens_one_websocket(demo_server, browser, user, path):
    from playwright.sync_api import expect

    context, first, errors = logged_in(browser, demo_server, user, path)
    first.close()
    page = context.new_page()  # the session cookie is the context's: no second login
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sockets: list[str] = []
    events: list[str] = []

    def opened(ws):
        sockets.append(ws.url)
        ws.on("close", lambda w: events.append("close"))
        ws.on("socketerror", lambda e: events.append(f"error {e}"))

    page.on("websocket", opened)
    page.goto(demo_server + path)
    if path == "/":
        expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    elif path == "/wallboard":
        expect(page.locator("#wb-conn")).to_have_text("实时")
    else:
        page.wait_for_function("async () => (await import('/static/live.js')).isOpen()")
    assert [u.rsplit("/", 1)[-1] for u in sockets] == ["live"], events
    assert not errors
    context.close()
