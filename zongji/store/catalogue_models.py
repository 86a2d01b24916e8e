"""The responsibility catalogue and the dispatch suggestion (issue 11, points 2 and 5).
Listed in ``zongji.store.schema``.

A matter (事项) says which unit is responsible for what, with the assisting units, the basis
and examples (R-P12). The dispatch suggestion learns from the centre's own history: its learned
weights are stored here so that every process suggests alike, and every suggestion shown is
recorded with what the dispatcher chose (the acceptance rate).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.models import Base, BigId, utcnow


class CatalogueMatter(Base):
    """One matter of a centre's responsibility catalogue."""

    __tablename__ = "catalogue_matters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    matter: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    # Department ids of the assisting units, in the order given.
    assisting_unit_ids: Mapped[list] = mapped_column(JSON, default=list)
    basis: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[list] = mapped_column(JSON, default=list)
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    # A work-order category code (work_order_categories.code), or None.
    category: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The analyser's terms of matter, keywords and examples (domain/chinese_text.term_text).
    search_terms: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (UniqueConstraint("organisation_id", "matter", name="uq_catalogue_matters_org_matter"),)


class DispatchModelTerm(Base):
    """A learned weight: how much ``term`` in an order's text speaks for ``unit_id`` (the
    dispatch model's counts, rebuilt by the worker; domain/dispatch)."""

    __tablename__ = "dispatch_model_terms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # None: the weight of the district governments together (domain/dispatch/model, LOCAL).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    term: Mapped[str] = mapped_column(String(100))
    weight: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("organisation_id", "unit_id", "term", name="uq_dispatch_model_terms_org_unit_term"),
    )


class DispatchModelState(Base):
    """One row per centre: the model's revision (bumped by every retraining, so each process
    reloads its cached model once) and what it was trained on."""

    __tablename__ = "dispatch_model_state"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    trained_at: Mapped[dt.datetime | None] = mapped_column()
    orders_used: Mapped[int] = mapped_column(Integer, default=0)
    # The last order id folded in (an incremental retraining starts after it).
    last_order_id: Mapped[int] = mapped_column(BigId, default=0)


class DispatchSuggestion(Base):
    """The suggestion shown for an order and, once it is dispatched, what the dispatcher chose:
    ``rank`` 1–3 when a suggested unit was chosen, None when another unit was (an override).
    One row per order: the suggestion last shown before its dispatch."""

    __tablename__ = "dispatch_suggestions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), unique=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    suggested_unit_ids: Mapped[list] = mapped_column(JSON, default=list)
    model_revision: Mapped[int] = mapped_column(Integer, default=0)
    chosen_unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    chosen_at: Mapped[dt.datetime | None] = mapped_column()
    rank: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_dispatch_suggestions_at", "at"),)
