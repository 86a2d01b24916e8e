"""The composition root: what a process builds once from its settings and passes down.

:func:`bootstrap` is called once per process — by the app factory (``zongji.api.app.create_app``,
used by ``zongji serve`` and ``zongji demo``) and by ``zongji worker``; tests build theirs the
same way (``tests/conftest.py``). The :class:`Runtime` it returns goes down explicitly: the app
keeps it on ``app.state.runtime`` (routers read it through ``zongji.api.deps``), the worker hands
it to every job handler (``zongji.worker.registry``). Nothing is looked up by database URL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from zongji.errors import ZongjiError
from zongji.services.charges.folio import FolioAdapter
from zongji.services.charges.folio import build as build_folio
from zongji.services.switchboard.transfers import on_pbx_report
from zongji.settings import Settings
from zongji.store.db import make_engine, make_session_factory
from zongji.telephony.adapter import SwitchboardAdapter, load_switchboard_adapter
from zongji.telephony.simulated_pbx import SimulatedPbx

T = TypeVar("T")


class OnFirstUse(Generic[T]):
    """A value built when first asked for (``thing()``), once, thread-safe."""

    def __init__(self, build: Callable[[], T]):
        self._build = build
        self._lock = threading.Lock()
        self._value: T | None = None

    def __call__(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value

    def built(self) -> T | None:
        """The value if it was built, else None (nothing is built)."""
        return self._value


@dataclass(frozen=True)
class Runtime:
    """One process's long-lived parts, built from its settings by :func:`bootstrap`.

    ``pbx()`` is the switchboard adapter that sends the PBX commands (transfers, message lamps,
    line locks): built on first use, once per runtime (see :func:`switchboard_adapter`).
    ``folio()`` is the PMS posting adapter of call charges (``settings.charges_folio``)."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    pbx: OnFirstUse[SwitchboardAdapter]
    folio: OnFirstUse[FolioAdapter]


def switchboard_adapter(settings: Settings, session_factory: sessionmaker[Session]) -> SwitchboardAdapter:
    """The switchboard adapter chosen by ``settings.switchboard_adapter``:

    * ``simulated``: the built-in :class:`zongji.telephony.simulated_pbx.SimulatedPbx`;
    * ``package.module:ClassName``: a real PBX's adapter, constructed as
      ``ClassName(settings=settings, report=report)``.

    ``report`` takes one result event (``{"event": "transferAnswered" | "transferFailed", "ref",
    "cause", "at"}``) and ends the attempt through
    :func:`zongji.services.switchboard.transfers.on_pbx_report`. A real PBX may instead post its
    results as CTI events (:func:`zongji.services.switchboard.transfers.on_cti_reports`).
    """
    spec = (settings.switchboard_adapter or "").strip()
    cls = None
    if spec != "simulated":
        try:
            cls = load_switchboard_adapter(spec)
        except ValueError as exc:
            raise ZongjiError(f"ZONGJI_SWITCHBOARD_ADAPTER: {exc}", field="switchboard_adapter") from None

    def report(event: dict[str, Any]) -> None:
        on_pbx_report(session_factory, event, tz=settings.tz)

    if cls is not None:
        return cls(settings=settings, report=report)
    return SimulatedPbx(answer_seconds=settings.simulated_pbx_answer_seconds,
                        silent_numbers=settings.simulated_pbx_silent_numbers.split(","), report=report)


def bootstrap(settings: Settings) -> Runtime:
    """Build a process's runtime: the engine and session factory of ``settings``' database and
    the switchboard adapter (on first use)."""
    engine = make_engine(settings.resolved_database_url)
    session_factory = make_session_factory(engine)
    return Runtime(settings=settings, engine=engine, session_factory=session_factory,
                   pbx=OnFirstUse(lambda: switchboard_adapter(settings, session_factory)),
                   folio=OnFirstUse(lambda: build_folio(settings)))


def shutdown(runtime: Runtime) -> None:
    """Stop what the runtime started: the adapter's pending work (``close``, if it has one) and
    the engine's connections."""
    pbx = runtime.pbx.built()
    if pbx is not None and hasattr(pbx, "close"):
        pbx.close()
    runtime.engine.dispose()
