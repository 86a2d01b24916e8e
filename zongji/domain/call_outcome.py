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
    FAILED = "failed"  # any other failure of this call (404, 403, media error …)
    # The phone system failed, not the room: the call could not be started (makeCall error),
    # the PBX/SIP side answered 500/502/503/504, or the far end never responded at all
    # (transport error, no provisional response). The wake-up dialler asks the gateway's health
    # after one of these and sends due wake-ups to the manual call list when the path is down
    # (R-H9: never silence).
    TELEPHONY_FAULT = "telephony_fault"

    @property
    def answered(self) -> bool:
        return self.value.startswith("answered")
