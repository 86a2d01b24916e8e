"""Issue 15 follow-up, point 3: status look-ups are rate-limited per client address and per
number looked up — the /track page's API and Open311's GET requests — with a 429, Retry-After and
(for Open311) the specification's error list; a wrong guess counts, a refused look-up does not."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from zongji.services.intake import lookups
from zongji.store.intake_models import IntakeLookup
from zongji.store.models import utcnow

ZH = json.load(open("zongji/web/static/i18n/zh-CN.json", encoding="utf-8"))


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"intake_lookup_max_per_hour_number": 2,
                                       "intake_lookup_max_per_hour_address": 4})


def _status(client, number, phone="13800138000"):
    return client.get("/api/public/status", params={"number": number, "phone": phone})


def test_track_look_ups_are_limited_per_number_and_per_address(client, write):
    # Wrong guesses count: two per number, then 429 naming the number, with how long to wait.
    assert [_status(client, "W-1").status_code for _ in range(2)] == [404, 404]
    r = _status(client, "W-1", phone="13900000000")
    assert r.status_code == 429 and r.json()["field"] == "number"
    assert 3500 <= int(r.headers["Retry-After"]) <= 3601 and r.json()["retry_after"] == int(r.headers["Retry-After"])
    # Another number is still answered until the address's own limit (4 counted look-ups).
    assert [_status(client, n).status_code for n in ("W-2", "W-3", "W-4")] == [404, 404, 429]
    r = _status(client, "W-4")
    assert r.status_code == 429 and r.json()["field"] == "request"
    # Only hashes are kept, never the numbers or the address.
    with write() as s:
        keys = list(s.scalars(select(IntakeLookup.key_hash)))
    assert len(keys) == 4 + 4 and all(len(k) == 64 and "W-" not in k for k in keys)
    # The page's message for it is Chinese.
    assert "分钟" in ZH["intake.track.too_many"]


def test_the_window_slides(write, settings):
    now = utcnow()
    with write() as s:
        for i in range(2):
            lookups.count(s, settings, address=None, number="N-1", now=now + dt.timedelta(minutes=i))
    with write() as s, pytest.raises(Exception) as e:
        lookups.count(s, settings, address=None, number="n-1 ", now=now + dt.timedelta(minutes=59))
    assert getattr(e.value, "status_code", None) == 429 and e.value.retry_after == 61
    with write() as s:  # an hour after the first, one place is free again and old rows go
        lookups.count(s, settings, address=None, number="N-1", now=now + dt.timedelta(minutes=60, seconds=1))
        assert len(list(s.scalars(select(IntakeLookup)))) == 2


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_get_requests_answer_429_in_the_specifications_error_format(client, fmt):
    for _ in range(2):
        assert client.get(f"/open311/v2/requests/X-1.{fmt}").status_code == 404
    r = client.get(f"/open311/v2/requests/X-1.{fmt}")
    assert r.status_code == 429 and "Retry-After" in r.headers
    if fmt == "json":
        assert r.json()[0]["code"] == 429 and "look-ups" in r.json()[0]["description"]
    else:
        assert "<errors><error><code>429</code>" in r.text.replace("\n", "").replace(" ", "")
    assert client.get(f"/open311/v2/requests.{fmt}", params={"service_request_id": "X-1"}).status_code == 429
    # Refused look-ups are not counted: two lists more reach the address's limit (4).
    assert [client.get(f"/open311/v2/requests.{fmt}").status_code for _ in range(3)] == [200, 200, 429]
