"""The built-in simulated PBX: the switchboard adapter the demo and the tests use.

It follows the same contract as a real PBX adapter (:class:`zongji.telephony.adapter.SwitchboardAdapter`):

* every command is recorded (``commands``) with its time, so people and tests can see what
  went out: ``transfer``, ``lamp`` (message lamp on/off), ``lock`` (DND line lock/release);
* lamp and lock states are kept per extension (``lamps``, ``locks``); commands are idempotent;
* a transfer rings the target and, after ``answer_seconds``, the target answers — unless the
  number is in ``silent_numbers`` (it never answers: the core returns the call to the operator
  after its no-answer time, R-H3) or the extension is locked (the PBX refuses it at once);
* results are reported back to the core through ``report`` (a callable taking one event dict),
  exactly as a real PBX would post them to the CTI endpoint::

      {"event": "transferAnswered" | "transferFailed", "ref": "<attempt ref>",
       "callId": "<PBX call id>", "transferTo": "<number>", "cause": "...", "at": "<ISO-8601>"}

``available = False`` makes every command raise :class:`TelephonyUnavailable` (to test the
core's retries).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from zongji.telephony.adapter import TelephonyUnavailable

log = logging.getLogger(__name__)

Report = Callable[[dict[str, Any]], None]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Command:
    at: dt.datetime
    kind: str  # "transfer" | "lamp" | "lock"
    args: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "kind": self.kind, **self.args}


class SimulatedPbx:
    """A PBX in memory. Thread-safe; timers are daemon threads."""

    def __init__(self, *, answer_seconds: float | None = 6.0, silent_numbers: Iterable[str] = (),
                 report: Report | None = None, clock: Callable[[], dt.datetime] = _now):
        self.answer_seconds = answer_seconds
        self.silent_numbers = {n.strip() for n in silent_numbers if n and n.strip()}
        self.report = report
        self.clock = clock
        self.available = True
        self.commands: list[Command] = []
        self.lamps: dict[str, bool] = {}
        self.locks: dict[str, bool] = {}
        self.bars: dict[str, bool] = {}
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []

    # ---- the contract

    def transfer(self, call_external_id: str | None, target_number: str, *, ref: str) -> None:
        self._check()
        number = (target_number or "").strip()
        if not number:
            raise ValueError("target_number is required")
        with self._lock:
            self.commands.append(Command(self.clock(), "transfer",
                                         {"call_id": call_external_id, "target": number, "ref": ref}))
            locked = self.locks.get(number, False)
        if locked:
            self._report("transferFailed", ref, call_external_id, number, cause="locked")
            return
        if number in self.silent_numbers or self.answer_seconds is None:
            return  # rings until the core gives up (R-H3)
        timer = threading.Timer(self.answer_seconds, self._report,
                                args=("transferAnswered", ref, call_external_id, number))
        timer.daemon = True
        with self._lock:
            self._timers.append(timer)
        timer.start()

    def set_message_lamp(self, extension: str, on: bool) -> None:
        self._check()
        with self._lock:
            self.commands.append(Command(self.clock(), "lamp", {"extension": extension, "on": bool(on)}))
            self.lamps[extension] = bool(on)

    def lock_line(self, extension: str, locked: bool) -> None:
        self._check()
        with self._lock:
            self.commands.append(Command(self.clock(), "lock", {"extension": extension, "locked": bool(locked)}))
            self.locks[extension] = bool(locked)

    def bar_long_distance(self, extension: str, barred: bool) -> None:
        """Bar (or open again) outgoing long distance from ``extension`` (optional command)."""
        self._check()
        with self._lock:
            self.commands.append(Command(self.clock(), "bar", {"extension": extension, "barred": bool(barred)}))
            self.bars[extension] = bool(barred)

    def dial(self, extension: str, number: str, *, ref: str) -> None:
        """Click-to-call (optional command, issue 17): ring ``extension``, then connect it to ``number``."""
        self._check()
        with self._lock:
            self.commands.append(Command(self.clock(), "dial", {"extension": extension, "number": number, "ref": ref}))

    # ---- for people and tests

    def long_distance_barred(self, extension: str) -> bool:
        return self.bars.get(extension, False)

    def lamp_on(self, extension: str) -> bool:
        return self.lamps.get(extension, False)

    def line_locked(self, extension: str) -> bool:
        return self.locks.get(extension, False)

    def commands_of(self, kind: str) -> list[Command]:
        with self._lock:
            return [c for c in self.commands if c.kind == kind]

    def close(self) -> None:
        with self._lock:
            timers, self._timers = self._timers, []
        for t in timers:
            t.cancel()

    # ---- internals

    def _check(self) -> None:
        if not self.available:
            raise TelephonyUnavailable("the simulated PBX is switched off")

    def _report(self, event: str, ref: str, call_id: str | None, number: str, cause: str | None = None) -> None:
        if self.report is None:
            return
        body: dict[str, Any] = {"event": event, "ref": ref, "callId": call_id, "transferTo": number,
                                "at": self.clock().isoformat()}
        if cause:
            body["cause"] = cause
        try:
            self.report(body)
        except Exception:  # noqa: BLE001 - a failing report must not kill the timer thread
            log.exception("simulated PBX: reporting %s failed", event)


__all__ = ["Command", "SimulatedPbx"]
