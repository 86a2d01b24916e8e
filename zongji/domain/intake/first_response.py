"""The first-response clock of a message waiting in the intake queue (GB/T 33358-2016: SMS and
similar messages answered within 3 minutes). The minutes per channel are settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from zongji.domain.intake.channels import Channel


@dataclass(frozen=True)
class Clock:
    due_at: dt.datetime
    seconds_left: float  # negative: late by that much
    late: bool


def due_at(received_at: dt.datetime, channel: Channel | str, minutes: Mapping[str, float]) -> dt.datetime:
    """When the first answer is due: received + the channel's minutes."""
    return received_at + dt.timedelta(minutes=float(minutes[str(Channel(channel))]))


def clock(due: dt.datetime, now: dt.datetime, responded_at: dt.datetime | None = None) -> Clock:
    """The clock now (or as it stopped at the first response)."""
    at = responded_at or now
    left = (due - at).total_seconds()
    return Clock(due, left, left < 0)


def response_seconds(received_at: dt.datetime, responded_at: dt.datetime | None) -> float | None:
    return None if responded_at is None else max(0.0, (responded_at - received_at).total_seconds())
