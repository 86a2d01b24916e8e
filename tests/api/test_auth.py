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
