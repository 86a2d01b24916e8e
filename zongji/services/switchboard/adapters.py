"""This process's switchboard adapter and settings, one per database.

The app tells which settings go with its database (``use_settings``); the worker's timers find
them again (``settings_for``) and the adapter that sends the PBX commands (``adapter_for``).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.orm import sessionmaker

from zongji.errors import ZongjiError
from zongji.services.switchboard.transfers import on_pbx_report
from zongji.settings import Settings, get_settings
from zongji.store.db import make_engine, make_session_factory
from zongji.telephony.adapter import SwitchboardAdapter, load_switchboard_adapter
from zongji.telephony.simulated_pbx import SimulatedPbx

_ADAPTERS: dict[str, SwitchboardAdapter] = {}
_SETTINGS: dict[str, Settings] = {}
_ADAPTERS_LOCK = threading.Lock()


def use_settings(settings: Settings) -> None:
    """Tell this process's timers which settings go with a database (the app does it per request;
    ``zongji worker`` processes fall back to the environment's settings)."""
    _SETTINGS[settings.resolved_database_url] = settings


def settings_for(database_url: str) -> Settings:
    return _SETTINGS.get(database_url) or get_settings()


def adapter_for(settings: Settings, database_url: str | None = None) -> SwitchboardAdapter:
    """This process's switchboard adapter for a database (one per database), chosen by
    ``settings.switchboard_adapter``:

    * ``simulated``: the built-in :class:`zongji.telephony.simulated_pbx.SimulatedPbx`;
    * ``package.module:ClassName``: a real PBX's adapter, constructed as
      ``ClassName(settings=settings, report=report)``.

    ``report`` takes one result event (``{"event": "transferAnswered" | "transferFailed", "ref",
    "cause", "at"}``) and ends the attempt through
    :func:`zongji.services.switchboard.transfers.on_pbx_report`. A real PBX may instead post its
    results as CTI events (:func:`zongji.services.switchboard.transfers.on_cti_reports`).
    """
    url = database_url or settings.resolved_database_url
    with _ADAPTERS_LOCK:
        found = _ADAPTERS.get(url)
        if found is not None:
            return found
        spec = (settings.switchboard_adapter or "").strip()
        cls = None
        if spec != "simulated":
            try:
                cls = load_switchboard_adapter(spec)
            except ValueError as exc:
                raise ZongjiError(f"ZONGJI_SWITCHBOARD_ADAPTER: {exc}", field="switchboard_adapter") from None
        factory_box: dict[str, sessionmaker] = {}

        def report(event: dict[str, Any]) -> None:
            if "f" not in factory_box:
                factory_box["f"] = make_session_factory(make_engine(url, pool_size=2))
            on_pbx_report(factory_box["f"], event, tz=settings.tz)

        if cls is not None:
            pbx = cls(settings=settings, report=report)
        else:
            pbx = SimulatedPbx(answer_seconds=settings.simulated_pbx_answer_seconds,
                               silent_numbers=settings.simulated_pbx_silent_numbers.split(","), report=report)
        _ADAPTERS[url] = pbx
        return pbx


def reset_adapter(database_url: str) -> None:
    """Forget the adapter of a database (tests start each with a fresh simulated PBX)."""
    with _ADAPTERS_LOCK:
        pbx = _ADAPTERS.pop(database_url, None)
    if pbx is not None and hasattr(pbx, "close"):
        pbx.close()
