"""Password hashing: production cost by default, a cheaper cost only where a setting asks for it
(the test suite), and a stored hash verifies whatever cost it was made at."""

from __future__ import annotations

import pytest

from zongji.services import auth
from zongji.settings import Settings


@pytest.fixture
def restore_hasher():
    yield
    s = Settings()
    auth.use_password_hashing(time_cost=s.password_hash_time_cost, memory_kib=s.password_hash_memory_kib)


def test_production_passwords_are_hashed_with_argon2id_at_the_recommended_cost(monkeypatch, restore_hasher):
    monkeypatch.delenv("ZONGJI_PASSWORD_HASH_TIME_COST", raising=False)
    monkeypatch.delenv("ZONGJI_PASSWORD_HASH_MEMORY_KIB", raising=False)
    s = Settings()
    assert (s.password_hash_time_cost, s.password_hash_memory_kib) == (3, 65536)
    auth.use_password_hashing(time_cost=s.password_hash_time_cost, memory_kib=s.password_hash_memory_kib)
    stored = auth.hash_password("正确的密码-2027")
    assert stored.startswith("$argon2id$") and "m=65536,t=3" in stored
    assert auth.verify_password(stored, "正确的密码-2027")
    assert not auth.verify_password(stored, "正确的密码-2028")


def test_a_hash_made_at_another_cost_still_verifies(restore_hasher):
    auth.use_password_hashing(time_cost=1, memory_kib=64)
    cheap = auth.hash_password("secret-pass-1")
    assert "m=64,t=1" in cheap
    auth.use_password_hashing(time_cost=3, memory_kib=65536)
    assert auth.verify_password(cheap, "secret-pass-1")
    assert not auth.verify_password(cheap, "secret-pass-2")
    assert not auth.verify_password("not a hash", "secret-pass-1")


def test_a_cost_below_argon2s_minimum_is_refused_naming_the_setting(monkeypatch):
    from pydantic import ValidationError

    monkeypatch.setenv("ZONGJI_PASSWORD_HASH_MEMORY_KIB", "8")
    with pytest.raises(ValidationError) as exc:
        Settings()
    assert "password_hash_memory_kib" in str(exc.value)
