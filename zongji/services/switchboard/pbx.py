"""The PBX outbox (issue 3).

Telephony commands (transfer, message lamp, line lock, long-distance bar) are queued as jobs (kind
``switchboard.pbx``) in the same transaction as the change that needs them — an outbox: the
worker sends them once the change is committed, retrying while the PBX is unavailable
(``run_pbx_command``, through the process's adapter, ``zongji.bootstrap.Runtime.pbx``).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from zongji.domain import transfer as tr
from zongji.services.notifications import notify
from zongji.services.switchboard.message_records import publish_message, record_delivery
from zongji.store import jobs
from zongji.store.switchboard_models import Message, TransferAttempt
from zongji.telephony.adapter import SwitchboardAdapter

log = logging.getLogger(__name__)

PBX_JOB = "switchboard.pbx"
PBX_RETRY = dt.timedelta(seconds=5)


def queue_pbx(session: Session, command: str, now: dt.datetime, **args: Any) -> None:
    """Queue a telephony command to be sent once this transaction commits (outbox)."""
    jobs.schedule(session, PBX_JOB, f"pbx:{command}:{uuid.uuid4().hex}", now, {"command": command, **args})


def run_pbx_command(session: Session, payload: Mapping[str, Any], now: dt.datetime,
                    adapter: SwitchboardAdapter, tz: ZoneInfo) -> None:
    """Send one queued command (the ``switchboard.pbx`` job). Raises TelephonyUnavailable to retry."""
    cmd = payload.get("command")
    if cmd == "transfer":
        attempt = session.get(TransferAttempt, payload["attempt_id"])
        if attempt is None or attempt.result != tr.AttemptResult.RINGING:
            return  # already ended (no answer, hung up): nothing to ring
        adapter.transfer(payload.get("call_external_id"), payload["number"], ref=str(attempt.id))
    elif cmd == "lamp":
        adapter.set_message_lamp(payload["extension"], bool(payload["on"]))
        message_id = payload.get("message_id")
        if payload["on"] and message_id is not None:
            msg = session.get(Message, message_id)
            if msg is not None and msg.state not in ("acknowledged", "void"):
                record_delivery(session, msg, "lamp", now, by="system", detail="lamp on")
                publish_message(session, msg, tz)
    elif cmd == "lock":
        adapter.lock_line(payload["extension"], bool(payload["locked"]))
    elif cmd == "bar":
        # Outgoing long distance barred or opened again (R-C6 monthly cap). An optional command:
        # a PBX adapter without it leaves it to a person at the PBX, who is told.
        bar = getattr(adapter, "bar_long_distance", None)
        if bar is None:
            log.warning("the PBX adapter cannot bar long distance; %s must be %s by hand", payload["extension"],
                        "barred" if payload["barred"] else "opened")
            notify(session, kind="cost_cap", role="supervisor", now=now, external=False,
                   subject=f"请在交换机上手工{'限制' if payload['barred'] else '恢复'}分机 {payload['extension']} 的长途",
                   body="The PBX adapter cannot bar long distance: do it at the PBX.")
            return
        bar(payload["extension"], bool(payload["barred"]))
    else:
        log.warning("unknown switchboard command %r", cmd)
