"""Why the telephony path failed, as a short code the console turns into the operator's words.

The raw text (``SIP gateway unreachable: [Errno 111] Connection refused``, a SIP status, a
synthesizer's error) stays in the logs, the audit trail and the technical ``detail`` field; the
console shows ``wk.cause.<code>`` from its i18n files instead (issue 8: no raw English or
exception text in the Chinese UI).

Codes: ``no_gateway`` (none configured), ``gateway_refused`` (nothing listens: ``zongji sip``
not running), ``gateway_timeout``, ``gateway_unknown_host``, ``gateway_error`` (it answered with
an error), ``gateway_stopped`` (its SIP stack is not running), ``not_registered`` (the PBX did not
accept its registration), ``faults_in_a_row`` (calls to several rooms failed in the phone system),
``pbx_off`` (the simulated PBX is switched off), and for a test call that was placed:
``test_no_answer``, ``test_busy``, ``test_no_key``, ``test_failed``, ``test_fault``; otherwise
``unknown``.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, str], ...] = (
    ("no_gateway", r"no SIP gateway configured|no SIP gateway\b(?! can)|wakeup_gateway_url\)"),
    ("faults_in_a_row", r"rooms in a row"),
    ("pbx_off", r"simulated PBX is switched off"),
    ("not_registered", r"not registered|registration .* pending"),
    ("gateway_refused", r"Errno 111|Errno 61|Connection refused|ConnectError|"
                        r"no SIP gateway can be reached|All connection attempts failed"),
    ("gateway_timeout", r"timed out|Timeout|timeout"),
    ("gateway_unknown_host", r"Name or service not known|nodename nor servname|getaddrinfo|"
                             r"Temporary failure in name resolution|Errno -[235]\b"),
    ("gateway_stopped", r"SIP stack|SIP gateway (?:is not running|stopped)|not running"),
    ("gateway_error", r"SIP gateway answered \d+|gateway health \d+|unhealthy|unavailable"),
)

_TEST_OUTCOMES = {
    "no_answer": "test_no_answer",
    "busy": "test_busy",
    "answered_no_key": "test_no_key",
    "failed": "test_failed",
    "telephony_fault": "test_fault",
}

CODES = tuple(code for code, _ in _RULES) + tuple(_TEST_OUTCOMES.values()) + ("unknown",)


def explain(detail: str | None, outcome: str | None = None) -> str | None:
    """The cause code for a failure's raw ``detail`` (and a test call's ``outcome``); None when
    there is nothing to explain (no detail and no failed outcome)."""
    if outcome in _TEST_OUTCOMES:
        return _TEST_OUTCOMES[outcome]
    text = (detail or "").strip()
    if not text:
        return None
    for code, pattern in _RULES:
        if re.search(pattern, text):
            return code
    return "unknown"
