"""Logging in and out; sessions are revocable and bad credentials are refused clearly."""


def test_login_me_logout(client, make_user):
    username, password = make_user("operator", display_name="王小红")
    r = client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200
    token = r.json()["token"]
    me = client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["display_name"] == "王小红"
    # The bearer form works too (for scripts).
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.post("/api/auth/logout").status_code == 204
    # Revoked: the old token no longer works anywhere.
    client.cookies.clear()
    r = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def test_wrong_password_names_the_field(client, make_user):
    username, _ = make_user("operator")
    r = client.post("/api/auth/login", json={"username": username, "password": "nope"})
    assert r.status_code == 401
    assert r.json()["field"] == "password"


def test_missing_field_is_a_422_naming_it(client):
    r = client.post("/api/auth/login", json={"username": "x"})
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "password"


def test_password_is_stored_hashed(write, make_user):
    from sqlalchemy import select

    from zongji.store.models import User

    username, password = make_user("operator")
    with write() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == username))
    assert password not in stored and stored.startswith("$argon2")


def test_a_login_is_answered_only_once_it_is_committed(settings, make_user):
    """A change is acknowledged only after its transaction committed: when the commit fails the
    client gets an error, not "200 logged in" for a session that does not exist (a real server:
    FastAPI's default would commit after sending the answer)."""
    import httpx
    from sqlalchemy import event

    from tests.web.browser_support import serve
    from zongji.api.app import create_app
    from zongji.store.models import LoginSession

    username, password = make_user("operator")
    app = create_app(settings.model_copy(update={"run_worker_in_server": False}))

    def note_logins(session, _context):
        if any(isinstance(o, LoginSession) for o in session.new):
            session.info["login"] = True

    def refuse_logins(session):
        if session.info.pop("login", False):
            raise RuntimeError("disk full")

    event.listen(app.state.session_factory, "after_flush", note_logins)
    event.listen(app.state.session_factory, "before_commit", refuse_logins)
    with serve(app) as url:
        with httpx.Client(base_url=url, timeout=10) as http:
            try:
                acknowledged = http.post("/api/auth/login",
                                         json={"username": username, "password": password}).is_success
            except httpx.TransportError:  # the server gave up on the request: not acknowledged
                acknowledged = False
        assert not acknowledged
        http = httpx.Client(base_url=url, timeout=10)
        assert http.get("/api/auth/me").status_code == 401
        event.remove(app.state.session_factory, "before_commit", refuse_logins)
        r = http.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        assert http.get("/api/auth/me").json()["username"] == username
        http.close()
