"""Issue 8: raw telephony failures (exception text, SIP statuses) map to a cause the console says
in the operator's words; every cause has words in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zongji.telephony.causes import CODES, explain

I18N = Path(__file__).parents[2] / "zongji" / "web" / "static" / "i18n"


@pytest.mark.parametrize(("detail", "outcome", "cause"), [
    ("no test call: no test extension configured (wakeup_preflight_target); gateway not ok: "
     "SIP gateway unreachable: [Errno 111] Connection refused", "unhealthy", "gateway_refused"),
    ("no SIP gateway configured (wakeup_gateway_url)", "telephony_unavailable", "no_gateway"),
    ("SIP gateway unhealthy: not registered with sip:pbx.example: 403 Forbidden", None, "not_registered"),
    ("SIP gateway unhealthy: SIP stack not running", None, "gateway_stopped"),
    ("3 rooms in a row: telephony fault (last: 503 Service Unavailable)", None, "faults_in_a_row"),
    ("SIP gateway unreachable: timed out", None, "gateway_timeout"),
    ("http://gw:5071: SIP gateway unreachable: [Errno -2] Name or service not known", None,
     "gateway_unknown_host"),
    ("SIP gateway answered 500: boom", None, "gateway_error"),
    ("no SIP gateway can be reached", None, "gateway_refused"),
    ("test call to 8001: no_answer 408 Request Timeout", "no_answer", "test_no_answer"),
    ("test call to 8001: busy 486 Busy Here", "busy", "test_busy"),
    ("something nobody foresaw", None, "unknown"),
    ("", None, None),
])
def test_raw_failures_map_to_a_cause(detail, outcome, cause):
    assert explain(detail, outcome) == cause


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_cause_has_words(locale):
    words = json.loads((I18N / f"{locale}.json").read_text(encoding="utf-8"))
    for code in CODES:
        text = words.get(f"wk.cause.{code}")
        assert text, code
        assert "Errno" not in text and "Connection refused" not in text
