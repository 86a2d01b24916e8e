"""Passenger ID numbers for flight bookings (R-T5, issue 17 point 4).

A PRC resident identity card number (居民身份证, GB 11643-1999) has 18 characters: a 6-digit
area code, the birth date YYYYMMDD, a 3-digit sequence and a check character computed with
ISO 7064 MOD 11-2 (``X`` stands for 10). A passport number is accepted by pattern only (letters
and digits, 5-20 characters). ID numbers are personal data: :func:`mask` hides the middle and
:func:`may_read_unmasked` decides which roles see them in full (each such read is audited by the
service layer). Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from zongji.domain.roles import Role

RESIDENT_ID = "resident_id"
PASSPORT = "passport"
ID_KINDS = (RESIDENT_ID, PASSPORT)

# The operator issues the ticket and the shift leader checks it: they need the full number
# (R-T5). Supervisors, admins and units see it masked.
ID_NUMBER_ROLES = frozenset({Role.OPERATOR, Role.SHIFT_LEADER})

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_RESIDENT = re.compile(r"^\d{17}[\dX]$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")


class IdNumberError(ValueError):
    """An ID number that is not valid; ``code`` names the reason for the UI."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise IdNumberError("The first 17 characters must be digits", "id_format")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize(number: str) -> str:
    return re.sub(r"[\s-]", "", number or "").upper()


@dataclass(frozen=True)
class IdNumber:
    kind: str
    number: str
    birth_date: date | None = None


def parse(kind: str, number: str, *, today: date | None = None) -> IdNumber:
    """Validate and normalize an ID number of the given kind; raises :class:`IdNumberError`."""
    value = normalize(number)
    if kind == RESIDENT_ID:
        if not _RESIDENT.match(value):
            raise IdNumberError("A resident ID has 17 digits and a check digit or X", "id_format")
        try:
            born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            raise IdNumberError("The birth date in the resident ID is not a date", "id_birth_date") from None
        if born.year < 1900 or (today is not None and born > today):
            raise IdNumberError("The birth date in the resident ID is not possible", "id_birth_date")
        if check_character(value[:17]) != value[17]:
            raise IdNumberError("The check digit of the resident ID is wrong", "id_check_digit")
        return IdNumber(kind, value, born)
    if kind == PASSPORT:
        if not _PASSPORT.match(value):
            raise IdNumberError("A passport number has 5 to 20 letters or digits", "id_format")
        return IdNumber(kind, value)
    raise IdNumberError(f"Unknown ID kind {kind!r}", "id_kind")


def mask(number: str) -> str:
    """``110105199003071234`` -> ``110105********1234``; a short number keeps its last 2."""
    if not number:
        return number
    if len(number) >= 14:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    keep = 2 if len(number) > 4 else 0
    return "*" * (len(number) - keep) + number[len(number) - keep:]


def may_read_unmasked(role: Role | str) -> bool:
    try:
        return Role(role) in ID_NUMBER_ROLES
    except ValueError:
        return False


def shown(number: str | None, role: Role | str) -> str | None:
    """What the given role sees of an ID number (None when erased)."""
    if number is None:
        return None
    return number if may_read_unmasked(role) else mask(number)


def is_mask_of(submitted: str | None, number: str | None) -> bool:
    """True when ``submitted`` is the masked form of the stored ``number``: a form filled by a
    role that sees masked numbers sends them back unchanged, and the stored number is kept."""
    if not submitted or not number:
        return False
    return normalize(submitted) == mask(number)


def tail(number: str | None) -> str:
    """The last four characters, what is read back to the customer (never the whole number)."""
    return (number or "")[-4:]
