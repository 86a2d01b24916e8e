"""Call charges, customer files and the day's weather in a real browser (issue 13): a guest's
call to London is rated; the operator on the guest's next call sees the stay's charges and the
customer's class on the card; the shift leader records the day's weather from the console and
every console shows it; on /charges the leader settles the charge waiting for the front desk.
SQLite only (the API is tested on both databases)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import select

from tests.web.browser_support import ARTIFACTS, logged_in
from zongji.demo.data import DEMO_CTI_TOKEN
from zongji.services.charges import sweep
from zongji.services.charges.folio import NoPms
from zongji.settings import Settings
from zongji.store.models import Call, Guest, Stay, utcnow

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    # The test runs the charges sweep itself: no worker in the server.
    return Settings(database_url=db_url, data_dir=tmp_path, feed_safety_poll_seconds=0.05, run_worker_in_server=False)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_charges_card_weather_and_the_missed_list(demo_server, browser, backend, settings, write):
    now = utcnow()
    with write() as s:
        stay = s.scalar(select(Stay).join(Guest, Guest.id == Stay.guest_id)
                        .where(Stay.status == "in_house", Stay.arrival < now - dt.timedelta(hours=2),
                               Guest.privacy_level == "normal")
                        .order_by(Stay.id).limit(1))
        ext, room = stay.room.extension, stay.room.number
        s.add(Call(external_id="br-uk", direction="out", calling_number=ext, called_number="00442071234567",
                   state="ended", ringing_at=now - dt.timedelta(hours=1), answered_at=now - dt.timedelta(hours=1),
                   ended_at=now - dt.timedelta(minutes=55), talk_seconds=300, outcome="answered",
                   closed_at=now - dt.timedelta(minutes=54)))
    with write() as s:
        sweep.run(s, NoPms(), settings, now)

    lctx, leader, lerr = logged_in(browser, demo_server, "leader")
    octx, op, oerr = logged_in(browser, demo_server, "operator")
    try:
        # The shift leader records today's weather on the console; the operator's chip follows.
        leader.click("#weather-chip")
        leader.fill("#weather-form input[name=summary]", "小雨转阴")
        leader.fill("#weather-form input[name=temp_low]", "25")
        leader.fill("#weather-form input[name=temp_high]", "12")
        leader.keyboard.press("Enter")
        leader.wait_for_selector("#weather-form input[name=temp_low].invalid")
        leader.fill("#weather-form input[name=temp_low]", "12")
        leader.fill("#weather-form input[name=temp_high]", "18")
        leader.keyboard.press("Enter")
        leader.wait_for_selector("#weather-form", state="hidden")
        op.wait_for_function("document.getElementById('weather-chip').textContent.includes('小雨转阴 12～18')")

        # The guest calls the operator from the room: the card tells the charges of the stay.
        r = httpx.post(f"{demo_server}/api/v1/cti/{DEMO_CTI_TOKEN}", timeout=10,
                       data={"event": "newCall", "from": ext, "to": "8000", "direction": "in", "callId": "br-guest"})
        assert r.status_code == 200, r.text
        op.wait_for_selector("#card-kind .k-guest")
        op.wait_for_selector(".card-charges")
        assert "¥40.00" in op.text_content(".card-charges")          # 5 minutes at 8 yuan
        assert op.text_content(".file-grade")
        op.screenshot(path=str(ARTIFACTS / "charges-card-browser.png"))

        # The leader posts the waiting charge by hand at the front desk.
        leader.goto(demo_server + "/charges")
        row = leader.locator("#charges-table tbody tr", has_text=room + " 房")
        row.wait_for()
        assert "待前台入账" in row.text_content()
        row.get_by_role("button", name="已手工入账").click()
        row.wait_for(state="detached")
        leader.screenshot(path=str(ARTIFACTS / "charges-page-browser.png"), full_page=True)
        assert not lerr and not oerr, lerr + oerr
    finally:
        lctx.close()
        octx.close()
