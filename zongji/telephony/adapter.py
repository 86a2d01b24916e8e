"""The telephony adapter: what the core asks of a phone system, without any SIP stack in sight.

A wake-up worker (and later the switchboard) depends only on this module. The SIP gateway
(:mod:`zongji.telephony.sip_gateway`) implements :class:`TelephonyAdapter` with PJSIP in its own
process; :class:`HttpTelephonyClient` (in :mod:`zongji.telephony.gateway_client`) reaches that
process over loopback HTTP. Tests may use any object with a ``place_call`` method.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Protocol, Sequence


class CallOutcome(StrEnum):
    """How one outgoing call ended, as far as the caller of ``place_call`` cares."""

    ANSWERED_CONFIRMED = "answered_confirmed"  # answered and pressed a confirm key
    ANSWERED_SNOOZED = "answered_snoozed"  # answered and pressed a snooze key
    ANSWERED_NO_KEY = "answered_no_key"  # answered, heard the prompt, pressed nothing useful
    BUSY = "busy"  # 486 / 600 / 603
    NO_ANSWER = "no_answer"  # rang until the ring timeout (or 408 / 480)
    FAILED = "failed"  # any other failure of this call (404, 503, media error …)

    @property
    def answered(self) -> bool:
        return self.value.startswith("answered")


@dataclass(frozen=True)
class CallResult:
    outcome: CallOutcome
    call_id: str
    uri: str
    key: str | None = None  # the DTMF key that decided the outcome
    sip_status: int | None = None  # final SIP status (200 when answered)
    reason: str = ""  # SIP reason phrase or a short explanation
    started_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    keys: Sequence[str] = field(default_factory=tuple)  # every DTMF key received

    def to_dict(self) -> dict:
        d = asdict(self)
        d["outcome"] = self.outcome.value
        d["keys"] = list(self.keys)
        for k in ("started_at", "answered_at", "ended_at"):
            d[k] = d[k].isoformat() if d[k] else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "CallResult":
        def t(v):
            return dt.datetime.fromisoformat(v) if v else None

        return cls(
            outcome=CallOutcome(d["outcome"]), call_id=d["call_id"], uri=d["uri"], key=d.get("key"),
            sip_status=d.get("sip_status"), reason=d.get("reason", ""),
            started_at=t(d.get("started_at")), answered_at=t(d.get("answered_at")),
            ended_at=t(d.get("ended_at")), keys=tuple(d.get("keys") or ()),
        )


class TelephonyUnavailable(Exception):
    """The phone system cannot place calls at all (gateway down, stack not started).

    Distinct from a call that fails: a wake-up worker escalates every due wake-up to the
    operators' manual call list at once when it sees this (R-H9: never silence).
    """


class TelephonyAdapter(Protocol):
    def place_call(
        self,
        uri: str,
        prompt_wav: str | None,
        confirm_keys: Sequence[str] = ("1",),
        ring_timeout: float = 30.0,
        *,
        snooze_keys: Sequence[str] = ("2",),
        key_timeout: float = 10.0,
        call_id: str | None = None,
    ) -> CallResult:
        """Call ``uri``, play ``prompt_wav`` when answered, wait for a key, hang up.

        Blocks until the call has ended. Raises :class:`TelephonyUnavailable` when no call can
        be placed at all.
        """
        ...
