"""Login throttling (issue 12, point 4): how many wrong passwords lock an account or a client
address, and for how long.

Two counters are kept, one per account name as typed (whether or not such an account exists, so
the answer never tells) and one per client address. Each counts failed logins within a window;
reaching the limit locks it. The first lock lasts ``first_lock``; each further lock of the same
counter doubles, up to ``max_lock``. A counter that has seen no failure for ``max_lock`` after its
last lock ended is forgotten (the next lock is a first lock again). A successful login clears the
account's counter.

Pure rules: the caller stores the ``Counter`` and passes the current instant.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from enum import StrEnum


class Scope(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True)
class Policy:
    """``max_failures`` failed logins within ``window`` lock for ``first_lock``, doubling per
    further lock up to ``max_lock``."""

    max_failures: int
    window: dt.timedelta
    first_lock: dt.timedelta
    max_lock: dt.timedelta

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        if self.window <= dt.timedelta(0) or self.first_lock <= dt.timedelta(0):
            raise ValueError("window and first_lock must be positive")
        if self.max_lock < self.first_lock:
            raise ValueError("max_lock must not be shorter than first_lock")


@dataclass(frozen=True)
class Counter:
    """What is remembered of one account name or address."""

    failures: int = 0  # failed logins in the current window
    window_start: dt.datetime | None = None  # the first failure of the current window
    locked_until: dt.datetime | None = None
    locks: int = 0  # locks so far (the next one lasts twice as long as the last)
    last_failure_at: dt.datetime | None = None


def lock_duration(policy: Policy, lock_number: int) -> dt.timedelta:
    """How long the ``lock_number``-th lock (1 = the first) lasts: doubling, capped."""
    if lock_number < 1:
        raise ValueError("lock_number starts at 1")
    # Cap the exponent first: 2**n overflows a timedelta long before n is large.
    cap = math.ceil(math.log2(policy.max_lock / policy.first_lock))
    return min(policy.first_lock * 2 ** min(lock_number - 1, cap), policy.max_lock)


def remaining_lock(counter: Counter, now: dt.datetime) -> dt.timedelta | None:
    """How long the counter stays locked from ``now``; None when it is not locked."""
    if counter.locked_until is None or counter.locked_until <= now:
        return None
    return counter.locked_until - now


def retry_after_seconds(remaining: dt.timedelta) -> int:
    """Whole seconds for a ``Retry-After`` header: rounded up, at least 1."""
    return max(1, math.ceil(remaining.total_seconds()))


@dataclass(frozen=True)
class FailureOutcome:
    counter: Counter
    locked_for: dt.timedelta | None  # set when this failure locked the counter


def after_failure(counter: Counter, policy: Policy, now: dt.datetime) -> FailureOutcome:
    """The counter after one more failed login at ``now``. A failure while locked does not count
    (the caller refuses those without checking the password) and does not lengthen the lock, so
    a stranger cannot keep a person locked out longer than the policy says."""
    if remaining_lock(counter, now) is not None:
        return FailureOutcome(counter, None)
    marks = [t for t in (counter.locked_until, counter.last_failure_at) if t is not None]
    if marks and now - max(marks) >= policy.max_lock:
        counter = Counter()  # quiet long enough: forgotten
    if counter.window_start is None or now - counter.window_start >= policy.window:
        counter = replace(counter, failures=0, window_start=now)
    failures = counter.failures + 1
    if failures >= policy.max_failures:
        locks = counter.locks + 1
        duration = lock_duration(policy, locks)
        locked = replace(counter, failures=0, window_start=None, locked_until=now + duration,
                         locks=locks, last_failure_at=now)
        return FailureOutcome(locked, duration)
    return FailureOutcome(replace(counter, failures=failures, last_failure_at=now), None)
