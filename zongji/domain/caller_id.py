"""Who is calling: phone-number normalisation and the caller-matching rule (R-H2, R-H4).

Pure. ``normalize_number`` turns what a PBX or a person writes into one canonical form;
``number_key`` reduces a dialled number for matching (lines, transfer legs);
``CallerIdentity`` is what the console shows for a number (see docs/contracts.md); ``best_match``
decides which record wins when a number matches several.

Canonical forms (``PhoneNumber.digits``):

* mobile: 11 digits, ``13800138000`` (from ``+86 138 0013 8000``, ``0086-13800138000``,
  ``8613800138000``, ``１３８００１３８０００``);
* landline with area code: ``02088886666`` (from ``020-8888 6666``, ``(020)88886666``,
  ``+86 20 8888 6666``);
* extension (3–5 digits): ``8301``; service numbers such as 110, 12345 are short numbers too;
* 400/800 numbers: ``4008001234``;
* local number without area code (7–8 digits): ``88886666``;
* international: ``+4420…``;
* anonymous / withheld / blank: ``""`` with ``kind == "anonymous"``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

ANONYMOUS_WORDS = frozenset({
    "anonymous", "unknown", "withheld", "private", "restricted", "unavailable", "blocked",
    "hidden", "none", "null", "clir", "匿名", "未知", "未知号码", "隐藏", "隐藏号码", "私人号码",
    "无号码", "号码隐藏",
})
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0[1-9]\d{6,10}$")  # area code + 5–8 digits
_SERVICE_400 = re.compile(r"^(400|800)\d{7}$")
_EXTENSION = re.compile(r"^\d{3,5}$")
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")
# Three-digit area codes: 010 (Beijing) and 020–029.
_THREE_DIGIT_AREA = re.compile(r"^0(10|2\d)")


@dataclass(frozen=True)
class PhoneNumber:
    raw: str
    digits: str  # canonical form; "" when anonymous or unusable
    # "mobile", "landline", "extension", "service" (400/800), "local", "international",
    # "anonymous" or "invalid".
    kind: str
    area_code: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.kind == "anonymous"

    @property
    def valid(self) -> bool:
        return self.kind not in ("anonymous", "invalid")

    def variants(self) -> list[str]:
        """Forms under which the same number may have been stored (for exact look-ups)."""
        d = self.digits
        if not d:
            return []
        out = [d]
        if self.kind == "mobile":
            out += [f"+86{d}", f"86{d}", f"0086{d}", f"+86 {d}", f"{d[:3]} {d[3:7]} {d[7:]}",
                    f"{d[:3]}-{d[3:7]}-{d[7:]}", f"+86 {d[:3]} {d[3:7]} {d[7:]}"]
        elif self.kind == "landline" and self.area_code:
            local = d[len(self.area_code):]
            out += [f"{self.area_code}-{local}", f"{self.area_code} {local}",
                    f"({self.area_code}){local}", f"+86{d[1:]}", f"86{d[1:]}", f"0086{d[1:]}",
                    f"+86 {self.area_code[1:]} {local}", f"+86-{self.area_code[1:]}-{local}"]
        elif self.kind == "service":
            out += [f"{d[:3]}-{d[3:6]}-{d[6:]}", f"{d[:3]} {d[3:6]} {d[6:]}", f"{d[:4]}-{d[4:]}"]
        elif self.kind == "international":
            out += [d[1:], "00" + d[1:]]
        return list(dict.fromkeys(out))


def normalize_number(raw: str | None) -> PhoneNumber:
    """Canonical form of a phone number as given by a PBX, a form or a spreadsheet."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text or text.lower() in ANONYMOUS_WORDS:
        return PhoneNumber(raw or "", "", "anonymous")
    lowered = text.lower()
    # SIP / tel URIs: "sip:8301@pbx.local", "tel:+86-20-8888-6666".
    for scheme in ("sip:", "sips:", "tel:"):
        if lowered.startswith(scheme):
            text = text[len(scheme):]
            break
    text = text.split("@", 1)[0].split(";", 1)[0]
    if text.lower() in ANONYMOUS_WORDS:
        return PhoneNumber(raw or "", "", "anonymous")
    plus = text.startswith("+")
    body = re.sub(r"[\s\-().\u00a0/]", "", text.lstrip("+"))
    if not body:
        return PhoneNumber(raw or "", "", "anonymous")
    if not body.isdigit():
        return PhoneNumber(raw or "", "", "invalid")
    international = plus or body.startswith("00")
    if body.startswith("00"):
        body = body[2:]
    if international:
        if not body.startswith("86"):
            return PhoneNumber(raw or "", "+" + body, "international") if len(body) >= 7 \
                else PhoneNumber(raw or "", "", "invalid")
        national = body[2:]
        if not national.startswith(("1", "0")) and len(national) >= 9:
            national = "0" + national  # +86 20 8888 6666 → 020 8888 6666
        return _domestic(raw or "", national)
    if body.startswith("86") and _MOBILE.match(body[2:]):
        return PhoneNumber(raw or "", body[2:], "mobile")
    result = _domestic(raw or "", body)
    if not result.valid and body.startswith("86") and len(body) >= 11:
        # 86 20 8888 6666 written without "+": a landline with the country code.
        retry = _domestic(raw or "", "0" + body[2:])
        if retry.kind == "landline":
            return retry
    return result


