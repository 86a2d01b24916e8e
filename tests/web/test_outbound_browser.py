"""The outbound call lists page (/outbound, issue 14 point 4; R-S13) in headless Chromium: a
supervisor imports an XLSX list (a row with a bad number reported, a customer without a number
kept apart); an operator, whose page shows the new list live, takes two entries with N, has the
PBX dial the first (C), records reached with a note (1) and wrong number (4); both pages' progress
numbers change live, the reached list shows the note and the export is a workbook."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def _workbook() -> bytes:
    wb = Workbook()
    for row in (("姓名", "电话", "地址"), ("周一", "13700000001", "东区 1 栋"), ("吴二", "13700000002", "东区 2 栋"),
                ("郑三", "13700000003", "东区 3 栋"), ("王四", "不是号码", "东区 4 栋"), ("冯五", None, "东区 5 栋")):
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _counts(page) -> dict[str, str]:
    return {g: page.locator(f"#ob-c-{g}").inner_text() for g in ("reached", "not_reached", "open", "no_number")}


def test_supervisor_builds_a_list_and_an_operator_works_it(demo_server, browser):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    # The operator's page is open first: the new list appears on it through the live feed.
    _, op, op_errors = logged_in(browser, demo_server, "operator", "/outbound")
    expect(op.locator("#ob-new")).to_have_count(0)  # building is for shift leaders and up
    _, sup, sup_errors = logged_in(browser, demo_server, "supervisor", "/outbound")

    sup.click("#ob-new")
    sup.click("#ob-build-go")  # no name: refused, naming the field, the cursor on it
    expect(sup.locator("#ob-build-error")).to_contain_text("名单名称")
    expect(sup.locator("#ob-f-name")).to_be_focused()
    sup.fill("#ob-f-name", "东区停水通知")
    sup.check('#ob-build-form input[value="xlsx"]')
    sup.set_input_files("#ob-f-file", files=[{"name": "list.xlsx", "mimeType": "application/octet-stream",
                                               "buffer": _workbook()}])
    sup.fill("#ob-f-message", "明天上午东区停水")
    sup.click("#ob-build-go")
    expect(sup.locator("#ob-rejected-h")).to_have_text("未导入 1 行")
    expect(sup.locator("#ob-rejected-rows tr")).to_have_count(1)
    expect(sup.locator("#ob-rejected-rows tr td").nth(1)).to_have_text("电话")
    expect(sup.locator("#ob-detail-h")).to_have_text("东区停水通知")
    expect(sup.locator("#ob-c-open")).to_have_text("3")
    expect(sup.locator("#ob-c-no_number")).to_have_text("1")
    sup.screenshot(path=str(ARTIFACTS / "outbound-01-built.png"), full_page=True)

    # The operator sees it live, opens it and takes the next entry with N.
    item = op.locator("#ob-lists li", has_text="东区停水通知")
    expect(item).to_contain_text("待拨 3")
    item.click()
    expect(op.locator("#ob-detail-h")).to_have_text("东区停水通知")
    op.keyboard.press("n")
    expect(op.locator("#ob-cur-number")).to_have_text("13700000001")
    expect(op.locator("#ob-cur-name")).to_have_text("周一")
    expect(op.locator("#ob-cur-message")).to_have_text("明天上午东区停水")
    op.keyboard.press("c")  # the PBX rings the operator's phone (1001) and connects it
    expect(op.locator("#ob-dial-status")).to_have_text("交换机已接通，请接起话机")
    op.fill("#ob-note", "已告知停水时间")
    op.keyboard.press("Escape")  # out of the note: the keys work again
    op.screenshot(path=str(ARTIFACTS / "outbound-02-working.png"), full_page=True)
    op.keyboard.press("1")
    expect(op.locator("#ob-current")).to_be_hidden()
    expect(op.locator("#ob-c-reached")).to_have_text("1")
    expect(sup.locator("#ob-c-reached")).to_have_text("1")  # live on the supervisor's page
    expect(sup.locator("#ob-c-open")).to_have_text("2")

    op.keyboard.press("n")
    expect(op.locator("#ob-cur-number")).to_have_text("13700000002")
    op.keyboard.press("4")  # wrong number: not reached at once
    expect(op.locator("#ob-current")).to_be_hidden()
    expected = {"reached": "1", "not_reached": "1", "open": "1", "no_number": "1"}
    for page in (op, sup):
        for group, n in expected.items():
            expect(page.locator(f"#ob-c-{group}")).to_have_text(n)
    expect(sup.locator("#ob-lists li.on")).to_contain_text("已联系 1 · 未联系 1 · 待拨 1 · 无号码 1")

    # The reached and not-reached lists, and the export.
    expect(sup.locator("#ob-entries tr")).to_have_count(1)
    expect(sup.locator("#ob-entries tr")).to_contain_text("已告知停水时间")
    sup.click('#ob-tabs [data-group="not_reached"]')
    expect(sup.locator("#ob-entries tr")).to_contain_text("号码错误")
    sup.click('#ob-tabs [data-group="no_number"]')
    expect(sup.locator("#ob-entries tr")).to_contain_text("冯五")
    href = sup.locator("#ob-export").get_attribute("href")
    r = sup.request.get(demo_server + href)
    assert r.ok and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sup.screenshot(path=str(ARTIFACTS / "outbound-03-progress.png"), full_page=True)
    assert _counts(op) == expected
    assert op_errors == [] and sup_errors == []
