"""Runtime settings.

Every number that a rule in ../shared/REQUIREMENTS.md names is a setting here, with the users'
value as the default. Values come from environment variables prefixed ``ZONGJI_`` (for example
``ZONGJI_DATABASE_URL``) or from the defaults below.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path.cwd() / "data"


_SHIFT_STARTS = r"^\s*([01][0-9]|2[0-3]):[0-5][0-9]\s*(,\s*([01][0-9]|2[0-3]):[0-5][0-9]\s*)*$"
_DTMF_KEY = r"^[0-9*#]$"
_DTMF_ACCEPTS = "one telephone key: 0-9, * or #"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZONGJI_", extra="ignore")

    # Storage. Empty database_url means "an SQLite file in data_dir".
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    # Password hashing (argon2id): the cost of one hash. The defaults are argon2's recommended
    # parameters (RFC 9106 second choice); lower them only for tests, never in production.
    password_hash_time_cost: int = Field(3, ge=1, le=20)
    password_hash_memory_kib: int = Field(65536, ge=64, le=4 * 1024 * 1024)

    # Time. Every stored instant is timezone-aware; this zone is used to show and reason about
    # local time (greetings, working hours, business days).
    timezone: str = "Asia/Shanghai"

    # R-H1 / R-C1: answer within 3 rings (about 15 s of ringing).
    answer_ring_seconds: int = Field(15, ge=1)
    # R-P9: on hold, break in every hold_checkin_seconds ("still checking"); past
    # hold_callback_after_seconds propose ending with a callback.
    hold_checkin_seconds: int = Field(30, ge=5)
    hold_callback_after_seconds: int = Field(60, ge=10)
    # R-S15: the silent caller's pauses (greeting → "can you hear me" → close → hang up) and the
    # pause between the two "anything else?" asked of a caller who does not hang up.
    silent_caller_pause_seconds: int = Field(3, ge=1)
    silent_caller_close_pause_seconds: int = Field(2, ge=1)
    no_hangup_ask_pause_seconds: int = Field(3, ge=1)
    # R-P10: how long the console waits after typing before checking forbidden phrases.
    phrase_check_delay_ms: int = Field(400, ge=0, le=5000)
    # R-H3: a transferred call returns to the operator after this many seconds without answer.
    transfer_no_answer_seconds: int = Field(30, ge=1)
    # Switchboard (issue 3). R-H5: an undelivered message is raised again after this many
    # minutes; a delivered one not picked up is reminded after the second (0 = never).
    message_raise_again_minutes: int = Field(15, ge=1)
    message_remind_unacknowledged_minutes: int = Field(0, ge=0)
    # R-H5 / R-C2: a message must be read back to the caller (a tick) before it is saved.
    message_require_read_back: bool = True
    # R-S3: a line is "silent unusually long" after max(minimum, factor × its usual gap);
    # the check runs every line_silence_check_minutes.
    line_silence_minimum_minutes: int = Field(30, ge=1)
    line_silence_factor: float = Field(2.0, gt=0)
    line_silence_check_minutes: int = Field(10, ge=1)
    # R-H13: local start times of the shifts whose handovers are signed (早班， 中班， 夜班).
    shift_starts: str = Field("07:00,15:00,23:00", pattern=_SHIFT_STARTS,
                              json_schema_extra={"accepts": "local times HH:MM separated by commas, e.g. 07:00,15:00,23:00"})
    # Telephony adapter for transfers, message lamps and line locks: "simulated" (built-in).
    switchboard_adapter: str = "simulated"
    # The simulated PBX answers a transfer after this many seconds; numbers listed (comma
    # separated) never answer, so the no-answer return can be shown.
    simulated_pbx_answer_seconds: float = Field(6.0, ge=0)
    simulated_pbx_silent_numbers: str = "6900"
    # R-S10: share of answered calls below which the answer rate is flagged.
    answer_rate_target: float = Field(0.85, ge=0, le=1)

    # Caller card: how many earlier calls from the same number to show.
    caller_history_limit: int = Field(5, ge=0)

    # People sessions (console logins) expire after this many hours of idleness.
    session_hours: int = Field(12, ge=1)
    # Issue 12: how often the sessions behind open live sockets are checked; a logout, expiry,
    # deactivation or role change closes the user's sockets within this many seconds.
    live_session_check_seconds: float = Field(1.0, gt=0, le=60)
    # Issue 12: login throttling (zongji.domain.login_throttle). This many wrong passwords for one
    # account name within the window lock it for the first lock time, doubling per further lock up
    # to the longest lock; the same for one client address with its own limit.
    login_account_max_failures: int = Field(5, ge=1)
    login_address_max_failures: int = Field(20, ge=1)
    login_failure_window_minutes: float = Field(15.0, gt=0)
    login_lock_minutes: float = Field(15.0, gt=0)
    login_lock_max_hours: float = Field(24.0, gt=0)

    # CTI ingestion: the largest number of events committed in one transaction (group commit).
    cti_batch_max: int = Field(500, ge=1)

    # Live push: a committed feed item wakes every server process at once (in-process signal;
    # PostgreSQL LISTEN/NOTIFY across processes). Each process also reads the feed table every
    # this many seconds whatever happens: the safety net, and on SQLite the only way one process
    # sees another's items (issue 18, point 4; it was feed_poll_seconds = 0.2, polling only).
    feed_safety_poll_seconds: float = Field(1.0, gt=0)
    # False: no wake-ups, polling only (bench/live_push.py's baseline).
    feed_wake_ups: bool = True

    # Python's cyclic garbage collector in a server process: after start-up everything loaded is
    # frozen out of collection, and the youngest generation is collected after this many new
    # objects (Python's default is 700). Full collections over the whole heap were the 100-200 ms
    # p99 tail of CTI ingestion (bench/README.md). 0 keeps Python's defaults.
    gc_gen0_threshold: int = Field(100_000, ge=0)

    # Timers: each web server process also runs a worker thread (safe with several processes);
    # set to false when running `zongji worker` processes separately.
    run_worker_in_server: bool = True
    worker_poll_seconds: float = Field(0.5, gt=0)

    # Work orders (issue 4). SLA numbers are policies (zongji.domain.sla, admin-editable).
    # Attachments: stored under data_dir/attachments; the largest file and the most per order.
    attachment_max_bytes: int = Field(10 * 1024 * 1024, ge=1)
    # Requests (issue 12): the largest body any other endpoint takes (413 above it, before it is
    # read); uploads (attachments, prompts) take their own limits. Origins allowed besides the
    # request's own (a reverse proxy that rewrites Host), comma-separated, e.g. https://zongji.example.cn.
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    allowed_origins: str = ""
    # Mark the session cookie Secure: turn on when Zongji is served over HTTPS (behind the proxy).
    cookie_secure: bool = False
    attachments_per_order_max: int = Field(20, ge=1)
    # Likely duplicates (R-P8): orders this many days back are compared; at most this many shown.
    duplicate_window_days: int = Field(7, ge=1)
    duplicate_limit: int = Field(5, ge=0)
    # Each component's weight in the duplicate score (zongji.domain.work_orders.duplicates) and the
    # score that makes an order a likely duplicate; the same caller alone is 0.30 as before.
    duplicate_weight_caller: float = Field(0.30, ge=0, le=1)
    duplicate_weight_place: float = Field(0.25, ge=0, le=1)
    duplicate_weight_category: float = Field(0.15, ge=0, le=1)  # the same category or unit
    duplicate_weight_text: float = Field(0.25, ge=0, le=1)
    duplicate_weight_time: float = Field(0.05, ge=0, le=1)
    duplicate_threshold: float = Field(0.5, gt=0, le=1)
    duplicate_time_full_hours: float = Field(24.0, ge=0)  # this close in time counts fully
    # At most this many of the window's orders are scored per suggestion (newest first, plus the
    # same caller's and the same category's): bounded however many orders the centre keeps.
    duplicate_candidates_max: int = Field(2000, ge=1)
    # Dispatch suggestion (issue 11, point 5; zongji.domain.dispatch): the model is rebuilt every
    # night at this local hour from the catalogue, the knowledge base and at most this many of the
    # latest dispatched orders; this many passes over them.
    dispatch_retrain_hour: int = Field(3, ge=0, le=23)
    dispatch_training_orders: int = Field(20000, ge=0)
    dispatch_training_epochs: int = Field(20, ge=1, le=200)
    # Added to each unit's score: this × the BM25 score of its best-fitting catalogue matter
    # (domain/dispatch/catalogue_match; chosen on the bench's history validation split; 0 = off).
    dispatch_catalogue_weight: float = Field(0.1, ge=0, le=10)
    # Business calendar (issue 8): from this day of the year (MM-DD, in the site's time zone)
    # every admin and supervisor page says that next year's holiday notice is not imported yet,
    # until it is. The State Council publishes it in October or November.
    calendar_reminder_from: str = Field(default="11-01", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    # E-mail notifications through an SMTP server (empty host: e-mail off).
    smtp_host: str = ""
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(10, gt=0)
    mail_from: str = "zongji@localhost"
    # SMS gateway (docs/notifications.md); empty URL: SMS off.
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    sms_timeout_seconds: float = Field(10, gt=0)
    # Failed e-mail/SMS deliveries are retried after this many seconds, at most this many times.
    notify_retry_seconds: float = Field(60, gt=0)
    notify_max_attempts: int = Field(5, ge=1)

    # The hotel PMS link over FIAS (issue 16), run by `zongji fias`. ``client``: Zongji connects
    # to the PMS at fias_host:fias_port; ``server``: Zongji listens there and the PMS connects.
    fias_mode: Literal["client", "server"] = "client"
    fias_host: str = "127.0.0.1"
    fias_port: int = Field(5010, ge=0, le=65535)
    # Bytes on the wire: Chinese PMSs send UTF-8 or GBK.
    fias_encoding: str = "utf-8"
    # Zongji sends LA (link alive) this often when nothing else was sent; the link is taken as
    # dead (closed and reopened) when nothing at all came from the PMS for fias_dead_seconds.
    fias_alive_seconds: float = Field(30.0, gt=0)
    fias_dead_seconds: float = Field(90.0, gt=0)
    # Reconnection back-off: the first wait, doubled after each failure up to the maximum.
    fias_backoff_seconds: float = Field(1.0, gt=0)
    fias_backoff_max_seconds: float = Field(60.0, gt=0)
    # How often the link looks for records to send (outbox, wake-up results, DND and lamp).
    fias_poll_seconds: float = Field(1.0, gt=0)
    # Ask the PMS for a database resync (DR) every time the link comes up (missed GI/GO).
    fias_resync_on_connect: bool = True
    # Tell the PMS of wake-ups booked at the switchboard (WR / WC), for PMSs that keep them.
    fias_send_wakeups: bool = False
    # The hotel's check-out hour: a GI's departure date becomes this local time.
    fias_checkout_hour: int = Field(12, ge=0, le=23)
    # The link-down alert is raised once the link has been down this long.
    fias_alert_after_seconds: float = Field(120.0, ge=0)
    # A posting the PMS asked to send again later (PA RY / NA / BY) waits this long.
    fias_posting_retry_seconds: float = Field(300.0, gt=0)
    # Call charges (issue 13 point 4, R-H10): outgoing calls from room and department extensions
    # rated when they end and posted to the guest's folio. ``charges_folio``: ``none`` (charges
    # are listed for the front desk to post), ``fias`` (PS postings over the FIAS link) or
    # ``package.module:ClassName`` (an adapter following zongji.services.charges.folio.FolioAdapter).
    charges_enabled: bool = True
    charges_folio: str = "none"
    # The hotel's own area code (e.g. 020): 0 + area code + a local number is a local call.
    charges_local_area_code: str = ""
    # The outside-line prefix guests dial first, when the PBX reports it in the called number.
    charges_outside_prefix: str = ""
    # Never charged: exact numbers, or a prefix with * for 10-digit and longer numbers (800…).
    charges_free_numbers: str = "110,112,119,120,122,800*"
    # Local and mobile calls, yuan per started minute (IDD/DDD: the rates table), minimum minutes.
    charges_local_per_minute: float = Field(0.5, ge=0)
    charges_mobile_per_minute: float = Field(0.5, ge=0)
    charges_local_minimum_minutes: int = Field(1, ge=0)
    # Per started minute, or per started six seconds (a tenth of the minute's price).
    charges_rounding: Literal["minute", "six_seconds"] = "minute"
    # Calls talked this long or less are not charged; a surcharge in percent on every charge.
    charges_grace_seconds: int = Field(0, ge=0)
    charges_service_percent: int = Field(0, ge=0, le=100)
    # How often ended calls are rated and charges posted, how far back a sweep looks for ended
    # calls, the wait before posting again after the PMS was unreachable, and a batch's size.
    charges_sweep_seconds: float = Field(30.0, gt=0)
    charges_lookback_hours: int = Field(24, ge=1)
    charges_retry_seconds: float = Field(300.0, gt=0)
    charges_batch: int = Field(200, ge=1, le=5000)
    # A company number's monthly cap (R-C6): supervisors are told once at this share of it.
    charges_cap_warn_percent: int = Field(80, ge=1, le=100)
    # The weekly list of special calls (R-H14): a charge of at least this much, a call this long.
    charges_special_yuan: float = Field(100.0, ge=0)
    charges_special_minutes: int = Field(60, ge=1)
    # The intake queue (issue 15): a message's first answer is due this many minutes after it
    # came in, per channel (GB/T 33358-2016: SMS and similar messages within 3 minutes).
    intake_first_response_minutes_sms: float = Field(3, gt=0)
    intake_first_response_minutes_web: float = Field(3, gt=0)
    intake_first_response_minutes_app: float = Field(3, gt=0)
    intake_first_response_minutes_email: float = Field(60, gt=0)
    intake_first_response_minutes_open311: float = Field(60, gt=0)
    intake_first_response_minutes_letter: float = Field(1440, gt=0)
    intake_first_response_minutes_walk_in: float = Field(3, gt=0)
    # Rate limits (issue 15, point 6): at most this many messages from one SMS number, and this many
    # requests from one Open311 client application, within an hour (429 beyond, Retry-After).
    intake_sms_max_per_hour: int = Field(30, ge=1)
    intake_open311_max_per_hour: int = Field(600, ge=1)
    # The public web form (/report): most requests per client address and per telephone number
    # within an hour, most photos (each ≤ attachment_max_bytes, together ≤ the upload bound).
    intake_web_max_per_hour_address: int = Field(10, ge=1)
    intake_web_max_per_hour_number: int = Field(5, ge=1)
    intake_web_photos_max: int = Field(3, ge=0, le=20)
    # The longest inbound message text (a reassembled long SMS included), in characters.
    intake_text_max_chars: int = Field(2000, ge=70)
    # E-mail into the intake queue (issue 15, point 3): the hotline's mailbox, polled over IMAP
    # (empty host: off). Answers go out through the SMTP settings above, from intake_mail_address.
    intake_imap_host: str = ""
    intake_imap_port: int = Field(143, ge=1, le=65535)
    intake_imap_ssl: bool = False  # IMAPS (port 993) instead of plain IMAP …
    intake_imap_starttls: bool = False  # … or STARTTLS on the plain port
    intake_imap_username: str = ""
    intake_imap_password: str = ""
    intake_imap_mailbox: str = "INBOX"
    intake_imap_poll_seconds: float = Field(60, gt=0)
    intake_imap_timeout_seconds: float = Field(20, gt=0)
    intake_mail_address: str = ""  # the hotline's address answers come from (empty: mail_from)
    # Open311 GeoReport v2: the jurisdiction_id this endpoint answers for (empty: any).
    open311_jurisdiction_id: str = ""

    # Wake-up calls (R-H9, issue 5). The worker reaches the `zongji sip` process here; empty
    # means "no telephony": every due wake-up goes straight to the operators' manual call list.
    wakeup_gateway_url: str = "http://127.0.0.1:5071"
    wakeup_gateway_token: str | None = None
    # SIP URI (or bare extension) to dial for a room; {extension} and {room} are filled in.
    wakeup_uri_template: str = "{extension}"
    # Simultaneous outgoing lines the wake-up worker may use (the gateway enforces its own too).
    wakeup_lines: int = Field(8, ge=1)
    wakeup_retry_interval_minutes: float = Field(2.0, gt=0)
    # Statistics (issue 10): the numbers each figure's definition refers to. Short abandons (hung up
    # sooner) are reported apart and left out of every rate; the service level counts calls
    # answered within its seconds (GB/T 33358-2016: 15 s), with calls abandoned within them
    # ignored, counted against or counted in favour; targets colour the wallboard green, amber
    # (within the margin below) or red — 85 % answer rate for a 400 line (R-S10).
    # Knowledge base (issue 11): when the daily review check runs (local time), how many articles
    # the console's panel shows, and the default review interval of a new article.
    knowledge_review_time: str = Field("08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    knowledge_panel_size: int = Field(5, ge=1, le=20)
    knowledge_review_months: int = Field(12, ge=1, le=60)
    # A term held by more than this share of all articles does not fetch candidates by itself.
    knowledge_common_term_share: float = Field(0.05, gt=0, le=1)
    # Responsibility catalogue search (issue 11, point 2; zongji.domain.catalogue.ranking): BM25's
    # k1 and b, how many times its idf more a query term found in a matter's name counts, and the
    # share of the best score under which a matter is left out.
    catalogue_bm25_k1: float = Field(1.2, ge=0, le=10)
    catalogue_bm25_b: float = Field(0.75, ge=0, le=1)
    catalogue_name_weight: float = Field(1.0, ge=0, le=10)
    catalogue_min_share_of_best: float = Field(0.35, ge=0, le=1)

    stats_short_abandon_seconds: float = Field(5.0, ge=0, le=120)
    stats_service_level_seconds: float = Field(15.0, gt=0, le=600)
    stats_abandon_treatment: Literal["ignored", "against", "in_favour"] = "ignored"
    stats_service_level_target: float = Field(0.80, ge=0, le=1)
    stats_answer_rate_target: float = Field(0.85, ge=0, le=1)
    stats_amber_margin: float = Field(0.05, ge=0, le=1)
    stats_basically_satisfied_weight: float = Field(1.0, ge=0, le=1)
    # A wake-up reached later than this many minutes after its time counts as late (R-H14 statistics).
    stats_wakeup_late_minutes: float = Field(5.0, ge=0, le=120)
    # An abandoned call answered back (an outbound call to the caller's number) within this many
    # hours counts in the 24-hour answer rate (GB/T 33358-2016: 24).
    stats_callback_within_hours: float = Field(24.0, gt=0, le=168)
    # A message first delivered within this many minutes of being taken counts as on time (R-H5).
    stats_message_delivery_minutes: float = Field(15.0, gt=0, le=1440)
    # An operator away (示忙) longer than this shows in red on the wallboard.
    presence_away_long_minutes: float = Field(15.0, gt=0, le=480)
    # The statistics job folds changed calls into the aggregates this often (reads stay exact).
    stats_fold_seconds: float = Field(30.0, ge=1, le=3600)
    # 按时转出: an order dispatched within this many minutes of its creation (R-P3: within the hour).
    stats_dispatch_within_minutes: float = Field(60.0, gt=0, le=1440)
    # A second wake-up for a room within this many minutes of an open one warns (0: same minute).
    wakeup_duplicate_window_minutes: float = Field(0.0, ge=0, le=720)
    wakeup_retry_window_minutes: float = Field(10.0, ge=0)
    wakeup_snooze_minutes: float = Field(5.0, gt=0)
    wakeup_max_snoozes: int = Field(3, ge=0)
    wakeup_ring_seconds: float = Field(30.0, gt=0)
    wakeup_key_seconds: float = Field(10.0, gt=0)
    wakeup_confirm_key: str = Field("1", pattern=_DTMF_KEY, json_schema_extra={"accepts": _DTMF_ACCEPTS})
    wakeup_snooze_key: str = Field("2", pattern=_DTMF_KEY, json_schema_extra={"accepts": _DTMF_ACCEPTS})
    # Pre-flight test call this long before the day's earliest wake-up, to this extension/URI
    # (empty: no test call — /health and registration are checked and operators are warned
    # that no call was tested).
    wakeup_preflight_minutes: float = Field(30.0, ge=0)
    wakeup_preflight_target: str = ""
    # A wake-up in a dialler's hands is leased this long and the lease renewed while the call
    # lasts; a killed worker's calls are recovered by another worker after the lease runs out.
    wakeup_lease_seconds: float = Field(30.0, gt=0)
    wakeup_poll_seconds: float = Field(0.2, gt=0)
    # Prompt WAV sample rate (the gateway's clock rate).
    wakeup_prompt_rate: int = Field(16000, ge=8000, le=96000)
    # Run the wake-up dialler in the web server's worker thread too (see run_worker_in_server).
    wakeup_dialler_in_server: bool = True
    # Safety net: a wake-up still waiting this long after its time while no dialler holds any
    # wake-up call goes to the manual call list (no dialler process is running).
    wakeup_watchdog_seconds: float = Field(90.0, gt=0)
    # Telephony down (R-H9, never silence): after this many telephony faults in a row (5xx,
    # makeCall error, no response) on calls to different rooms, due wake-ups go to the manual
    # call list at once even if the gateway's /health still says ok.
    wakeup_fault_rooms: int = Field(3, ge=1)
    # How often the dialler asks the gateway's /health (before dialling; and, while wake-ups
    # wait on the manual call list because telephony was down, to see it recover).
    wakeup_health_check_seconds: float = Field(5.0, gt=0)
    # When telephony recovers, wake-ups on the manual call list because it was down, and not
    # handled by hand yet, are called automatically again if their time is at most this long ago.
    wakeup_resume_minutes: float = Field(60.0, ge=0)
    # The department that receives knock-on-door tasks and is notified (R-H9 "notify the
    # housekeeping centre"): its name, English name or id. Only its unit handlers see the tasks.
    wakeup_knock_unit: str = "客房服务中心"
    # Room board (/rooms): a wake-up shows on its room when due within this many hours.
    room_board_wakeup_hours: float = Field(24.0, gt=0)
    # The guest-service centre (客房服务中心, issue 13): the department whose handlers run it and
    # receive its alerts (name, English name or id; the centre's own page and the attendants').
    guestsvc_centre_unit: str = "客房服务中心"
    # R-G6: a request is served within 10 minutes unless its catalogue item says otherwise.
    guestsvc_response_minutes: int = Field(10, ge=1, le=1440)
    # The centre is alerted this many minutes before a request is late (R-G1 "follow up on speed").
    guestsvc_alert_before_minutes: float = Field(3.0, ge=0)
    # A borrowed item is due back this many hours after it was lent (never after the departure).
    guestsvc_loan_hours: float = Field(24.0, gt=0)
    # Laundry collected by this local time is delivered the same day by the delivery time (R-G2);
    # collected later, by the delivery time the next day.
    guestsvc_laundry_cutoff: str = Field("10:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    guestsvc_laundry_deliver: str = Field("18:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # Room service: the dishes are to be collected this many minutes after it is served (R-G2).
    guestsvc_dishes_minutes: float = Field(60.0, gt=0)
    # Lost and found: an unclaimed item may be disposed of after this many days (R-G4).
    guestsvc_lost_keep_days: int = Field(90, ge=1, le=3650)
    # Customer files (R-G6): stays checked out within this many days are due a satisfaction survey.
    guest_survey_days: int = Field(3, ge=1, le=60)
    # Emergency notification (issue 14, R-H11). Calls go through the wake-up SIP gateway
    # (wakeup_gateway_url); a plan's tries, waits and waves are the supervisor's, per plan.
    # Simultaneous emergency calls one emergency dialler places.
    emergency_lines: int = Field(4, ge=1, le=50)
    # SIP URI or extension dialled for a person's number ({number}).
    emergency_uri_template: str = "{number}"
    # How long a person's phone rings, and how long after the message a key is awaited.
    emergency_ring_seconds: float = Field(30.0, gt=0)
    emergency_key_seconds: float = Field(15.0, gt=0)
    # The key that acknowledges an emergency call.
    emergency_ack_key: str = Field("1", pattern=_DTMF_KEY, json_schema_extra={"accepts": _DTMF_ACCEPTS})
    # The emergency dialler's job lease (renewed while a call lasts) and poll interval.
    emergency_lease_seconds: float = Field(30.0, gt=0)
    emergency_poll_seconds: float = Field(0.2, gt=0)
    # Run the emergency dialler in the web server's worker thread too.
    emergency_dialler_in_server: bool = True
    # While an emergency runs, the wake-up dialler leaves this many of its lines free (issue 14).
    emergency_wakeup_lines_free: int = Field(2, ge=0)
    # Planner statistics (issue 18): SQLite's PRAGMA optimize every this many minutes, and a full
    # ANALYZE of the big tables (sampled on SQLite, see db_analyze_rows) nightly at this local hour.
    # Seconds after a server starts before it loads the Chinese dictionaries (pinyin, word
    # segmentation) in the background: start-up does not wait for them, nor does the first search.
    warm_up_seconds: float = Field(5.0, ge=0, le=600)
    db_optimize_minutes: int = Field(60, ge=5, le=1440)
    db_analyze_hour: int = Field(3, ge=0, le=23)
    # SQLite: rows an ANALYZE reads per index (PRAGMA analysis_limit), so it stays quick on any size.
    db_analyze_rows: int = Field(2000, ge=100, le=1_000_000)

    # Retention (issue 18, R-S17; zongji/domain/retention). Live-feed rows are deleted after
    # retention_feed_hours; raw CTI events retention_call_events_days after their call ended;
    # audit entries after retention_audit_days; call records and closed work orders are
    # anonymised (personal fields erased, numbers replaced by a keyed stand-in, statistics kept)
    # retention_calls_days / retention_work_orders_days after they ended / were created.
    retention_feed_hours: float = Field(48.0, gt=0)
    retention_call_events_days: float = Field(30.0, gt=0)
    retention_audit_days: float = Field(1095.0, gt=0)
    retention_calls_days: float = Field(1095.0, gt=0)
    retention_work_orders_days: float = Field(1095.0, gt=0)
    # Intake messages (SMS, e-mail, web form, Open311, app) and the answers sent: anonymised
    # after this many days; their long-SMS parts and files deleted.
    retention_intake_days: float = Field(1095.0, gt=0)
    # Switchboard messages (caller, content, the recipient's name, where they were sent) and
    # wake-up calls (the guest, the note, the floor staff's task texts): anonymised after these.
    retention_messages_days: float = Field(1095.0, gt=0)
    retention_wakeups_days: float = Field(1095.0, gt=0)
    # Hotel bookings (the customer, the guests' names, requests, read-backs, the SMS sent):
    # anonymised this many days after their check-out date.
    retention_bookings_days: float = Field(1095.0, gt=0)
    # Meeting bookings (the contact, the needs, the reason of a refusal or cancellation): anonymised
    # this many days after their last day, once paid, refused or cancelled. Flight bookings (the
    # customer, the delivery address, the passengers' names, the read-backs): anonymised this many
    # days after the last flight date (the ID numbers go sooner: flight_id_retention_days).
    retention_meetings_days: float = Field(1095.0, gt=0)
    retention_flights_days: float = Field(1095.0, gt=0)
    # Guest-service requests (the stay they were for, the notes): anonymised after this many days.
    retention_guest_service_days: float = Field(1095.0, gt=0)
    # Call charges (the number dialled, the stay, a write-off's reason): anonymised this many days
    # after the call, once settled. Lost-and-found entries (the finder, the owner, the
    # description): anonymised this many days after they were returned or disposed of.
    retention_call_charges_days: float = Field(1095.0, gt=0)
    retention_lost_items_days: float = Field(1095.0, gt=0)
    # The daily run starts at this local time; it deletes or anonymises this many rows per
    # transaction (one job step), so writers wait at most one short batch.
    retention_run_time: str = Field("03:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    retention_batch_rows: int = Field(500, ge=1, le=100000)
    # The key of the numbers' stand-ins; empty = a random key kept in data_dir/retention.key.
    retention_hmac_secret: str = ""
    # Booking hotline, meeting and flight bookings (issue 17 points 3, 4; R-T4, R-T5).
    travel_deposit_working_days: int = Field(2, ge=0, le=30)
    travel_deposit_percent: int = Field(30, ge=0, le=100)
    flight_id_retention_days: int = Field(30, ge=0, le=3650)

    # Booking hotline (issue 17, R-T1..R-T3; zongji/domain/bookings, zongji/services/bookings).
    # The hotline's number said in the customers' messages ({hotline}).
    booking_hotline_number: str = "400-000-0000"
    # The day-before care message (出行关怀, R-T3) is sent at this local time the day before check-in.
    booking_care_time: str = Field("10:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # A customer SMS the gateway did not accept is tried again after this many seconds, this many times.
    booking_sms_retry_seconds: float = Field(60.0, ge=0)
    booking_sms_max_attempts: int = Field(5, ge=1, le=50)
    # The weather forecast provider for the care message (docs/weather.md): "none" (forecasts
    # entered by hand per city and day) or "http" (GET booking_weather_url, the JSON contract).
    booking_weather_provider: str = Field("none", pattern=r"^(none|http)$")
    booking_weather_url: str = ""
    booking_weather_token: str = ""
    booking_weather_timeout_seconds: float = Field(5.0, gt=0)

    # Outbound call lists (issue 14 point 4, R-S13, R-S12; zongji/domain/outbound). An entry is
    # tried at most outbound_max_tries times, outbound_retry_minutes apart; an operator's claim
    # on an entry lapses after outbound_claim_lease_seconds.
    outbound_max_tries: int = Field(3, ge=1, le=20)
    outbound_retry_minutes: float = Field(30, gt=0)
    outbound_claim_lease_seconds: float = Field(300, gt=0)
    # Console callbacks (issue 14 point 5, R-S6, R-S15): "the caller cannot hear us" makes a
    # callback due this many minutes later; an open callback alerts the consoles again every
    # callback_alert_repeat_seconds until it is done.
    callback_cannot_hear_minutes: float = Field(3, gt=0)
    callback_alert_repeat_seconds: float = Field(60, gt=0)
    # Automatic outbound calls (issue 14 point 4) through the SIP gateway: lines used, the
    # number's SIP URI, ring and key timeouts, the key for "understood".
    outbound_lines: int = Field(2, ge=1, le=50)
    outbound_uri_template: str = "{number}"
    outbound_ring_seconds: float = Field(30.0, gt=0)
    outbound_key_seconds: float = Field(15.0, gt=0)
    outbound_understood_key: str = Field("1", pattern=r"^[0-9*#]$")
    outbound_dialler_in_server: bool = True

    # Issue 15, channels follow-up. A long SMS still missing parts this many minutes after its
    # first part enters the queue as it is, marked incomplete (never lost).
    intake_sms_part_wait_minutes: float = Field(10, gt=0)
    # Status look-ups (/track's API and Open311 GET requests): at most this many per client
    # address and per telephone number / request id within an hour (429, Retry-After).
    intake_lookup_max_per_hour_address: int = Field(60, ge=1)
    intake_lookup_max_per_hour_number: int = Field(10, ge=1)
    # The WeChat Official Account channel (point 1; docs/wechat.md): the server token configured
    # in the account's admin (empty: channel off, 404); answers go through the reply adapter
    # "customer_service" (WeChat's customer-service message API, appid/secret) or "none" (not sent).
    intake_wechat_token: str = ""
    intake_wechat_reply_adapter: Literal["none", "customer_service"] = "none"
    intake_wechat_api_url: str = "https://api.weixin.qq.com"
    intake_wechat_appid: str = ""
    intake_wechat_secret: str = ""
    intake_wechat_timeout_seconds: float = Field(5, gt=0)
    # Open311 POST requests (point 5): made an order at once when the service and place are valid
    # (the specification's synchronous answer, service_request_id) instead of waiting in the queue
    # for an operator (its asynchronous answer, a token). Off: 12345 centres register by hand.
    open311_create_directly: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError("unknown time zone") from None
        return value

    @property
    def intake_first_response_minutes(self) -> dict[str, float]:
        """The first-response minutes of each queued channel, by channel name."""
        return {"sms": self.intake_first_response_minutes_sms, "web": self.intake_first_response_minutes_web,
                "app": self.intake_first_response_minutes_app, "email": self.intake_first_response_minutes_email,
                "open311": self.intake_first_response_minutes_open311,
                "letter": self.intake_first_response_minutes_letter,
                "walk-in": self.intake_first_response_minutes_walk_in, "phone": self.answer_ring_seconds / 60}

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'zongji.db').resolve()}"


class SettingsError(ValueError):
    """A setting from the environment is not accepted; ``lines`` say which and what it accepts,
    one line per setting (for example ``ZONGJI_LINE_SILENCE_CHECK_MINUTES=0.5: … a whole number
    of minutes, at least 1``)."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