def _domestic(raw: str, d: str) -> PhoneNumber:
    if _MOBILE.match(d):
        return PhoneNumber(raw, d, "mobile")
    if _SERVICE_400.match(d):
        return PhoneNumber(raw, d, "service")
    if _LANDLINE.match(d):
        area = d[:3] if _THREE_DIGIT_AREA.match(d) else d[:4]
        return PhoneNumber(raw, d, "landline", area_code=area)
    if _EXTENSION.match(d):
        return PhoneNumber(raw, d, "extension")
    if _LOCAL.match(d):
        return PhoneNumber(raw, d, "local")
    # 95xxx / 96xxx six-digit service numbers and other short codes.
    if len(d) == 6 and d.startswith("9"):
        return PhoneNumber(raw, d, "service")
    return PhoneNumber(raw, "", "invalid")


def storage_form(raw: str | None) -> str | None:
    """What to store for a number typed by a person or imported: canonical, or None if blank.

    Raises ValueError when it is not a phone number.
    """
    if raw is None or not unicodedata.normalize("NFKC", str(raw)).strip():
        return None
    pn = normalize_number(str(raw))
    if not pn.valid:
        raise ValueError("not a phone number")
    return pn.digits


def number_key(number: str | None) -> str:
    """A dialled number reduced for matching: digits only, no country code, no trunk 0."""
    if not number:
        return ""
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) >= 12:
        digits = digits[2:]
    return digits.lstrip("0") or digits


# Digits a number search key keeps at most (the calls' number columns are 64 characters).
SEARCH_KEY_MAX = 64


def search_digits(raw: str | None) -> str:
    """The call-log search key of a number: its digits only, without China's country code.

    The same reading as ``normalize_number``: full-width digits count, a ``sip:``/``tel:`` URI
    gives its user part, and ``+86``, ``0086`` (or ``86`` before a mobile number) is dropped.
    Nothing is ever added (no trunk 0), so the key is always a tail of the number's digits and a
    search by its beginning or its end finds what ``LIKE '%…%'`` found for a full number, its
    last digits or its first digits (issue 18). Anonymous or blank: ``""``.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    lowered = text.lower()
    for scheme in ("sip:", "sips:", "tel:"):
        if lowered.startswith(scheme):
            text = text[len(scheme):]
            break
    text = text.split("@", 1)[0].split(";", 1)[0].strip()
    plus = text.startswith("+")
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    if digits.startswith("0086") and len(digits) > 4:
        digits = digits[4:]
    elif plus and digits.startswith("86") and len(digits) > 2:
        digits = digits[2:]
    elif digits.startswith("86") and _MOBILE.match(digits[2:]):
        digits = digits[2:]
    return digits[:SEARCH_KEY_MAX]


def reversed_digits(key: str) -> str:
    """``key`` backwards: a search by a number's last digits is a search by this one's first."""
    return key[::-1]


# --------------------------------------------------------------------------- identity

KINDS = ("guest", "staff", "customer", "department", "room", "unknown")


@dataclass
class CallerIdentity:
    """Who a calling number belongs to, as the console shows it (docs/contracts.md)."""

    kind: str = "unknown"
    ref_id: int | None = None
    name: str | None = None
    # How to address them: staff title (总经理) or a VIP's title (李董事长).
    title: str | None = None
    vip: bool = False
    label: str = ""
    department: str | None = None
    detail: str | None = None
    privacy_level: str | None = None  # guests only
    # Only when the caller is calling from that room's own extension (the guest themself).
    room_number: str | None = None
    normalized_number: str = ""
    # Used for ranking only; not part of the JSON.
    is_manager: bool = field(default=False, repr=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("is_manager", None)
        return d


def unknown_identity(number: PhoneNumber) -> CallerIdentity:
    if number.anonymous:
        label = "未显示号码"
    elif not number.valid:
        label = f"无法识别的号码 {number.raw.strip()}"
    else:
        label = number.digits
    return CallerIdentity(kind="unknown", label=label, normalized_number=number.digits)


def make_label(name: str | None, title: str | None, *, vip: bool = False, extra: str | None = None) -> str:
    parts = [p for p in (name, title) if p]
    label = " · ".join(parts)
    if extra:
        label = f"{label} · {extra}" if label else extra
    if vip:
        label += " (VIP)"
    return label


def rank(identity: CallerIdentity) -> tuple:
    """Sort key: the first identity wins.

    In-house guest (by mobile or from their room's extension) > staff (managers first) >
    department > customer > an empty room > unknown. VIPs first within a kind; then the
    lowest id, so the answer is stable.
    """
    order = {
        "guest": 0,
        "staff": 1,
        "department": 3,
        "customer": 4,
        "room": 5,
        "unknown": 6,
    }
    base = order.get(identity.kind, 6)
    if identity.kind == "staff" and not identity.is_manager:
        base = 2
    return (base, not identity.vip, identity.ref_id if identity.ref_id is not None else 0)


def best_match(candidates: Iterable[CallerIdentity], number: PhoneNumber) -> CallerIdentity:
    """The identity to show for ``number`` among the records it matched."""
    ranked = sorted(candidates, key=rank)
    if not ranked:
        return unknown_identity(number)
    return ranked[0]


# --------------------------------------------------------------------------- stays


def stay_in_house(status: str, arrival: dt.datetime, departure: dt.datetime, at: dt.datetime) -> bool:
    """Whether a stay has its guest in the house at ``at``.

    ``in_house``: from arrival on; a guest past the planned departure who has not checked out is
    still in house (late check-out) for up to a day. ``checked_out``: only between arrival and
    departure (for questions about the past). ``expected``: not yet.
    """
    if arrival > at:
        return False
    if status == "in_house":
        return at - departure < dt.timedelta(days=1)
    if status == "checked_out":
        return at < departure
    return False
