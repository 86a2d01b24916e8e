"""Console slips (issue 8 point 6) in headless Chromium against a real server: the wake-up alarm
bar never covers the DND and message lists, DND by room number, search results, date fields."""

from __future__ import annotations

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in
from tests.web.test_wakeup_alerts_browser import _escalated, _guest_in

pytestmark = pytest.mark.browser

# Every button of the DND and message lists, and whether the point at its centre is the button
# itself (not something drawn over it), and whether the alarm bar's box meets the lists' box.
_COVERED = """() => {
  const side = document.getElementById('sb-side').getBoundingClientRect();
  const bar = document.getElementById('wk-alert-bar').getBoundingClientRect();
  const meets = !(bar.bottom <= side.top || bar.top >= side.bottom || bar.right <= side.left || bar.left >= side.right);
  const buttons = [...document.querySelectorAll('#sb-dnd-list button, #sb-msg-list button')];
  const hidden = buttons.filter((b) => {
    b.scrollIntoView({block: 'nearest'});
    const r = b.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !(hit && b.contains(hit));
  }).map((b) => b.textContent);
  return {meets, buttons: buttons.length, hidden};
}"""


def test_the_wakeup_alarm_never_covers_the_dnd_and_message_lists(demo_server, browser, write,
                                                                  settings):
    from playwright.sync_api import expect

    base = demo_server
    for i, room in enumerate(("1808", "1809", "1810", "1811")):
        _guest_in(write, room, 18)
        _escalated(write, settings, room, door=i % 2 == 0, minutes_ago=12 + i)
    context, page, errors = logged_in(browser, base, "operator", "/")
    for n in range(3):
        r = page.evaluate("""async (n) => (await fetch('/api/switchboard/messages', {method: 'POST',
            credentials: 'same-origin', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({recipient_kind: 'room', room: '1808', caller_name: '张先生' + n,
                                  caller_number: '1390000000' + n, content: '请回电', read_back: true})})).status""", n)
        assert r == 201, r
    page.reload()
    bar = page.locator("#wk-alert-bar")
    expect(bar.locator("li[data-wk-room]")).to_have_count(4)
    expect(page.locator("#sb-dnd-list button")).not_to_have_count(0)
    expect(page.locator("#sb-msg-list li")).to_have_count(3)
    got = page.evaluate(_COVERED)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-slips-alarm-docked.png"))
    assert got["buttons"] >= 4 and not got["meets"] and not got["hidden"], got
    # Every button is usable: the DND list's cancel button takes a click (the bar is not over it).
    page.locator("#sb-dnd-list button").first.click(trial=True, timeout=2000)
    # The bar's own buttons are still there to press.
    bar.locator("li[data-wk-room='1808'] .wk-bar-btn").click(trial=True, timeout=2000)
    assert not errors, errors
    context.close()


def test_dnd_is_set_on_a_room_found_by_its_number_and_search_shows_it(demo_server, browser, write):
    from playwright.sync_api import expect

    from zongji.demo.switchboard import DEMO_DND_GUEST_NAME

    base = demo_server
    _guest_in(write, "1812", 18)
    context, page, errors = logged_in(browser, base, "operator", "/")
    count = page.locator("#sb-dnd-count")
    expect(count).to_have_text("1")  # the demo guest's

    # The demo guest with DND on: the search result says so (and offers no second DND).
    page.keyboard.press("/")
    page.keyboard.type(DEMO_DND_GUEST_NAME)
    hit = page.locator(".dir-item.hit", has_text=DEMO_DND_GUEST_NAME)
    expect(hit.locator(".dir-dnd")).to_have_text("免打扰中")
    expect(hit.locator(".sb-acts")).to_be_visible()
    expect(hit.locator(".sb-acts button", has_text="免打扰")).to_have_count(0)

    # A room found by its number: Alt+D sets DND for whoever is in house there.
    page.fill("#search", "1812")
    room = page.locator(".dir-item.hit", has_text="1812")
    expect(room.locator(".kind-tag")).to_have_text("房间")
    expect(room.locator(".dir-dnd")).to_have_count(0)
    expect(room.locator(".sb-acts button", has_text="免打扰")).to_be_visible()
    page.keyboard.press("Alt+d")
    expect(page.locator("#sb-dnd-form")).to_be_visible()
    page.keyboard.type("客人休息")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#sb-dnd-form")).to_have_count(0)
    expect(count).to_have_text("2")
    expect(page.locator("#sb-dnd-list")).to_contain_text("客人休息")

    # Searching the room again shows its DND.
    page.fill("#search", "")
    page.fill("#search", "1812")
    expect(page.locator(".dir-item.hit", has_text="1812").locator(".dir-dnd")).to_have_text("免打扰中")
    assert not errors, errors
    context.close()


def test_a_rate_card_is_never_shown_with_not_found(demo_server, browser):
    from playwright.sync_api import expect

    context, page, errors = logged_in(browser, demo_server, "operator", "/")
    page.keyboard.press("/")
    page.keyboard.type("美国")
    expect(page.locator("#info-answers .info-rate")).to_be_visible()
    expect(page.locator("#dir-results .dir-item")).to_have_count(0)
    expect(page.locator("#dir-empty")).to_be_hidden()
    # Nothing found anywhere: "not found" is still said.
    page.fill("#search", "zzzqqq")
    expect(page.locator("#dir-empty")).to_have_text("未找到“zzzqqq”")
    expect(page.locator("#info-answers")).to_be_hidden()
    assert not errors, errors
    context.close()

