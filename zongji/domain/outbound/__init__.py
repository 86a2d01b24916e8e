"""Outbound call lists (issue 14 point 4, R-S13, R-S12): the entry's state machine and the retry
rule (:mod:`.rules`). Pure: no I/O."""

from zongji.domain.outbound.rules import (
    RESULTS, RULES, SYSTEM, Entry, EntryState, Result, RetryRule, apply, claim, dial, normalise_number, release,
    takeable, check_build,
)

__all__ = ["RESULTS", "RULES", "SYSTEM", "Entry", "EntryState", "Result", "RetryRule", "apply", "claim", "dial",
           "normalise_number", "release", "takeable", "check_build"]
