"""File fields in the page's language (static/file_fields.js), in Chromium.

A native file field draws "Choose Files / No file chosen" in the browser's own language, English
in this Chromium, on the Chinese citizens' form and console pages. Each file field shows a button
and a line in the page's language instead; the native field stays in the form and keeps the
keyboard focus."""

from __future__ import annotations

import pytest

from tests.web.browser_support import new_context

pytestmark = pytest.mark.browser

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_the_citizens_photo_field_speaks_the_page_language(demo_server: str, browser):
    from playwright.sync_api import expect

    context = new_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo_server + "/report")
    field = page.locator(".file-field", has=page.locator("#rp-photos"))
    expect(field.locator(".file-pick")).to_have_text("选择文件")
    expect(field.locator(".file-status")).to_have_text("未选择文件")
    page.locator("#rp-description").focus()
    page.keyboard.press("Tab")  # one stop: the native field (Enter or Space opens the picker)
    expect(page.locator("#rp-photos")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#rp-phone")).to_be_focused()
    page.locator("#rp-photos").set_input_files([
        {"name": "路灯1.png", "mimeType": "image/png", "buffer": PNG},
        {"name": "路灯2.png", "mimeType": "image/png", "buffer": PNG},
    ])
    expect(field.locator(".file-status")).to_have_text("已选 2 个文件")
    page.locator(".lang-switch button[data-lang=en]").click()
    expect(field.locator(".file-pick")).to_have_text("Choose files")
    expect(field.locator(".file-status")).to_have_text("2 files chosen")
    page.locator("#rp-photos").set_input_files([{"name": "lamp.png", "mimeType": "image/png", "buffer": PNG}])
    expect(field.locator(".file-status")).to_have_text("lamp.png")
    # A page clearing the field after an upload clears the line too.
    page.evaluate("document.getElementById('rp-photos').value = ''")
    expect(field.locator(".file-status")).to_have_text("No file chosen")
    assert not errors, errors
    context.close()
