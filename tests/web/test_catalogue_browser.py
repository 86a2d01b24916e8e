"""The responsibility catalogue page in a real browser (issue 11, point 2): the hotline office
searches with a caller's words, edits the matter found, imports a workbook with a bad row and
sees that row reported. SQLite only (the API is tested on both databases)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.web.browser_support import ARTIFACTS, logged_in
from zongji.services.catalogue.workbook import COLUMNS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"])
def test_search_edit_and_import_a_file_with_a_bad_row(demo_server, browser, backend, tmp_path):
    from playwright.sync_api import expect

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
    expect(page.locator(".toast.ok")).to_contain_text("已保存")
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
