"""The telephony adapter: what the core asks of a phone system, without any SIP stack in sight.

A wake-up worker (and later the switchboard) depends only on this module. The SIP gateway
(:mod:`zongji.telephony.sip_gateway`) implements :class:`TelephonyAdapter` with PJSIP in its own
process; :class:`HttpTelephonyClient` (in :mod:`zongji.telephony.control`) reaches that
process over loopback HTTP. Tests may use any object with a ``place_call`` method.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import asdict, dataclass, field
from typing import Protocol, Sequence

from zongji.domain.call_outcome import CallOutcome  # noqa: F401 (part of this contract)


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
    transferred_to: str | None = None  # the call was blind-transferred (REFER) to this URI

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
            transferred_to=d.get("transferred_to"),
        )


class TelephonyUnavailable(Exception):
    """The phone system cannot place calls at all (gateway down, stack not started).

    Distinct from a call that fails: a wake-up worker escalates every due wake-up to the
    operators' manual call list at once when it sees this (R-H9: never silence).
    """


class TransferRefused(Exception):
    """A transfer command that cannot be carried out: the call is unknown or has ended
    (``unknown_call``), is not answered yet (``not_answered``), already has a transfer under way
    (``in_progress``), or the far end refused the REFER / the target failed (``failed``, with
    the SIP status). Not raised for an unreachable gateway (that is TelephonyUnavailable)."""

    def __init__(self, cause: str, message: str = "", sip_status: int | None = None):
        super().__init__(message or cause)
        self.cause = cause
        self.sip_status = sip_status


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


# --------------------------------------------------------------------------- switchboard commands


class SwitchboardAdapter(Protocol):
    """What the switchboard (issue 3) asks of the phone system. Documented in docs/telephony.md.

    Every command returns once the PBX has accepted it (not once the far end answered) and raises
    :class:`TelephonyUnavailable` when the PBX cannot be reached. Commands are idempotent: sending
    the same lamp or lock state twice has no further effect, so the core may retry.

    A transfer's result comes back asynchronously: the PBX reports it to the core (for a real
    PBX: POST /api/cti/events ``{"event": "transfer", "callId", "transferTo"}`` when the target
    answered; the built-in simulated PBX calls the core's service layer). The core itself returns
    the call to the operator after ``transfer_no_answer_seconds`` without an answer (R-H3).
    """

    def transfer(self, call_external_id: str | None, target_number: str, *, ref: str) -> None:
        """Ring ``target_number`` for the call ``call_external_id`` (blind or consultative, as
        the PBX does it). ``ref`` is the core's attempt reference, echoed in result reports."""
        ...

    def set_message_lamp(self, extension: str, on: bool) -> None:
        """Light (``on``) or put out the message-waiting lamp (MWI) of a room extension."""
        ...

    def lock_line(self, extension: str, locked: bool) -> None:
        """Lock (no incoming calls reach the extension; DND) or release a room's / person's line."""
        ...


    # Optional: ``bar_long_distance(extension, barred)`` bars (or opens again) outgoing long-distance
    # calls from a company extension at its monthly cap (R-C6). Without it the supervisors are told
    # to do it at the PBX.


SWITCHBOARD_METHODS = ("transfer", "set_message_lamp", "lock_line")


def load_switchboard_adapter(spec: str) -> type:
    """The class named by ``ZONGJI_SWITCHBOARD_ADAPTER=package.module:ClassName`` (a real PBX's
    adapter). Raises ``ValueError`` naming what is wrong: no ``:``, module or class not found,
    or a class without the three :class:`SwitchboardAdapter` methods."""
    module_name, sep, class_name = spec.partition(":")
    if not sep or not module_name.strip() or not class_name.strip():
        raise ValueError(f"expected 'simulated' or 'package.module:ClassName', not {spec!r}")
    try:
        module = importlib.import_module(module_name.strip())
    except ImportError as exc:
        raise ValueError(f"cannot import {module_name!r}: {exc}") from None
    cls = getattr(module, class_name.strip(), None)
    if not isinstance(cls, type):
        raise ValueError(f"{module_name!r} has no class {class_name!r}")
    missing = [m for m in SWITCHBOARD_METHODS if not callable(getattr(cls, m, None))]
    if missing:
        raise ValueError(f"{spec} does not implement {', '.join(missing)} (see docs/telephony.md)")
    return cls
