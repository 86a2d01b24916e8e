"""Order numbers: ``YYYYMMDD-NNNN``, the local day and the day's counter."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from zongji.domain.work_orders.errors import require_aware

_NUMBER = re.compile(r"^(\d{8})-(\d{4,})$")


def format_order_number(day: date, sequence: int) -> str:
    """``YYYYMMDD-NNNN``: the local day and the day's counter (1-based, at least 4 digits;
    10000 and above simply get more digits)."""
    if sequence < 1:
        raise ValueError("The sequence starts at 1")
    return f"{day:%Y%m%d}-{sequence:04d}"


def parse_order_number(text: str) -> tuple[date, int]:
    """Inverse of :func:`format_order_number`; raises ``ValueError`` on anything else."""
    m = _NUMBER.match(text.strip())
    if not m:
        raise ValueError(f"Not an order number: {text!r}")
    try:
        day = datetime.strptime(m.group(1), "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"Not an order number (bad date): {text!r}") from None
    seq = int(m.group(2))
    if seq < 1 or (len(m.group(2)) > 4 and m.group(2).startswith("0")):
        raise ValueError(f"Not an order number (bad sequence): {text!r}")
    return day, seq


def order_number_day(created_at: datetime, tz: ZoneInfo | str = "Asia/Shanghai") -> date:
    """The local day an order number uses."""
    require_aware(created_at, "created_at")
    return created_at.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz).date()
