"""Which console sessions behind open live sockets are still valid (issue 12, point 1).

The live feed asks once a second for all the sockets of its process at once: a session logged out,
expired or revoked, a user deactivated or given another role, ends its sockets within that second,
whether the feed is busy or idle. An open console keeps its session alive (the expiry slides as
for any request, written at most once a minute).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.store.models import LoginSession, User, utcnow

# The most token hashes asked for in one query (bound parameters stay well below every limit).
_CHUNK = 500


def still_valid(session: Session, token_hashes: Collection[str], *, hours: int,
                now: dt.datetime | None = None) -> dict[str, tuple[int, str]]:
    """Token hash → (user id, role) for the sessions among ``token_hashes`` that are valid now:
    not revoked, not expired, their user active. Slides the expiry of those in use."""
    now = now or utcnow()
    wanted = sorted(set(token_hashes))
    out: dict[str, tuple[int, str]] = {}
    for i in range(0, len(wanted), _CHUNK):
        rows = session.execute(
            select(LoginSession, User.role)
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token_hash.in_(wanted[i:i + _CHUNK]),
                   LoginSession.revoked_at.is_(None),
                   LoginSession.expires_at > now,
                   User.active.is_(True)))
        for row, role in rows:
            out[row.token_hash] = (row.user_id, str(role))
            new_expiry = now + dt.timedelta(hours=hours)
            if new_expiry - row.expires_at > dt.timedelta(minutes=1):
                row.expires_at = new_expiry
    return out


__all__ = ["still_valid"]
