"""How an outgoing call placed by Zongji ended (wake-ups, test calls).

A pure value shared by the wake-up rules (zongji/domain/wakeups.py) and the telephony adapter
contract (zongji/telephony/adapter.py), which re-exports it.
"""

from __future__ import annotations

from enum import StrEnum


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
