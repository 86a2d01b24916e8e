"""Which function handles which kind of job.

A handler is ``def handle(session, job, now, runtime) -> None``; ``runtime`` is the worker's
:class:`zongji.bootstrap.Runtime` (settings, switchboard adapter). It runs inside the transaction
that marks the job done, so its database effects happen exactly once. It may schedule further jobs with
``zongji.store.jobs.schedule`` in the same session. Raise ``Retry`` to run it again later.

A handler whose work is long (fitting a model, say) does it in a ``prepare`` step, registered
with ``handler(kind, prepare=fn)``: ``fn(session, job, now, runtime)`` runs first on a reading
session, outside any write transaction, and the handler then gets its result as ``prepared``
and only writes. On SQLite the write transaction holds the database's one write lock: seconds of
work inside it would hold up every writer, the CTI writer's calls first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.store.models import Job

Handler = Callable[..., None]  # (session, job, now, runtime[, prepared]) -> None
Prepare = Callable[[Session, Job, dt.datetime, Runtime], Any]
_HANDLERS: dict[str, Handler] = {}
# Run once by each worker as it starts, in a transaction: they schedule periodic jobs.
StartHook = Callable[[Session, dt.datetime, Runtime], None]
_ON_START: list[StartHook] = []


class Retry(Exception):
    """Run the job again after ``delay`` (its effects so far are rolled back)."""

    def __init__(self, reason: str, delay: dt.timedelta = dt.timedelta(seconds=30)):
        super().__init__(reason)
        self.delay = delay


def handler(kind: str, *, prepare: Prepare | None = None) -> Callable[[Handler], Handler]:
    def _register(fn: Handler) -> Handler:
        if prepare is not None:
            fn.prepare = prepare  # type: ignore[attr-defined]
        _HANDLERS[kind] = fn
        return fn

    return _register


def preparer(fn: Handler) -> Prepare | None:
    """The ``prepare`` step of a handler, if it has one."""
    return getattr(fn, "prepare", None)


def on_start(fn: StartHook) -> StartHook:
    """Run ``fn(session, now, runtime)`` whenever a worker starts (e.g. to keep a periodic job scheduled)."""
    _ON_START.append(fn)
    return fn


def start_hooks() -> list[StartHook]:
    """The start hooks registered so far (``zongji.worker.tasks`` imports every task module)."""
    return list(_ON_START)


def handlers() -> dict[str, Handler]:
    """The handlers registered so far, by job kind."""
    return dict(_HANDLERS)
