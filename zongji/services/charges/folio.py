"""The PMS posting adapter: how a call charge reaches the guest's folio (R-H10).

The contract (``FolioAdapter``), which a real PMS's adapter implements:

* ``name`` — a short name kept on each charge (``fias``, ``none`` …);
* ``post(session, charge) -> FolioAnswer`` — hand one charge over, in the caller's transaction.
  Answer ``posted`` (on the folio, with the PMS's reference), ``pending`` (accepted for sending;
  the final answer comes later through ``follow``), ``refused`` (the PMS said no: ``reason`` is
  shown to a person) or ``unavailable`` (the PMS cannot be reached now: the charge is posted
  again after ``charges_retry_seconds``). Raising an exception counts as ``unavailable``.
  ``post`` is called again for the same charge only after ``unavailable``; an adapter must treat
  ``charge.source`` (``call:<call id>``) as the idempotency key, so a charge is on the folio once.
* ``follow(session, charge) -> FolioAnswer`` — for a ``pending`` charge, the PMS's answer so far.

Built once per process by the composition root from ``settings.charges_folio``
(:func:`build`): ``none`` — no PMS: every charge waits in the missed-charges list for the front
desk to post it by hand; ``fias`` — a PS posting over the FIAS link (``services/fias/postings``),
its PA answer followed; ``package.module:ClassName`` — constructed as ``ClassName(settings=…)``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy.orm import Session

from zongji.errors import ZongjiError
from zongji.services.fias import postings as fias_postings
from zongji.settings import Settings
from zongji.store.fias_models import FiasPosting


@dataclass(frozen=True)
class FolioCharge:
    charge_id: int
    source: str  # "call:<call id>" or "service:<request id>": the idempotency key
    room: str
    amount_fen: int
    text: str  # what the guest sees on the folio, e.g. "IDD 0044… 3 min"
    dialled: str
    talk_seconds: int


@dataclass(frozen=True)
class FolioAnswer:
    state: Literal["posted", "pending", "refused", "unavailable"]
    reference: str | None = None
    reason: str | None = None


class FolioAdapter(Protocol):
    name: str

    def post(self, session: Session, charge: FolioCharge) -> FolioAnswer: ...

    def follow(self, session: Session, charge: FolioCharge, reference: str | None) -> FolioAnswer: ...


class NoPms:
    """No PMS connected: charges wait for the front desk (answered ``unavailable`` with a reason
    the list shows; a person posts them by hand)."""

    name = "none"

    def post(self, session: Session, charge: FolioCharge) -> FolioAnswer:
        return FolioAnswer("refused", reason="no_pms")

    def follow(self, session: Session, charge: FolioCharge, reference: str | None) -> FolioAnswer:
        return FolioAnswer("refused", reason="no_pms")


class FiasFolio:
    """PS postings over the FIAS link: queued durably (``fias_postings``, one per source), sent by
    ``zongji fias`` when the link is up, settled by the PMS's PA."""

    name = "fias"

    def post(self, session: Session, charge: FolioCharge) -> FolioAnswer:
        p = fias_postings.post(session, source=charge.source, room=charge.room, amount_minor=charge.amount_fen,
                               text=charge.text, dialled=charge.dialled, duration_seconds=charge.talk_seconds)
        if p.state == "refused":
            # Posted again after a person looked at the refusal: the same P# goes again.
            p = fias_postings.requeue(session, p.id, actor="charges")
        return self._answer(p)

    def follow(self, session: Session, charge: FolioCharge, reference: str | None) -> FolioAnswer:
        p = session.get(FiasPosting, int(reference)) if reference and reference.isdigit() else None
        if p is None:
            return self.post(session, charge)
        return self._answer(p)

    @staticmethod
    def _answer(p: FiasPosting) -> FolioAnswer:
        ref = str(p.id)
        if p.state == "posted":
            return FolioAnswer("posted", ref)
        if p.state == "refused":
            reason = " ".join(x for x in (p.answer, p.answer_text) if x) or "refused"
            return FolioAnswer("refused", ref, reason[:200])
        return FolioAnswer("pending", ref)


def build(settings: Settings) -> FolioAdapter:
    """The adapter named by ``settings.charges_folio``."""
    spec = (settings.charges_folio or "none").strip()
    if spec == "none":
        return NoPms()
    if spec == "fias":
        return FiasFolio()
    module, _, name = spec.partition(":")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError):
        raise ZongjiError(f"ZONGJI_CHARGES_FOLIO: cannot load {spec!r} (none, fias or package.module:Class)",
                          field="charges_folio") from None
    return cls(settings=settings)
