"""Logging in with throttling (issue 12, point 4).

``log_in`` is the console login: it refuses at once, without looking at the password, while the
account name or the client address is locked, and otherwise checks the password. A wrong one
counts against both (``zongji.domain.login_throttle``); the failure that reaches a limit locks,
writes an audit entry and notifies supervisors and admins, and is itself answered "too many
attempts". A right one clears the account's counter.

The counters live in the ``login_throttle`` table, so every server process and a restarted one
see the same locks. Counting and checking happen in one transaction that holds the two rows
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers), so a burst of parallel
guesses is counted one by one and cannot slip past the limit.

Whether an account exists never shows in the answer: names are counted as typed, so an unknown
name is refused and locked exactly as a known one (same status, body and ``Retry-After``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from zongji.domain import login_throttle as rules
from zongji.domain.login_throttle import Scope
from zongji.domain.roles import Role
from zongji.errors import NotFound, Unauthorized, ZongjiError
from zongji.services import audit, auth
from zongji.services.notifications import notify
from zongji.settings import Settings
from zongji.store.db import transaction
from zongji.store.models import LoginThrottle, User, utcnow

SUBJECT_MAX = 100  # the column's length


class TooManyAttempts(ZongjiError):
    """429: locked for ``retry_after`` more seconds. The same for every account name."""

    status_code = 429

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins; try again in {retry_after} seconds",
                         code="too_many_attempts")
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "retry_after": self.retry_after}


def policy(settings: Settings, scope: Scope) -> rules.Policy:
    first = dt.timedelta(minutes=settings.login_lock_minutes)
    return rules.Policy(
        max_failures=(settings.login_account_max_failures if scope is Scope.ACCOUNT
                      else settings.login_address_max_failures),
        window=dt.timedelta(minutes=settings.login_failure_window_minutes),
        first_lock=first,
        max_lock=max(first, dt.timedelta(hours=settings.login_lock_max_hours)),
    )


def _subject(text: str) -> str:
    return text.strip()[:SUBJECT_MAX]


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(LoginThrottle)


def _hold(session: Session, scope: Scope, subject: str) -> LoginThrottle:
    """The counter row of ``scope``/``subject``, created if missing, locked for this transaction."""
    session.execute(
        _insert(session).values(scope=scope.value, subject=subject, failures=0, locks=0)
        .on_conflict_do_nothing(index_elements=["scope", "subject"])
    )
    return session.scalar(
        select(LoginThrottle).where(LoginThrottle.scope == scope.value, LoginThrottle.subject == subject)
        .with_for_update().execution_options(populate_existing=True)
    )


def _counter(row: LoginThrottle) -> rules.Counter:
    return rules.Counter(failures=row.failures, window_start=row.window_start, locked_until=row.locked_until,
                         locks=row.locks, last_failure_at=row.last_failure_at)


def _store(row: LoginThrottle, counter: rules.Counter) -> None:
    row.failures = counter.failures
    row.window_start = counter.window_start
    row.locked_until = counter.locked_until
    row.locks = counter.locks
    row.last_failure_at = counter.last_failure_at


@dataclass(frozen=True)
class _Outcome:
    user: User | None = None
    issued: auth.IssuedToken | None = None
    retry_after: int | None = None  # refused: locked


def log_in(
    factory: sessionmaker[Session],
    settings: Settings,
    username: str,
    password: str,
    *,
    address: str,
    now: dt.datetime | None = None,
) -> tuple[User, auth.IssuedToken]:
    """Log in as ``auth.log_in`` does, throttled per account name and per client ``address``.

    Raises :class:`TooManyAttempts` while locked (and for the failure that locks),
    ``Unauthorized`` for a wrong name or password. Failures are committed before either is raised.
    """
    now = now or utcnow()
    keys = [(Scope.ACCOUNT, _subject(username)), (Scope.ADDRESS, _subject(address) or "unknown")]
    with transaction(factory) as session:
        rows = {scope: _hold(session, scope, subject) for scope, subject in keys}  # always this order
        outcome = _attempt(session, settings, rows, username, password, now)
    if outcome.retry_after is not None:
        raise TooManyAttempts(outcome.retry_after)
    if outcome.user is None:
        raise Unauthorized("wrong username or password", field="password")
    assert outcome.issued is not None
    return outcome.user, outcome.issued


def _attempt(session: Session, settings: Settings, rows: dict[Scope, LoginThrottle], username: str,
             password: str, now: dt.datetime) -> _Outcome:
    remaining = [r for r in (rules.remaining_lock(_counter(row), now) for row in rows.values()) if r]
    if remaining:
        # Locked: the password is not even checked, so guessing on goes nowhere.
        return _Outcome(retry_after=rules.retry_after_seconds(max(remaining)))
    try:
        user, issued = auth.log_in(session, username, password, hours=settings.session_hours)
    except Unauthorized:
        pass  # auth.log_in wrote nothing; count the failure below in this same transaction
    else:
        session.delete(rows[Scope.ACCOUNT])  # a right password clears the account's counter
        return _Outcome(user=user, issued=issued)
    locked_for: list[dt.timedelta] = []
    address = rows[Scope.ADDRESS].subject
    for scope, row in rows.items():
        result = rules.after_failure(_counter(row), policy(settings, scope), now)
        _store(row, result.counter)
        if result.locked_for is not None:
            locked_for.append(result.locked_for)
            _report_lock(session, settings, row, result.locked_for, address=address, now=now)
    if locked_for:
        return _Outcome(retry_after=rules.retry_after_seconds(max(locked_for)))
    return _Outcome()


def _report_lock(session: Session, settings: Settings, row: LoginThrottle, locked_for: dt.timedelta, *,
                 address: str, now: dt.datetime) -> None:
    """Audit a new lock and tell supervisors and admins on their consoles."""
    assert row.locked_until is not None
    minutes = round(locked_for.total_seconds() / 60)
    max_failures = policy(settings, Scope(row.scope)).max_failures
    known = None
    if row.scope == Scope.ACCOUNT:
        known = session.scalar(select(User.id).where(User.username == row.subject))
    audit.record(session, actor="system:login", action="lock", entity="login_throttle",
                 entity_id=f"{row.scope}:{row.subject}", user_id=known,
                 detail={"scope": row.scope, "subject": row.subject, "address": address,
                         "failures": max_failures, "lock": row.locks, "minutes": minutes,
                         "locked_until": row.locked_until.isoformat(), "account_exists": known is not None
                         if row.scope == Scope.ACCOUNT else None})
    until = row.locked_until.astimezone(settings.tz)
    what_zh = f"账号 {row.subject}" if row.scope == Scope.ACCOUNT else f"地址 {row.subject}"
    what_en = f"account {row.subject}" if row.scope == Scope.ACCOUNT else f"address {row.subject}"
    body = (f"{max_failures} 次密码错误（最近一次来自 {address}），锁定 {minutes} 分钟，至 {until:%Y-%m-%d %H:%M}。"
            f"主管或管理员可提前解锁。\n"
            f"{max_failures} wrong passwords (the last from {address}); {what_en} locked for {minutes} min, "
            f"until {until:%Y-%m-%d %H:%M}. A supervisor or admin may unlock it sooner.")
    for role in (Role.SUPERVISOR, Role.ADMIN):
        notify(session, kind="login_locked", role=role.value, external=False, now=now,
               subject=f"登录已锁定：{what_zh}", body=body)


# --------------------------------------------------------------------------- supervisors


def lock_out(row: LoginThrottle, now: dt.datetime) -> dict[str, Any]:
    remaining = rules.remaining_lock(_counter(row), now)
    return {"scope": row.scope, "subject": row.subject, "locked_until": row.locked_until,
            "retry_after": rules.retry_after_seconds(remaining) if remaining else 0, "locks": row.locks}


def current_locks(session: Session, *, now: dt.datetime | None = None) -> list[LoginThrottle]:
    """Account names and addresses locked now, the longest lock first."""
    now = now or utcnow()
    return list(session.scalars(select(LoginThrottle).where(LoginThrottle.locked_until > now)
                                .order_by(LoginThrottle.locked_until.desc(), LoginThrottle.id)))


def unlock(session: Session, actor: User, *, scope: Scope, subject: str, now: dt.datetime | None = None) -> None:
    """Lift the lock of an account name or address and forget its failures (audited).
    NotFound if it is not locked."""
    now = now or utcnow()
    subject = _subject(subject)
    row = session.scalar(select(LoginThrottle).where(LoginThrottle.scope == scope.value,
                                                     LoginThrottle.subject == subject).with_for_update())
    if row is None or rules.remaining_lock(_counter(row), now) is None:
        raise NotFound(f"{scope.value} {subject!r} is not locked", field=scope.value)
    session.execute(delete(LoginThrottle).where(LoginThrottle.id == row.id))
    audit.record(session, actor=f"user:{actor.username}", user_id=actor.id, action="unlock",
                 entity="login_throttle", entity_id=f"{scope.value}:{subject}",
                 detail={"scope": scope.value, "subject": subject,
                         "locked_until": row.locked_until.isoformat() if row.locked_until else None})
