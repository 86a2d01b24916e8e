"""Open311 GeoReport v2 rules that need no database (issue 15, point 5): service codes from the
category tree, a request's public status, the location a POST must carry, the attribute a
service definition offers (the order type), and the error list of the specification."""

from __future__ import annotations

import re
from dataclasses import dataclass

from zongji.domain.work_orders.words import FINAL_STATUSES, OrderType, Status

# The attribute every service offers: which kind of request it is (R-P2's six types).
ORDER_TYPE_ATTRIBUTE = "order_type"
ORDER_TYPE_NAMES = {
    OrderType.SUGGESTION: "建议 suggestion", OrderType.REQUEST: "一般诉求 request", OrderType.HELP: "求助 help",
    OrderType.COMPLAINT: "投诉举报 complaint", OrderType.INQUIRY: "咨询 inquiry", OrderType.PRAISE: "表扬 praise",
}
_MEDIA = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def service_code(category_code: str) -> str:
    """A category's path (``city/street_lights``) as a service code that fits in a URL path
    segment (``city.street_lights``)."""
    return category_code.replace("/", ".")


def request_status(status: str) -> str:
    """``open`` or ``closed`` (the specification's two)."""
    return "closed" if Status(status) in FINAL_STATUSES else "open"


@dataclass(frozen=True)
class Location:
    lat: float | None
    long: float | None
    address_string: str | None
    address_id: str | None


class SpecError(Exception):
    """A refusal in the specification's terms: HTTP status and description."""

    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def _number(name: str, raw: str | None, low: float, high: float) -> float | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        v = float(raw)
    except ValueError:
        raise SpecError(400, f"{name} must be a number") from None
    if not (low <= v <= high):
        raise SpecError(400, f"{name} must be between {low:g} and {high:g}")
    return v


def location(lat: str | None, long: str | None, address_string: str | None, address_id: str | None) -> Location:
    """The POST's location: lat and long together, or address_string, or address_id (one of them
    required by the specification)."""
    la, lo = _number("lat", lat, -90, 90), _number("long", long, -180, 180)
    if (la is None) != (lo is None):
        raise SpecError(400, "lat and long must be given together")
    addr = (address_string or "").strip() or None
    aid = (address_id or "").strip() or None
    if la is None and addr is None and aid is None:
        raise SpecError(400, "a location is required: lat and long, address_string or address_id")
    return Location(la, lo, addr, aid)


def media_url(raw: str | None) -> str | None:
    v = (raw or "").strip()
    if not v:
        return None
    if len(v) > 1000 or not _MEDIA.match(v):
        raise SpecError(400, "media_url must be an http or https URL")
    return v


def order_type(raw: str | None) -> str:
    """The ``attribute[order_type]`` value, by default a general request."""
    v = (raw or "").strip() or OrderType.REQUEST
    try:
        return str(OrderType(v))
    except ValueError:
        raise SpecError(400, f"attribute[{ORDER_TYPE_ATTRIBUTE}] must be one of "
                             f"{', '.join(t.value for t in OrderType)}") from None
