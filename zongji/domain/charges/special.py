"""Special calls (R-H14: the supervisor's weekly list): outgoing calls a supervisor should look
at — an emergency number dialled from a room or an office, a call to a destination the rates
table does not know, a charge above a set amount, a call longer than a set time, or a charge the
front desk wrote off."""

from __future__ import annotations

from dataclasses import dataclass

EMERGENCY = frozenset({"110", "112", "119", "120", "122"})


@dataclass(frozen=True)
class Thresholds:
    amount_fen: int = 10000  # 100 yuan
    talk_seconds: int = 3600  # an hour


def reasons(*, dialled: str, kind: str, amount_fen: int, talk_seconds: int, state: str,
            thresholds: Thresholds) -> list[str]:
    """Why a charged call is special (empty: it is not)."""
    out = []
    if dialled in EMERGENCY:
        out.append("emergency")
    if kind == "unknown":
        out.append("unrated")
    if amount_fen >= thresholds.amount_fen:
        out.append("expensive")
    if talk_seconds >= thresholds.talk_seconds:
        out.append("long")
    if state == "written_off":
        out.append("written_off")
    return out
