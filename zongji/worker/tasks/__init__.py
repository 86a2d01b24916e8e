"""Job handlers. Each module here registers its handlers with ``zongji.worker.registry.handler``
(and its start hooks with ``on_start``) when imported; ``load_all`` imports them all. A new area's
``worker/tasks/<area>.py`` is added to this list (a test checks that none is missing)."""

from __future__ import annotations

from zongji.worker import registry
from zongji.worker.tasks import (bookings, charges, dispatch, emergency, fias, guestsvc, intake, knowledge, maintenance,
                                 outbound, retention, stats, switchboard, travel, wakeups, work_orders)

TASK_MODULES = (bookings, charges, dispatch, emergency, fias, guestsvc, intake, knowledge, maintenance, outbound, retention,
                stats, switchboard, travel, wakeups, work_orders)


def load_all() -> dict[str, registry.Handler]:
    """Every handler of every task module, by job kind."""
    return registry.handlers()
