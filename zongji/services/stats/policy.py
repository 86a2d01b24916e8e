"""The statistics settings as the domain's policy and targets (one place reads them)."""

from __future__ import annotations

from zongji.domain.stats.kpi import AbandonTreatment, StatsPolicy
from zongji.domain.stats.wallboard import Targets
from zongji.settings import Settings


def policy_from(settings: Settings) -> StatsPolicy:
    return StatsPolicy(
        short_abandon_seconds=settings.stats_short_abandon_seconds,
        service_level_seconds=settings.stats_service_level_seconds,
        abandon_treatment=AbandonTreatment(settings.stats_abandon_treatment),
        basically_satisfied_weight=settings.stats_basically_satisfied_weight,
    )


def targets_from(settings: Settings) -> Targets:
    return Targets(answer_rate=settings.stats_answer_rate_target,
                   service_level=settings.stats_service_level_target,
                   amber_margin=settings.stats_amber_margin)
