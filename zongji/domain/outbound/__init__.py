"""Outbound call lists (issue 14 point 4, R-S13, R-S12): the entry's state machine and the retry
rule (:mod:`.rules`)."""

from zongji.domain.outbound.rules import (  # noqa: F401
    RESULTS, RULES, Entry, EntryState, Result, RetryRule, apply, claim, dial, normalise_number, release,
    takeable,
)
