"""A caller's number reduced to the digits two orders (or an order and a call) are matched on.

Not :func:`zongji.domain.caller_id.normalize_number`: that one classifies what a PBX or a person
writes (mobile, landline with area code, extension, anonymous …) into one canonical form; this
one only keeps the digits and drops a leading +86/0086 country code before 11 or more digits, so
that ``+86 138 0013 8000`` and ``13800138000`` compare equal (duplicate scoring, the calls that
may belong to an order)."""

from __future__ import annotations

import re

def phone_digits(number: str | None) -> str:
    """Digits only, without a leading +86/0086 country code."""
    d = re.sub(r"\D", "", number or "")
    for prefix in ("0086", "86"):
        if d.startswith(prefix) and len(d) - len(prefix) >= 11:
            d = d[len(prefix) :]
            break
    return d
