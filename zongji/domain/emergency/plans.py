"""Emergency plans (issue 14 point 1, R-H11): per kind, who is told, in which wave, with which
deputy, over which channels, how many tries and how long to wait before the deputy is called.

A plan is a pure value; :func:`parse_plan` turns the supervisor's JSON into one, naming the
field of the first thing wrong (``recipients[2].number``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from zongji.domain.emergency.errors import InvalidInput, require_text


class Kind(StrEnum):
    FIRE = "fire"
    MEDICAL = "medical"
    SECURITY = "security"
    LIFT_ENTRAPMENT = "lift_entrapment"
    POWER_FAILURE = "power_failure"
    WATER_FAILURE = "water_failure"
    GAS = "gas"
    OTHER = "other"


class Channel(StrEnum):
    PHONE = "phone"  # a call through the SIP gateway that speaks the situation; key 1 acknowledges
    SMS = "sms"
    CONSOLE = "console"  # the red bar and the board on every console


@dataclass(frozen=True)
class Recipient:
    """One person (or role's duty phone) to tell; ``deputy`` is told when they do not
    acknowledge in time."""

    name: str
    number: str = ""
    role: str = ""  # e.g. "general manager", shown on the board
    wave: int = 1
    channels: tuple[Channel, ...] = (Channel.PHONE,)
    deputy: "Recipient | None" = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["channels"] = [c.value for c in self.channels]
        d["deputy"] = self.deputy.to_dict() if self.deputy else None
        return d


@dataclass(frozen=True)
class Plan:
    kind: Kind
    name: str
    recipients: tuple[Recipient, ...]
    tries: int = 2  # phone calls per person before the deputy is called
    retry_seconds: int = 60  # between two tries
    deputy_wait_seconds: int = 180  # no acknowledgement this long after the first call: deputy
    wave_seconds: int = 120  # wave n+1 starts this long after wave n
    enabled: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def waves(self) -> list[int]:
        return sorted({r.wave for r in self.recipients})

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "name": self.name, "tries": self.tries,
                "retry_seconds": self.retry_seconds, "deputy_wait_seconds": self.deputy_wait_seconds,
                "wave_seconds": self.wave_seconds, "enabled": self.enabled,
                "recipients": [r.to_dict() for r in self.recipients]}


MAX_RECIPIENTS = 50
NUMBER_CHARS = set("0123456789+*#")


def _int(data: dict, name: str, default: int, lo: int, hi: int, where: str = "") -> int:
    v = data.get(name, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise InvalidInput(f"{where}{name} must be a whole number from {lo} to {hi}",
                           field=f"{where}{name}", code="out_of_range")
    return v


def _recipient(data: Any, where: str, *, deputy_allowed: bool = True) -> Recipient:
    if not isinstance(data, dict):
        raise InvalidInput(f"{where} must be an object", field=where, code="not_object")
    name = require_text(data.get("name"), f"{where}.name", max_len=100)
    number = data.get("number") or ""
    if not isinstance(number, str) or (number and not set(number) <= NUMBER_CHARS) or len(number) > 40:
        raise InvalidInput(f"{where}.number must be digits (with + * #)", field=f"{where}.number",
                           code="bad_number")
    raw = data.get("channels", ["phone"])
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(f"{where}.channels must list phone, sms or console",
                           field=f"{where}.channels", code="channels_required")
    try:
        channels = tuple(dict.fromkeys(Channel(c) for c in raw))
    except (ValueError, TypeError):
        raise InvalidInput(f"{where}.channels: one of phone, sms, console", field=f"{where}.channels",
                           code="bad_channel") from None
    if (Channel.PHONE in channels or Channel.SMS in channels) and not number:
        raise InvalidInput(f"{where}.number is needed for phone or SMS", field=f"{where}.number",
                           code="number_required")
    deputy = None
    if data.get("deputy"):
        if not deputy_allowed:
            raise InvalidInput(f"{where}.deputy: a deputy has no deputy of their own",
                               field=f"{where}.deputy", code="nested_deputy")
        deputy = _recipient(data["deputy"], f"{where}.deputy", deputy_allowed=False)
    return Recipient(name=name, number=number, role=str(data.get("role") or "")[:100],
                     wave=_int(data, "wave", 1, 1, 9, f"{where}.") if deputy_allowed else 1,
                     channels=channels, deputy=deputy)


def parse_plan(data: Any) -> Plan:
    """A plan from its JSON form; InvalidInput names the first field at fault."""
    if not isinstance(data, dict):
        raise InvalidInput("the plan must be an object", field="plan", code="not_object")
    try:
        kind = Kind(data.get("kind"))
    except ValueError:
        raise InvalidInput("kind: one of " + ", ".join(k.value for k in Kind), field="kind",
                           code="bad_kind") from None
    name = require_text(data.get("name") or kind.value, "name", max_len=100)
    people = data.get("recipients")
    if not isinstance(people, list) or not people:
        raise InvalidInput("recipients: at least one person to tell", field="recipients",
                           code="recipients_required")
    if len(people) > MAX_RECIPIENTS:
        raise InvalidInput(f"recipients: at most {MAX_RECIPIENTS}", field="recipients", code="too_many")
    recipients = tuple(_recipient(p, f"recipients[{i}]") for i, p in enumerate(people))
    return Plan(kind=kind, name=name, recipients=recipients,
                tries=_int(data, "tries", 2, 1, 10),
                retry_seconds=_int(data, "retry_seconds", 60, 5, 3600),
                deputy_wait_seconds=_int(data, "deputy_wait_seconds", 180, 10, 3600),
                wave_seconds=_int(data, "wave_seconds", 120, 0, 3600),
                enabled=bool(data.get("enabled", True)))


# The hotel's fire plan (R-H11): general manager, resident manager, engineering, security, the
# medical room and the head of the department concerned — all at once, deputies after 3 minutes.
HOTEL_FIRE_PLAN = {
    "kind": "fire", "name": "火警通报 Fire", "tries": 2, "retry_seconds": 60,
    "deputy_wait_seconds": 180, "wave_seconds": 120,
    "recipients": [
        {"name": "总经理 General manager", "role": "general_manager", "number": "8001",
         "channels": ["phone", "sms"], "deputy": {"name": "副总经理 Deputy GM", "number": "8011",
                                                  "channels": ["phone", "sms"]}},
        {"name": "驻店经理 Resident manager", "role": "resident_manager", "number": "8002",
         "channels": ["phone", "sms"], "deputy": {"name": "值班经理 Duty manager", "number": "8012",
                                                  "channels": ["phone"]}},
        {"name": "工程部 Engineering", "role": "engineering", "number": "8003",
         "channels": ["phone", "console"], "deputy": {"name": "工程值班 Engineering duty",
                                                      "number": "8013", "channels": ["phone"]}},
        {"name": "保安部 Security", "role": "security", "number": "8004",
         "channels": ["phone", "console"], "deputy": {"name": "保安值班 Security duty",
                                                      "number": "8014", "channels": ["phone"]}},
        {"name": "医务室 Medical room", "role": "medical", "number": "8005",
         "channels": ["phone"]},
        {"name": "部门负责人 Head of department", "role": "department_head", "number": "8006",
         "channels": ["phone", "sms"], "wave": 2},
    ],
}
