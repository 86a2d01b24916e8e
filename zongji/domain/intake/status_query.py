"""A citizen asks for the state of an order by SMS: "查询 20261204-0001" (also 查询：…, 查 …,
full-width digits and dash, "cx" or "status"). Returns the order number asked for, or None."""

from __future__ import annotations

import re
import unicodedata

_QUERY = re.compile(r"^\s*(?:查询|查|cx|status|query)\s*[:：]?\s*(\d{8})\s*[-—–－_ ]?\s*(\d{4,})\s*[。.!！]?\s*$",
                    re.IGNORECASE)


def order_number_asked(text: str) -> str | None:
    folded = unicodedata.normalize("NFKC", text or "")
    m = _QUERY.match(folded)
    return f"{m.group(1)}-{m.group(2)}" if m else None
