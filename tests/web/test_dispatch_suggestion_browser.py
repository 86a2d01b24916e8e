"""The shift leader dispatches an order on the suggestion with one key (issue 11, point 5): the
dispatch queue shows each waiting order's suggested unit with its reason, D sends the selected
order there, and the order page's dispatch form comes with the first suggestion preselected."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def test_leader_dispatches_on_the_suggestion_with_one_key(demo_server: str, browser, write, settings):
    from playwright.sync_api import expect

    from zongji.services.work_orders import commands
    from zongji.services.work_orders.visibility import Viewer
    from zongji.store.catalogue_models import CatalogueMatter
    from zongji.store.models import Department, User
    from zongji.store.work_order_models import WorkOrder

    with write() as s:
        # The demo's catalogue holds the matter (zongji/demo/content/matters.json).
        assert s.scalar(select(CatalogueMatter).where(CatalogueMatter.matter == "流浪犬只收容")) is not None
        city = s.scalar(select(Department).where(Department.name == "市城管局"))
        op = s.scalar(select(User).where(User.username == "hotline"))
        order = commands.create_order(s, Viewer.of(op), commands.NewOrder(
            order_type="request", situation="general", description="小区门口好几条野狗，晚上追着下班的人叫",
            caller_name="周女士", place="东区幸福路88号", line_code="hotline-12345"), tz=settings.tz)
        number, order_id, city_id = order.number, order.id, city.id

    context, page, errors = logged_in(browser, demo_server, "leader", "/dispatch")
    row = page.locator("#wo-table tbody tr", has_text=number)
    expect(row).to_be_visible()
    expect(row.locator(".ds-cell")).to_contain_text("市城管局")
    expect(row.locator(".ds-cell")).to_contain_text("流浪犬只收容")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dispatch-01-queue-suggestion.png"), full_page=True)

    # Select the order's row (arrows), then one key.
    rows = page.locator("#wo-table tbody tr")
    for _ in range(rows.count()):
        if "kbd-sel" in (page.locator("#wo-table tbody tr.kbd-sel").get_attribute("class") or "") and \
                number in page.locator("#wo-table tbody tr.kbd-sel").inner_text():
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("#wo-table tbody tr.kbd-sel")).to_contain_text(number)
    page.keyboard.press("d")
    expect(page.locator(".toast").last).to_contain_text("市城管局")
    expect(page.locator("#wo-table tbody tr", has_text=number)).to_have_count(0)
    with write() as s:
        assert s.get(WorkOrder, order_id).main_unit_id == city_id

    # Another order: the order page's dispatch form has the suggestion preselected.
    with write() as s:
        op = s.scalar(select(User).where(User.username == "hotline"))
        other = commands.create_order(s, Viewer.of(op), commands.NewOrder(
            order_type="request", situation="general", description="楼下绿化带里有几条流浪狗，孩子不敢出门",
            caller_name="陈先生", place="西区丰收路9号", line_code="hotline-12345"), tz=settings.tz)
        other_id = other.id
    page.goto(f"{demo_server}/work-orders/{other_id}")
    page.locator("#wo-actions button[data-action=dispatch]").click()
    expect(page.locator("#dispatch-suggestion .ds-unit").first).to_contain_text("市城管局")
    expect(page.locator("#action-form select[name=unit_id]")).to_have_value(str(city_id))
    page.screenshot(path=str(ARTIFACTS / "dispatch-02-form-preselected.png"), full_page=True)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#action-form")).to_be_hidden()
    with write() as s:
        assert s.get(WorkOrder, other_id).main_unit_id == city_id
    assert not errors, errors
    context.close()
