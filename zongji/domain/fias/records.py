"""FIAS records: ``RI|FNvalue|FNvalue|`` — a two-letter record id, then fields, each a two-character
field id and its value, every one closed by ``|``.

Values cannot hold ``|`` (nor STX / ETX): :func:`clean_value` replaces them, so that any record
Zongji writes reads back as written (tested with hypothesis). Dates are ``YYMMDD`` (``DA``, ``GA``,
``GD``), times ``HHMMSS`` (``TI``; ``HHMM`` is read too), yes/no flags ``Y`` / ``N``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SEPARATOR = "|"
_RECORD_ID = re.compile(r"^[A-Z][A-Z0-9]$")
# Field ids are two characters: letters, digits and a few signs (``G#``, ``G+``, ``P#``, ``V#``).
_FIELD_ID = re.compile(r"^[A-Z0-9#+$%&*]{2}$")
_FORBIDDEN = str.maketrans({"|": "/", "\x02": " ", "\x03": " ", "\r": " ", "\n": " "})


class RecordError(ValueError):
    """Text that is not a FIAS record."""


def clean_value(value: object) -> str:
    """A field value as Zongji writes it: no separator, no framing or line characters."""
    return str(value).translate(_FORBIDDEN)


@dataclass(frozen=True)
class Record:
    """One record: its id (``GI``, ``LS`` …) and its fields in order. A field id may repeat."""

    kind: str
    fields: tuple[tuple[str, str], ...] = ()

    @classmethod
    def build(cls, kind: str, *pairs: tuple[str, object | None], **named: object | None) -> Record:
        """A record from ``(field id, value)`` pairs (``None`` values left out), values cleaned.
        Keyword arguments are for ids that are valid names (``RN="1208"``)."""
        items = [*pairs, *named.items()]
        fields = tuple((fid, clean_value(v)) for fid, v in items if v is not None)
        rec = cls(kind, fields)
        rec.check()
        return rec

    def check(self) -> None:
        if not _RECORD_ID.match(self.kind):
            raise RecordError(f"bad record id {self.kind!r}")
        for fid, value in self.fields:
            if not _FIELD_ID.match(fid):
                raise RecordError(f"bad field id {fid!r} in {self.kind}")
            if clean_value(value) != value:
                raise RecordError(f"field {fid} of {self.kind} holds a separator")

    def get(self, fid: str, default: str | None = None) -> str | None:
        for f, v in self.fields:
            if f == fid:
                return v
        return default

    def has(self, fid: str) -> bool:
        return any(f == fid for f, _ in self.fields)

    def field_ids(self) -> list[str]:
        return [f for f, _ in self.fields]


def format_record(rec: Record) -> str:
    rec.check()
    return rec.kind + SEPARATOR + "".join(f + v + SEPARATOR for f, v in rec.fields)


def parse_record(text: str) -> Record:
    """Parse one record (without its STX / ETX). Tolerates a missing final ``|`` and surrounding
    blanks; refuses a bad record id or a field shorter than its id."""
    text = text.strip("\r\n ")
    if not text:
        raise RecordError("empty record")
    parts = text.split(SEPARATOR)
    if parts and parts[-1] == "":
        parts.pop()
    kind, items = parts[0], parts[1:]
    if not _RECORD_ID.match(kind):
        raise RecordError(f"bad record id {kind!r}")
    fields = []
    for item in items:
        if item == "":
            continue  # an empty field (``||``): some PMSs send them
        if len(item) < 2 or not _FIELD_ID.match(item[:2]):
            raise RecordError(f"bad field {item!r} in {kind}")
        fields.append((item[:2], item[2:]))
    return Record(kind, tuple(fields))


# --------------------------------------------------------------------------- values


def fias_date(d: dt.date) -> str:
    return d.strftime("%y%m%d")


def fias_time(t: dt.time | dt.datetime) -> str:
    return t.strftime("%H%M%S")


def parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%y%m%d").date()
    except ValueError:
        raise RecordError(f"bad date {value!r}") from None


def parse_time(value: str | None) -> dt.time | None:
    if not value:
        return None
    v = value.strip()
    try:
        return dt.datetime.strptime(v, "%H%M%S" if len(v) == 6 else "%H%M").time()
    except ValueError:
        raise RecordError(f"bad time {value!r}") from None


def local_instant(date_value: str | None, time_value: str | None, tz: ZoneInfo) -> dt.datetime | None:
    """``DA`` and ``TI`` (the PMS's local date and time) as an aware instant."""
    d = parse_date(date_value)
    if d is None:
        return None
    return dt.datetime.combine(d, parse_time(time_value) or dt.time(0), tzinfo=tz)


def stamp(now: dt.datetime, tz: ZoneInfo) -> tuple[tuple[str, str], tuple[str, str]]:
    """The ``DA`` and ``TI`` fields of a record written at ``now``, in the hotel's time."""
    local = now.astimezone(tz)
    return ("DA", fias_date(local)), ("TI", fias_time(local))


def yes(value: str | None) -> bool | None:
    """A FIAS flag: ``Y`` / ``1`` true, ``N`` / ``0`` false, absent None."""
    if value is None or value == "":
        return None
    v = value.strip().upper()
    if v in ("Y", "1", "T"):
        return True
    if v in ("N", "0", "F"):
        return False
    raise RecordError(f"bad flag {value!r}")


def flag(value: bool) -> str:
    return "Y" if value else "N"
