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
    # Switchboard (issue 3). R-H5: an undelivered message is raised again after this many
    # minutes; a delivered one not picked up is reminded after the second (0 = never).
    message_raise_again_minutes: int = 15
    message_remind_unacknowledged_minutes: int = 0
    # R-H5 / R-C2: a message must be read back to the caller (a tick) before it is saved.
    message_require_read_back: bool = True
    # R-S3: a line is "silent unusually long" after max(minimum, factor × its usual gap);
    # the check runs every line_silence_check_minutes.
    line_silence_minimum_minutes: int = 30
    line_silence_factor: float = 2.0
    line_silence_check_minutes: int = 10
    # R-H13: local start times of the shifts whose handovers are signed (早班， 中班， 夜班).
    shift_starts: str = "07:00,15:00,23:00"
    # Telephony adapter for transfers, message lamps and line locks: "simulated" (built-in).
    switchboard_adapter: str = "simulated"
    # The simulated PBX answers a transfer after this many seconds; numbers listed (comma
    # separated) never answer, so the no-answer return can be shown.
    simulated_pbx_answer_seconds: float = 6.0
    simulated_pbx_silent_numbers: str = "6900"
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

    # Python's cyclic garbage collector in a server process: after start-up everything loaded is
    # frozen out of collection, and the youngest generation is collected after this many new
    # objects (Python's default is 700). Full collections over the whole heap were the 100-200 ms
    # p99 tail of CTI ingestion (bench/README.md). 0 keeps Python's defaults.
    gc_gen0_threshold: int = 100_000

    # Timers: each web server process also runs a worker thread (safe with several processes);
    # set to false when running `zongji worker` processes separately.
    run_worker_in_server: bool = True
    worker_poll_seconds: float = 0.5

    # Work orders (issue 4). SLA numbers are policies (zongji.domain.sla, admin-editable).
    # Attachments: stored under data_dir/attachments; the largest file and the most per order.
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachments_per_order_max: int = 20
    # Likely duplicates (R-P8): orders this many days back are compared; at most this many shown.
    duplicate_window_days: int = 7
    duplicate_limit: int = 5
    # Business calendar (issue 8): from this day of the year (MM-DD, in the site's time zone)
    # every admin and supervisor page says that next year's holiday notice is not imported yet,
    # until it is. The State Council publishes it in October or November.
    calendar_reminder_from: str = Field(default="11-01", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    # E-mail notifications through an SMTP server (empty host: e-mail off).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = 10
    mail_from: str = "zongji@localhost"
    # SMS gateway (docs/notifications.md); empty URL: SMS off.
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    sms_timeout_seconds: float = 10
    # Failed e-mail/SMS deliveries are retried after this many seconds, at most this many times.
    notify_retry_seconds: float = 60
    notify_max_attempts: int = 5

    # Wake-up calls (R-H9, issue 5). The worker reaches the `zongji sip` process here; empty
    # means "no telephony": every due wake-up goes straight to the operators' manual call list.
    wakeup_gateway_url: str = "http://127.0.0.1:5071"
    wakeup_gateway_token: str | None = None
    # SIP URI (or bare extension) to dial for a room; {extension} and {room} are filled in.
    wakeup_uri_template: str = "{extension}"
    # Simultaneous outgoing lines the wake-up worker may use (the gateway enforces its own too).
    wakeup_lines: int = 8
    wakeup_retry_interval_minutes: float = 2.0
    wakeup_retry_window_minutes: float = 10.0
    wakeup_snooze_minutes: float = 5.0
    wakeup_max_snoozes: int = 3
    wakeup_ring_seconds: float = 30.0
    wakeup_key_seconds: float = 10.0
    wakeup_confirm_key: str = "1"
    wakeup_snooze_key: str = "2"
    # Pre-flight test call this long before the day's earliest wake-up, to this extension/URI
    # (empty: no test call — /health and registration are checked and operators are warned
    # that no call was tested).
    wakeup_preflight_minutes: float = 30.0
    wakeup_preflight_target: str = ""
    # A wake-up in a dialler's hands is leased this long and the lease renewed while the call
    # lasts; a killed worker's calls are recovered by another worker after the lease runs out.
    wakeup_lease_seconds: float = 30.0
    wakeup_poll_seconds: float = 0.2
    # Prompt WAV sample rate (the gateway's clock rate).
    wakeup_prompt_rate: int = 16000
    # Run the wake-up dialler in the web server's worker thread too (see run_worker_in_server).
    wakeup_dialler_in_server: bool = True
    # Safety net: a wake-up still waiting this long after its time while no dialler holds any
    # wake-up call goes to the manual call list (no dialler process is running).
    wakeup_watchdog_seconds: float = 90.0
    # Telephony down (R-H9, never silence): after this many telephony faults in a row (5xx,
    # makeCall error, no response) on calls to different rooms, due wake-ups go to the manual
    # call list at once even if the gateway's /health still says ok.
    wakeup_fault_rooms: int = 3
    # How often the dialler asks the gateway's /health (before dialling; and, while wake-ups
    # wait on the manual call list because telephony was down, to see it recover).
    wakeup_health_check_seconds: float = 5.0
    # When telephony recovers, wake-ups on the manual call list because it was down, and not
    # handled by hand yet, are called automatically again if their time is at most this long ago.
    wakeup_resume_minutes: float = 60.0
    # The department that receives knock-on-door tasks and is notified (R-H9 "notify the
    # housekeeping centre"): its name, English name or id. Only its unit handlers see the tasks.
    wakeup_knock_unit: str = "客房服务中心"
    # Room board (/rooms): a wake-up shows on its room when due within this many hours.
    room_board_wakeup_hours: float = 24.0

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
