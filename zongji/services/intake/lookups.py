"""Status look-ups rate-limited (issue 15 follow-up, point 3; R-P1: the public channels stay open
to citizens, not to scrapers guessing numbers).

``/api/public/status`` (the /track page) and Open311's GET requests count every look-up per
client address and per number looked up (tracking, order or service-request number), within a
sliding hour: past ``intake_lookup_max_per_hour_address`` / ``…_number`` the answer is 429 with
Retry-After. A look-up is counted whether or not it finds anything (a wrong guess counts), in
its own transaction before the read; a refused one is not counted. The keys are stored as
SHA-256 hashes, never as numbers or addresses; rows older than an hour are deleted as the key is
next checked."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from zongji.errors import TooMany
from zongji.settings import Settings
from zongji.store.intake_models import IntakeLookup

WINDOW = dt.timedelta(hours=1)


def _hash(value: str) -> str:
    return hashlib.sha256(value.strip().upper().encode()).hexdigest()


def count(session: Session, settings: Settings, *, address: str | None, number: str | None,
          now: dt.datetime) -> None:
    """Count one look-up, or raise :class:`TooMany` (field ``number`` or ``request``)."""
    since = now - WINDOW
    keys = []
    if address:
        keys.append(("address", _hash(address), settings.intake_lookup_max_per_hour_address, "request"))
    if number and number.strip():
        keys.append(("number", _hash(number), settings.intake_lookup_max_per_hour_number, "number"))
    for scope, key, limit, field in keys:
        session.execute(delete(IntakeLookup).where(IntakeLookup.scope == scope, IntakeLookup.key_hash == key,
                                                   IntakeLookup.at <= since))
        n, oldest = session.execute(select(func.count(), func.min(IntakeLookup.at)).where(
            IntakeLookup.scope == scope, IntakeLookup.key_hash == key, IntakeLookup.at > since)).one()
        if n >= limit:
            wait = int(((oldest or now) + WINDOW - now).total_seconds()) + 1
            raise TooMany(f"more than {limit} status look-ups within an hour; try again later", field=field,
                          retry_after=max(1, wait))
    for scope, key, _limit, _field in keys:
        session.add(IntakeLookup(scope=scope, key_hash=key, at=now))
    session.flush()
