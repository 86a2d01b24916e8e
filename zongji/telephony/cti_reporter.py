"""The CTI events the SIP gateway reports to the core (docs/contracts.md), and their delivery.

Every call event — outgoing calls, attendant calls, their transfers — is posted to the core
(``POST /api/cti/events``) by :class:`CtiReporter` on its own thread, so a slow or absent core
never delays a call. :class:`CallEvents` gives every event the same shape, key for key.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from typing import Callable

import httpx

log = logging.getLogger(__name__)


class CtiReporter:
    """Posts CTI events (docs/contracts.md) to the core from a background thread.

    ``sink`` replaces the HTTP post (tests, or a gateway without a core). Events are retried a
    few times with back-off; the core de-duplicates, so a retry after a lost answer is safe.
    """

    def __init__(self, url: str | None = None, token: str | None = None, *,
                 sink: Callable[[dict], None] | None = None, retries: int = 5, timeout: float = 5.0):
        self.url = url
        self.token = token
        self.sink = sink
        self.retries = retries
        self.timeout = timeout
        self._q: queue.Queue[dict | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.failed = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="cti-reporter", daemon=True)
            self._thread.start()

    def report(self, event: dict) -> None:
        self._q.put(event)

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread is not None:
            self._q.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        client = None
        if self.sink is None and self.url:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            client = httpx.Client(timeout=self.timeout, headers=headers)
        try:
            while True:
                event = self._q.get()
                if event is None:
                    return
                self._deliver(client, event)
        finally:
            if client is not None:
                client.close()

    def _deliver(self, client, event: dict) -> None:
        if self.sink is not None:
            self.sink(event)
            self.sent += 1
            return
        if client is None:
            return
        delay = 0.2
        for attempt in range(self.retries):
            try:
                r = client.post(self.url, json=event)
                if r.status_code < 300:
                    self.sent += 1
                    return
                if 400 <= r.status_code < 500:
                    log.error("CTI event refused (%s): %s %s", r.status_code, event, r.text[:200])
                    self.failed += 1
                    return
            except Exception as exc:  # network errors: retry
                log.warning("CTI event not delivered (attempt %d): %s", attempt + 1, exc)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
        self.failed += 1
        log.error("CTI event dropped after %d attempts: %s", self.retries, event)


class CallEvents:
    """One gateway's CTI events: ``newCall``, ``answer``, ``transfer``, ``hangup`` of a call,
    stamped with the time they happened and the gateway's line. Nothing is built or sent
    without a reporter."""

    def __init__(self, reporter: CtiReporter | None, line: str | None):
        self.reporter = reporter
        self.line = line

    def report(self, event: str, call_id: str, caller: str, called: str, direction: str, *,
               answering: str, cause: str | None = None, transfer_to: str | None = None) -> None:
        """``answering`` is the ``answeringNumber`` of an ``answer`` event."""
        if self.reporter is None:
            return
        body = {"event": event, "callId": call_id, "from": caller, "to": called,
                "direction": direction, "at": dt.datetime.now(dt.timezone.utc).isoformat()}
        if self.line:
            body["line"] = self.line
        if cause:
            body["cause"] = cause
        if event == "answer":
            body["answeringNumber"] = answering
        if transfer_to:
            body["transferTo"] = transfer_to
        self.reporter.report(body)
