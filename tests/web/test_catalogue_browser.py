"""The responsibility catalogue page in a real browser (issue 11, point 2): the hotline office
searches with a caller's words, edits the matter found, imports a workbook with a bad row and
sees that row reported; on the console the note brings up the matching matters. SQLite only (the API is tested on both databases)."""

from __future__ import annotations

import io
import re
import time

import pytest
from openpyxl import Workbook

from tests.web.browser_support import ARTIFACTS, logged_in
from tests.web.test_console_browser import _cti
from zongji.services.catalogue.workbook import COLUMNS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"])
def test_search_edit_and_import_a_file_with_a_bad_row(demo_server, browser, backend, tmp_path):
    from playwright.sync_api import expect

    from zongji.demo.data import HOTLINE_12345_NUMBER

    context, page, errors = logged_in(browser, demo_server, "supervisor", "/catalogue", height=900)
    expect(page.locator("#ct-list .ct-item").first).to_be_visible()
    expect(page.locator("#ct-count")).to_contain_text("113")
    page.keyboard.press("Escape")
    page.locator("body").click()
    page.keyboard.press("/")
    expect(page.locator("#ct-q")).to_be_focused()
    page.keyboard.type("小区门口野狗")
    first = page.locator("#ct-list .ct-item").first
    expect(first.locator(".ct-name")).to_have_text("流浪犬只收容")
    expect(first.locator(".ct-unit")).to_contain_text("市城管局")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#ct-matter")).to_have_value("流浪犬只收容")
    page.locator("#ct-basis").fill("《示例市养犬管理条例》第十二条（已修订）")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".toast.ok", has_text="已保存")).to_be_visible()
    page.locator("#ct-q").fill("野狗")
    expect(page.locator("#ct-list .ct-item").first.locator(".ct-name")).to_have_text("流浪犬只收容")
    page.locator("#ct-list .ct-item").first.click()
    expect(page.locator("#ct-basis")).to_have_value("《示例市养犬管理条例》第十二条（已修订）")

    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    ws.append(["共享单车乱停放", "市城管局", "市交通运输局", "", "单车堵在门口", "共享单车", ""])
    ws.append(["某个事项", "不存在的局", "", "", "", "", ""])
    path = tmp_path / "清单.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    page.keyboard.press("Alt+I")
    expect(page.locator("#ct-file")).to_be_focused()
    page.locator("#ct-file").set_input_files(str(path))
    page.locator("#ct-import").click()
    expect(page.locator("#ct-import-result")).to_have_text("新增 1 项，更新 0 项，拒绝 1 行")
    expect(page.locator("#ct-rejected li")).to_have_text(["第 3 行（主办单位）：单位不存在"])
    page.locator("#ct-q").fill("单车堵门口")
    expect(page.locator("#ct-list .ct-item").first.locator(".ct-name")).to_have_text("共享单车乱停放")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalogue.png"), full_page=True)
    assert errors == []
    context.close()

    # On the console, the hotline operator's note brings up the matter with the unit's numbers.
    context, page, errors = logged_in(browser, demo_server, "hotline", "/", height=900)
    number, call_id = "13912345678", f"ct-{time.time_ns()}"
    _cti(demo_server, event="newCall", **{"from": number}, to=HOTLINE_12345_NUMBER, direction="in", callId=call_id)
    row = page.locator(".call-row", has_text=number)
    expect(row).to_be_visible()
    page.keyboard.press("F2")
    _cti(demo_server, event="answer", **{"from": number}, to=HOTLINE_12345_NUMBER, direction="in", callId=call_id,
         answeringNumber="3001")
    expect(row).to_have_class(re.compile(r"st-talking"))
    page.keyboard.press("Alt+N")
    page.keyboard.type("来电人说小区门口有野狗追人")
    first = page.locator("#kb-matters .kbm-item").first
    expect(first).to_contain_text("流浪犬只收容")
    expect(first).to_contain_text("市城管局")
    expect(first).to_contain_text("分机 5105")
    assert 1 <= page.locator("#kb-matters .kbm-item").count() <= 3  # the top three at most
    page.keyboard.press("Alt+U")
    expect(first).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / "catalogue-console.png"))
    page.keyboard.press("Escape")
    expect(page.locator("#notes")).to_be_focused()
    assert errors == []
