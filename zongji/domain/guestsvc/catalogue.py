"""The service catalogue (R-G2): what a guest may ask for, which team does it, whether it is
charged and its target time."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Team(StrEnum):
    HOUSEKEEPING = "housekeeping"  # 客房部 (the floor attendants)
    FNB = "fnb"  # 餐饮部 (room service)
    ENGINEERING = "engineering"  # 工程部
    FRONT_OFFICE = "front_office"  # 前厅部 (messages)
    LAUNDRY = "laundry"  # 洗衣房


class Kind(StrEnum):
    """How a request is followed: a plain service; a loan (borrowed, to be returned); laundry
    (collected and delivered by a deadline the same day); room service (passed to F&B, the dishes
    collected afterwards)."""

    SERVICE = "service"
    LOAN = "loan"
    LAUNDRY = "laundry"
    ROOM_SERVICE = "room_service"


TEAM_NAMES = {
    Team.HOUSEKEEPING: ("客房部", "Housekeeping"),
    Team.FNB: ("餐饮部", "Food & beverage"),
    Team.ENGINEERING: ("工程部", "Engineering"),
    Team.FRONT_OFFICE: ("前厅部", "Front office"),
    Team.LAUNDRY: ("洗衣房", "Laundry"),
}

MAX_TARGET_MINUTES = 24 * 60


class CatalogueError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ItemSpec:
    name_zh: str
    name_en: str
    team: str
    kind: str
    charged: bool
    target_minutes: int


def check_item(spec: ItemSpec) -> ItemSpec:
    """A catalogue item as stored: names trimmed, a known team and kind, a target within a day."""
    name_zh, name_en = spec.name_zh.strip(), spec.name_en.strip()
    if not name_zh:
        raise CatalogueError("an item needs its Chinese name", field="name_zh")
    if spec.team not in set(Team):
        raise CatalogueError(f"team: one of {', '.join(Team)}", field="team")
    if spec.kind not in set(Kind):
        raise CatalogueError(f"kind: one of {', '.join(Kind)}", field="kind")
    if not 1 <= spec.target_minutes <= MAX_TARGET_MINUTES:
        raise CatalogueError(f"target minutes: 1 to {MAX_TARGET_MINUTES}", field="target_minutes")
    return ItemSpec(name_zh, name_en or name_zh, spec.team, spec.kind, spec.charged, spec.target_minutes)


def routed_to_attendant(team: str) -> bool:
    """Housekeeping and laundry requests go to the floor's attendant on duty (who collects the
    laundry); F&B, engineering and the front office take theirs from the centre's list."""
    return team in (Team.HOUSEKEEPING, Team.LAUNDRY)
