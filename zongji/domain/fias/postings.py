"""Postings (issue 16 point 5): a charge to a guest's folio (R-H10) as a PS (posting simple)
record, and the PMS's PA (posting answer).

PS carries the room (``RN``), the reservation when known (``G#``), Zongji's posting sequence
number (``P#``, the posting's id: the PMS's PA names it, and a PS sent again after a broken
link carries the same number), the posting type (``PT`` ``C``: a direct charge), the total amount
in the currency's minor unit (``TA``, fen), the dialled digits (``DD``) and duration (``DU``,
``HHMMSS``) of a call, a clear text (``CT``), ``DA`` / ``TI``.

PA's answer status (``AS``): ``OK`` posted; ``RY`` (retry), ``NA`` (night audit running) and
``BY`` (busy) mean "send it again later"; any other status (the guest is not found, posting is
not allowed for the room, the guest checked out …) refuses it: it stays listed for a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from zongji.domain.fias.records import Record, RecordError, stamp

POSTED = "posted"
RETRY = "retry"
REFUSED = "refused"
RETRY_STATUSES = frozenset({"RY", "NA", "BY"})


@dataclass(frozen=True)
class Posting:
    sequence: int
    room: str
    amount_minor: int
    reservation: str | None = None
    dialled: str | None = None
    duration_seconds: int | None = None
    text: str | None = None


def _duration(seconds: int) -> str:
    h, rest = divmod(max(0, int(seconds)), 3600)
    m, s = divmod(rest, 60)
    return f"{min(h, 99):02d}{m:02d}{s:02d}"


def posting_record(p: Posting, at: dt.datetime, tz: ZoneInfo) -> Record:
    if p.amount_minor < 0:
        raise ValueError("a posting's amount is not negative")
    return Record.build(
        "PS", ("RN", p.room), ("G#", p.reservation), ("P#", p.sequence), ("PT", "C"), ("TA", p.amount_minor),
        ("DD", p.dialled), ("DU", None if p.duration_seconds is None else _duration(p.duration_seconds)),
        ("CT", p.text), *stamp(at, tz))


@dataclass(frozen=True)
class PostingAnswer:
    sequence: int
    status: str
    text: str | None

    @property
    def outcome(self) -> str:
        if self.status == "OK":
            return POSTED
        return RETRY if self.status in RETRY_STATUSES else REFUSED


def posting_answer(rec: Record) -> PostingAnswer:
    if rec.kind != "PA":
        raise RecordError(f"{rec.kind} is not a posting answer")
    seq = (rec.get("P#") or "").strip()
    if not seq.isdigit():
        raise RecordError("PA without a posting number P#")
    status = (rec.get("AS") or "").strip().upper()
    if not status:
        raise RecordError("PA without an answer status AS")
    return PostingAnswer(int(seq), status, rec.get("CT"))
