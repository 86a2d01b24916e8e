"""Helpers of the FIAS tests (issue 16): a hotel's rooms, and waiting on a database condition."""

from __future__ import annotations

import asyncio

from zongji.store.models import Organisation, Room


def make_rooms(write, numbers=("1201", "1202", "1203", "1204")):
    with write() as s:
        org = Organisation(code="h", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        for n in numbers:
            s.add(Room(organisation_id=org.id, number=n, floor=int(n[:-2]), extension="8" + n[1:]))


async def until(session_factory, check, *, timeout: float = 10.0):
    """Poll a database condition until it holds (returns its value) or the deadline passes."""
    deadline = asyncio.get_running_loop().time() + timeout

    def look():
        with session_factory() as s:
            return check(s)

    while True:
        value = await asyncio.to_thread(look)
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not reached: {check}")
        await asyncio.sleep(0.02)
