"""Console pages: redirect to /login when not logged in, served in the person's language."""

from __future__ import annotations

import json

from zongji.web.shell import STATIC_DIR, i18n


def test_pages_redirect_to_login_when_not_logged_in(client):
    for path in ("/", "/calls"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login?next=")
    r = client.get("/login")
    assert r.status_code == 200 and "登录" in r.text


def test_console_and_call_log_render_for_an_operator(client, login):
    login("operator", display_name="王小红", operator_number="1001")
    r = client.get("/")
    assert r.status_code == 200
    assert "王小红" in r.text and "1001" in r.text and 'lang="zh-CN"' in r.text
    assert client.get("/calls").status_code == 200
    # Logged in: /login sends you to the console, or where the login was meant to lead — but
    # never off the site.
    r = client.get("/login", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/")
    assert client.get("/login?next=%2Fcalls", follow_redirects=False).headers["location"] == "/calls"
    for away in ("//evil.example/x", "https://evil.example/", "/login?next=/calls"):
        r = client.get("/login", params={"next": away}, follow_redirects=False)
        assert r.headers["location"] == "/", away


def test_knowledge_page_is_read_only_for_an_operator(client, login):
    assert client.get("/knowledge", follow_redirects=False).status_code == 303
    login("operator")
    r = client.get("/knowledge")
    assert r.status_code == 200
    assert 'href="/knowledge"' in r.text and '<fieldset id="kp-fields" disabled>' in r.text
    assert 'id="kp-save"' not in r.text and 'id="kp-proposals"' not in r.text


def test_language_switch_is_remembered(client, login):
    login("operator")
    assert client.post("/ui/locale", json={"locale": "en"}).status_code == 204
    r = client.get("/")
    assert 'lang="en"' in r.text and "Log out" in r.text
    assert client.post("/ui/locale", json={"locale": "fr"}).status_code == 422


def test_every_language_has_every_string():
    dicts = i18n()
    keys = {loc: set(d) for loc, d in dicts.items()}
    assert keys["zh-CN"] == keys["en"]
    for loc in dicts:
        raw = json.loads((STATIC_DIR / "i18n" / f"{loc}.json").read_text(encoding="utf-8"))
        assert all(isinstance(v, str) and v for v in raw.values())


def test_static_assets_are_served(client):
    for name in ("app.css", "dom.js", "i18n.js", "console.js", "calls.js", "login.js"):
        assert client.get(f"/static/{name}").status_code == 200


def test_console_pages_send_each_role_where_it_belongs(client, as_role, units):
    """The console's own pages (shell.gate): the login page first, a unit handler to its own page."""
    pages = ("/rooms", "/emergency", "/outbound")
    for path in pages:
        r = client.get(path, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, f"/login?next=%2F{path[1:]}"), path
    unit = as_role("unit_handler", department_id=units[0])
    operator = as_role("operator")
    for path in pages:
        r = unit.get(path, follow_redirects=False)
        assert (r.status_code, r.headers.get("location")) == (303, "/unit"), path
        assert operator.get(path).status_code == 200, path
