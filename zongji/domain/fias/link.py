"""The link records (LS link start, LD link description, LR link record, LA link alive, LE link
end) and the description Zongji announces.

The PMS opens the conversation with LS (and sends it again whenever it restarts); the interface
answers every LS with its description: LD, then one LR per record type it sends or wants to
receive with the fields it uses (``FL``: the field ids run together), then LA. The PMS answers
with LA: the link is up. Afterwards either side sends LA to check the link is alive and the other
answers with LA. LE: the other side is closing; records to send wait until the link is up again.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from zongji.domain.fias.records import Record, stamp

# What Zongji is (LD ``IF``: the interface family; PB = PBX / switchboard) and its version.
INTERFACE_FAMILY = "PB"
INTERFACE_VERSION = "Zongji 1"

# Record type → the fields Zongji uses in it, in the order it lists them in its LR.
RECORDS_USED: dict[str, tuple[str, ...]] = {
    # from the PMS
    "GI": ("RN", "G#", "GN", "GF", "GL", "GV", "GA", "GD", "SF", "DN", "DA", "TI"),
    "GC": ("RN", "RO", "G#", "GN", "GF", "GL", "GV", "GA", "GD", "SF", "DN", "DA", "TI"),
    "GO": ("RN", "G#", "DA", "TI"),
    "WR": ("RN", "DA", "TI"),
    "WC": ("RN", "DA", "TI"),
    "DS": ("DA", "TI"),
    "DE": ("DA", "TI"),
    # both ways
    "RE": ("RN", "DN", "ML", "DA", "TI"),
    # to the PMS
    "WA": ("RN", "DA", "TI", "AS"),
    "DR": ("DA", "TI"),
    # postings: to the PMS, and its answer
    "PS": ("RN", "G#", "P#", "PT", "TA", "DD", "DU", "CT", "DA", "TI"),
    "PA": ("RN", "P#", "AS", "CT", "DA", "TI"),
}
LINK_RECORDS = frozenset({"LS", "LD", "LR", "LA", "LE"})


def description(now: dt.datetime, tz: ZoneInfo) -> list[Record]:
    """LD, the LRs and LA: what Zongji sends after every LS."""
    da, ti = stamp(now, tz)
    out = [Record.build("LD", da, ti, ("V#", INTERFACE_VERSION), ("IF", INTERFACE_FAMILY))]
    for kind, fields in RECORDS_USED.items():
        out.append(Record.build("LR", ("RI", kind), ("FL", "".join(fields))))
    out.append(Record.build("LA", da, ti))
    return out


def link_record(kind: str, now: dt.datetime, tz: ZoneInfo) -> Record:
    """LS, LA or LE stamped with the hotel's date and time."""
    if kind not in ("LS", "LA", "LE"):
        raise ValueError(kind)
    return Record.build(kind, *stamp(now, tz))


def resync_request(now: dt.datetime, tz: ZoneInfo) -> Record:
    """DR: ask the PMS for every in-house guest again (DS, GI …, DE)."""
    return Record.build("DR", *stamp(now, tz))


def described_records(records: list[Record]) -> dict[str, tuple[str, ...]]:
    """What a peer's LRs announce: record type → its field ids (the emulator reads Zongji's)."""
    out: dict[str, tuple[str, ...]] = {}
    for r in records:
        if r.kind == "LR" and r.get("RI"):
            fl = r.get("FL") or ""
            out[r.get("RI") or ""] = tuple(fl[i:i + 2] for i in range(0, len(fl), 2))
    return out
