"""The business calendar and SLA policies, loaded once per request or job."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from zongji.domain import sla as sla_rules
from zongji.domain.business_calendar import BusinessCalendar
from zongji.domain.work_orders.state import WorkOrderState
from zongji.services import sla as sla_store


@dataclass
class SlaContext:
    """Calendar and policies loaded once per request or job."""

    tz: ZoneInfo
    base: BusinessCalendar
    policies: tuple[sla_rules.SlaPolicy, ...]
    _units: dict[int, BusinessCalendar] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, tz: ZoneInfo | str) -> SlaContext:
        tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        return cls(tz, sla_store.base_calendar(session, tz), sla_store.load_policies(session))

    def unit_calendar(self, session: Session, unit_id: int | None) -> BusinessCalendar:
        if unit_id is None:
            return self.base
        if unit_id not in self._units:
            self._units[unit_id] = sla_store.unit_calendar(session, unit_id, self.base)
        return self._units[unit_id]

    def policy(self, state: WorkOrderState) -> sla_rules.ResolvedPolicy:
        return sla_rules.resolve_policy(self.policies, sla_rules.OrderContext.from_state(state))

    def clocks(self, session: Session, state: WorkOrderState, now: datetime) -> dict[sla_rules.ClockKind, sla_rules.ClockReport]:
        return sla_rules.evaluate_clocks(self.policy(state), self.base, sla_rules.OrderTimes.from_state(state), now,
                                         unit_calendar=self.unit_calendar(session, state.main_unit_id))

    def status_update_due(self, session: Session, state: WorkOrderState, now: datetime) -> sla_rules.StatusUpdateDue | None:
        return sla_rules.status_update_due(self.policy(state), self.base, sla_rules.OrderTimes.from_state(state), now,
                                           unit_calendar=self.unit_calendar(session, state.main_unit_id))
