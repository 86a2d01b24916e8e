"""The gateway's memory of call ids and its count of lines (used by the control interface).

Two promises the wake-up worker relies on, kept in the ``zongji sip`` process because that is
the one place every worker goes through:

* **Once per call id.** ``place(call_id, …)`` dials a call id at most once. A second request with
  the same id — a recovering worker whose predecessor was killed mid-call — does not dial again:
  it waits for the call in progress, or gets the result of the call that has ended.
  ``lookup(call_id)`` says what the gateway knows: unknown / queued / active / ended (+ result).
* **Lines.** At most ``lines`` calls are up at once however many workers send requests; the
  others wait in due-time order (``priority``: the wake-up's due instant), earliest first.

Results are remembered for ``keep_seconds`` (a day by default) and the memory is bounded.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from zongji.telephony.adapter import CallResult


@dataclass
class _Entry:
    state: str = "queued"  # queued | active | ended
    result: CallResult | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)
    ended_mono: float | None = None


class CallLedger:
    def __init__(self, lines: int = 0, *, keep_seconds: float = 86400, max_entries: int = 100_000):
        self.lines = lines  # 0: no limit here
        self.keep_seconds = keep_seconds
        self.max_entries = max_entries
        self._lock = threading.Condition()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._active = 0
        self._waiting: list[tuple[float, int, str]] = []
        self._seq = itertools.count()

    # ---- queries

    def lookup(self, call_id: str) -> dict:
        with self._lock:
            e = self._entries.get(call_id)
            if e is None:
                return {"call_id": call_id, "state": "unknown"}
            out: dict = {"call_id": call_id, "state": e.state}
            if e.result is not None:
                out["result"] = e.result.to_dict()
            if e.error is not None:
                out["error"] = str(e.error)
            return out

    @property
    def active(self) -> int:
        return self._active

    @property
    def queued(self) -> int:
        return len(self._waiting)

    # ---- placing

    def place(self, call_id: str, priority: float, dial: Callable[[], CallResult]) -> CallResult:
        """Dial ``call_id`` once (``dial()`` blocks until the call has ended); a repeated id
        waits for and returns the first one's result (or raises its error)."""
        with self._lock:
            self._expire()
            e = self._entries.get(call_id)
            if e is not None:
                owner = False
            else:
                e = self._entries[call_id] = _Entry()
                owner = True
                ticket = (priority, next(self._seq), call_id)
                heapq.heappush(self._waiting, ticket)
                while not (self.lines <= 0 or self._active < self.lines) \
                        or self._waiting[0] is not ticket:
                    self._lock.wait(1.0)
                heapq.heappop(self._waiting)
                self._active += 1
                e.state = "active"
                self._lock.notify_all()
        if not owner:
            e.done.wait()
            if e.error is not None:
                raise e.error
            assert e.result is not None
            return e.result
        try:
            e.result = dial()
            return e.result
        except BaseException as exc:
            e.error = exc
            raise
        finally:
            with self._lock:
                self._active -= 1
                e.state = "ended"
                e.ended_mono = time.monotonic()
                e.done.set()
                self._lock.notify_all()

    def _expire(self) -> None:
        now = time.monotonic()
        while self._entries:
            cid, e = next(iter(self._entries.items()))
            old = e.ended_mono is not None and now - e.ended_mono > self.keep_seconds
            if not old and len(self._entries) <= self.max_entries:
                break
            if e.state != "ended":  # never forget a call that is still up
                break
            self._entries.popitem(last=False)
