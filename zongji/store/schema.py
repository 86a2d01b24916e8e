"""The whole schema: the core models and every area's, so that ``metadata`` holds every table.

What builds or compares a schema (``create_all`` in the tests and for a new embedded database,
Alembic's ``env.py``) takes ``metadata`` from here. A new area's ``<area>_models.py`` is added to
the list below; ``tests/store/test_migrations.py`` checks that none is missing.
"""

from __future__ import annotations

from zongji.store import (
    booking_models,  # the booking hotline: hotels, bookings, answers, customer messages (issue 17)
    catalogue_models,  # the responsibility catalogue, the dispatch model and its suggestions (issue 11)
    charges_models,  # call charges rated and posted to guests' folios (issue 13)
    directory_version_models,  # the directory's version, bumped by triggers (issue 18)
    emergency_models,  # emergency plans, incidents, who was told and when (issue 14)
    fias_models,  # the hotel PMS link over FIAS: link status, outbox, reservations (issue 16)
    guestsvc_models,  # the guest-service centre: catalogue, roster, requests, keys, lost and found (issue 13)
    intake_models,  # the intake queue of every channel, SMS parts, Open311 clients (issue 15)
    knowledge_models,  # the knowledge base: articles, versions, proposals, synonyms (issue 11)
    models,  # people, organisations, directory, rooms and stays, calls, the live feed, jobs
    outbound_models,  # outbound call lists (issue 14 point 4)
    presence_models,  # operators' away periods (issue 10)
    quality_models,  # forbidden phrases, their hits, holds (issue 11)
    retention_models,  # the retention runs' report (issue 18)
    roster_models,  # the roster's shifts (issue 10)
    stats_models,  # the statistics' aggregates, their triggers, reviews (issue 10)
    switchboard_models,  # transfers, messages, DND, lines, faults, silence, handovers (issue 3)
    travel_models,  # meeting and flight bookings of the booking hotline (issue 17)
    wakeup_models,  # wake-up calls, attempts, tasks and checks (issue 5)
    work_order_models,  # work orders, calendar, SLA policies, notifications (issue 4)
)
from zongji.store.base import Base

MODEL_MODULES = (booking_models, catalogue_models, charges_models, directory_version_models, emergency_models, fias_models, guestsvc_models, intake_models, knowledge_models, models, outbound_models, presence_models, quality_models, retention_models, roster_models, stats_models, switchboard_models, travel_models,
                 wakeup_models, work_order_models)
metadata = Base.metadata


def database_only(name: str | None, type_: str) -> bool:
    """The full-text tables and indexes made by DDL, not by the models (the knowledge base's and
    the order search's): the migration-vs-models comparison leaves them out."""
    return any(index.database_only(name, type_)
               for index in (knowledge_models.ARTICLE_SEARCH, work_order_models.ORDER_SEARCH))