_UNITS = (("_seconds", "seconds"), ("_minutes", "minutes"), ("_hours", "hours"), ("_days", "days"),
          ("_bytes", "bytes"))
_SECRET = ("password", "token", "secret")
_ACCEPTS = {"timezone": "a time zone name such as Asia/Shanghai",
            "calendar_reminder_from": "a day of the year as MM-DD, e.g. 11-01"}


def _number(value: float) -> str:
    return f"{value:g}"


def accepts(name: str) -> str:
    """What the setting ``name`` accepts, in words, from its type and limits."""
    import annotated_types as at

    field = Settings.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if extra.get("accepts"):
        return str(extra["accepts"])
    if name in _ACCEPTS:
        return _ACCEPTS[name]
    kind = field.annotation
    if kind is bool:
        return "true or false"
    unit = next((u for suffix, u in _UNITS if name.endswith(suffix)), "")
    if kind is int:
        words = "a whole number" + (f" of {unit}" if unit else "")
    elif kind is float:
        words = "a number" + (f" of {unit}" if unit else "")
    elif kind is Path:
        return "a folder path"
    else:
        return "text"
    low = high = None
    for m in field.metadata:
        if isinstance(m, at.Ge):
            low = f"at least {_number(m.ge)}"
        elif isinstance(m, at.Gt):
            low = f"more than {_number(m.gt)}"
        elif isinstance(m, at.Le):
            high = f"at most {_number(m.le)}"
    limits = [x for x in (low, high) if x]
    words += ", " + " and ".join(limits) if limits else ""
    return words + (" (decimals allowed)" if kind is float else "")


def describe(exc: ValidationError) -> list[str]:
    """One line per rejected setting: its environment variable, the value given, what it accepts."""
    lines: list[str] = []
    seen: set[str] = set()
    for err in exc.errors():
        name = str(err["loc"][0]) if err.get("loc") else ""
        if name in seen:
            continue
        seen.add(name)
        if name not in Settings.model_fields:
            lines.append(f"settings: {err.get('msg', 'not accepted')}")
            continue
        env = f"ZONGJI_{name.upper()}"
        value = err.get("input")
        shown = "(hidden)" if any(s in name for s in _SECRET) else repr(str(value)) if value is not None else "''"
        lines.append(f"{env}={shown} is not accepted: it takes {accepts(name)}")
    return lines


def load_settings(**values) -> Settings:
    """The settings from the environment (and ``values``); :class:`SettingsError` if one is bad."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
