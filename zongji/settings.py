"""Runtime settings.

Every number that a rule in ../shared/REQUIREMENTS.md names is a setting here, with the users'
value as the default. Values come from environment variables prefixed ``ZONGJI_`` (for example
``ZONGJI_DATABASE_URL``) or from the defaults below.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path.cwd() / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZONGJI_", extra="ignore")

    # Storage. Empty database_url means "an SQLite file in data_dir".
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""

    # Time. Every stored instant is timezone-aware; this zone is used to show and reason about
    # local time (greetings, working hours, business days).
    timezone: str = "Asia/Shanghai"

    # R-H1 / R-C1: answer within 3 rings (about 15 s of ringing).
    answer_ring_seconds: int = 15
    # R-H3: a transferred call returns to the operator after this many seconds without answer.
    transfer_no_answer_seconds: int = 30
    # R-S10: share of answered calls below which the answer rate is flagged.
    answer_rate_target: float = 0.85

    # Caller card: how many earlier calls from the same number to show.
    caller_history_limit: int = 5

    # People sessions (console logins) expire after this many hours of idleness.
    session_hours: int = 12

    # CTI ingestion: the largest number of events committed in one transaction (group commit).
    cti_batch_max: int = 500

    # Live push: how often each server process looks for new feed rows (seconds).
    feed_poll_seconds: float = 0.2

    # Timers: each web server process also runs a worker thread (safe with several processes);
    # set to false when running `zongji worker` processes separately.
    run_worker_in_server: bool = True
    worker_poll_seconds: float = 0.5

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'zongji.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
