"""The FIAS link to the hotel's PMS (issue 16): an asyncio TCP client or server, run by
``zongji fias`` in its own process (and started by the tests on port 0).

The conversation (zongji.domain.fias.link): Zongji sends LS when connected; to every LS from
the PMS it answers with its description (LD, LRs, LA); the PMS's LA answer means the link is up,
and Zongji then asks for a database resync (DR) so whatever happened while it was down is
reconciled. Link alive: Zongji sends LA when it sent nothing for ``fias_alive_seconds``, answers
every LA the PMS sends, and drops the link when nothing came for ``fias_dead_seconds``; it
reconnects (client) or waits for the PMS (server) with a doubling back-off.

Nothing is lost across a broken link:
- a received record is applied and committed in one transaction before the next is read
  (services.fias.inbound); a record cut by a dropped link is never applied (the deframer
  drops it), and the resync on reconnect restores what the PMS could not send;
- records for the PMS wait in the outbox; a batch is written followed by an LA, and marked sent
  only when the PMS's LA answer arrives — the PMS reads in order, so it has read the batch. A
  batch without that answer (link dropped, process killed) is sent again, in order, on the next
  link: a record is never lost; in that one window it may arrive twice (RE, WA, WR are state
  reports the PMS applies idempotently).
- postings (PS) are answered one by one by the PMS (PA); one sent and not answered when the link
  drops is sent again, with the same posting number, when the link is back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from zongji.domain.fias import link as link_rules
from zongji.domain.fias.framing import Deframer, frame
from zongji.domain.fias.records import Record, RecordError, format_record, parse_record
from zongji.errors import ZongjiError
from zongji.services.fias import equipment, inbound, link_status, outbox, postings, wakeups
from zongji.settings import Settings
from zongji.store.db import transaction
from zongji.store.models import utcnow

log = logging.getLogger(__name__)

BATCH = 50


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Wait for ``event`` at most ``seconds``; True if it was set. (``asyncio.timeout``, not
    ``wait_for``, which on Python 3.11 can swallow the cancellation that stops a link.)"""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
        return True
    except TimeoutError:
        return False


class LinkDropped(Exception):
    """The connection ended or must be dropped."""


class FiasLink:
    def __init__(self, session_factory: sessionmaker[Session], settings: Settings, *,
                 clock: Callable[[], dt.datetime] = utcnow):
        self.sf = session_factory
        self.settings = settings
        self.clock = clock
        self.up = asyncio.Event()  # set while the link is up (tests wait on it)
        self.port: int | None = None  # the bound port in server mode
        self.listening = asyncio.Event()
        self.records_in = 0
        self._conn: _Conversation | None = None
        self._db_lock = asyncio.Lock()

    # ------------------------------------------------------------------ database, off the loop

    async def db(self, fn, *args):
        """One transaction in a thread. The link's transactions run one at a time: a record
        received (which may set what the PMS last heard of a room) and the sender's comparison
        of rooms must not interleave (on PostgreSQL each statement sees the latest commit)."""
        def run():
            with transaction(self.sf) as s:
                return fn(s, *args)
        async with self._db_lock:
            return await asyncio.to_thread(run)

    # ------------------------------------------------------------------ running

    async def run(self, stop: asyncio.Event) -> None:
        if self.settings.fias_mode == "server":
            await self._serve(stop)
        else:
            await self._connect_loop(stop)

    async def _connect_loop(self, stop: asyncio.Event) -> None:
        backoff = self.settings.fias_backoff_seconds
        s = self.settings
        while not stop.is_set():
            peer = f"{s.fias_host}:{s.fias_port}"
            error = None
            try:
                await self.db(lambda ses: link_status.connecting(ses, mode="client", peer=peer, now=self.clock(),
                                                                  settings=s))
                async with asyncio.timeout(s.fias_dead_seconds):
                    reader, writer = await asyncio.open_connection(s.fias_host, s.fias_port)
                conv = _Conversation(self, reader, writer)
                went_up = await conv.run(stop)
                error = conv.error
                if went_up:
                    backoff = s.fias_backoff_seconds
            except (OSError, TimeoutError) as exc:
                error = f"connect {peer}: {exc!r}"
            await self._down(error)
            if stop.is_set():
                break
            await _wait(stop, backoff)
            backoff = min(backoff * 2, s.fias_backoff_max_seconds)

    async def _serve(self, stop: asyncio.Event) -> None:
        s = self.settings

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if self._conn is not None:
                self._conn.close("replaced by a new connection from the PMS")
            conv = _Conversation(self, reader, writer)
            self._conn = conv
            peer = writer.get_extra_info("peername")
            await self.db(lambda ses: link_status.connecting(ses, mode="server", peer=str(peer), now=self.clock(),
                                                              settings=s))
            await conv.run(stop)
            if self._conn is conv:
                self._conn = None
                await self._down(conv.error)

        server = await asyncio.start_server(handle, s.fias_host, s.fias_port)
        self.port = server.sockets[0].getsockname()[1]
        self.listening.set()
        await self.db(lambda ses: link_status.down(ses, error=None, now=self.clock(), settings=s))
        async with server:
            while not stop.is_set():
                if not await _wait(stop, s.fias_poll_seconds):
                    if self._conn is None:
                        await self.db(lambda ses: link_status.check_alert(ses, now=self.clock(), settings=s))
            if self._conn is not None:
                self._conn.close("stopping")
        await self._down("stopped")

    async def _down(self, error: str | None) -> None:
        self.up.clear()
        s = self.settings
        try:
            await self.db(lambda ses: link_status.down(ses, error=error, now=self.clock(), settings=s))
            await self.db(lambda ses: link_status.check_alert(ses, now=self.clock(), settings=s))
        except SQLAlchemyError:
            log.exception("fias: cannot record the link's status")


class _Conversation:
    """One TCP connection with the PMS."""

    def __init__(self, link: FiasLink, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.link, self.reader, self.writer = link, reader, writer
        self.settings = link.settings
        self.tz = link.settings.tz
        self.deframer = Deframer()
        self.described = False
        self.is_up = False
        self.awaiting_la = False
        self.in_flight: list[int] = []  # outbox ids written, waiting for the PMS's LA answer
        self.last_sent = asyncio.get_running_loop().time()
        self.wake = asyncio.Event()
        self.closed = asyncio.Event()
        self.error: str | None = None

    def close(self, why: str) -> None:
        self.error = self.error or why
        self.closed.set()
        self.writer.close()

    async def send(self, rec: Record) -> None:
        self.writer.write(frame(format_record(rec).encode(self.settings.fias_encoding, errors="replace")))
        await self.writer.drain()
        self.last_sent = asyncio.get_running_loop().time()

    async def send_la(self) -> None:
        self.awaiting_la = True
        await self.send(link_rules.link_record("LA", self.link.clock(), self.tz))

    async def run(self, stop: asyncio.Event) -> bool:
        tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._send_loop()),
                 asyncio.create_task(stop.wait()), asyncio.create_task(self.closed.wait())]
        try:
            await self.send(link_rules.link_record("LS", self.link.clock(), self.tz))
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for t in done:
                if not t.cancelled() and t.exception() is not None:
                    exc = t.exception()
                    self.error = self.error or f"{type(exc).__name__}: {exc}"
            if stop.is_set() and not self.closed.is_set():
                try:
                    await self.send(link_rules.link_record("LE", self.link.clock(), self.tz))
                except OSError:
                    pass
                self.error = self.error or "stopped"
        except OSError as exc:
            self.error = self.error or f"{type(exc).__name__}: {exc}"
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (OSError, asyncio.CancelledError):
                pass
            self.link.up.clear()
        return self.is_up

    # ------------------------------------------------------------------ receiving

    async def _read(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.settings.fias_dead_seconds):
                    data = await self.reader.read(65536)
            except TimeoutError:
                raise LinkDropped(f"nothing from the PMS for {self.settings.fias_dead_seconds:g} s") from None
            if not data:
                raise LinkDropped("the PMS closed the connection")
            for raw in self.deframer.feed(data):
                await self._on_frame(raw)

    async def _on_frame(self, raw: bytes) -> None:
        text = raw.decode(self.settings.fias_encoding, errors="replace")
        try:
            rec = parse_record(text)
        except RecordError as exc:
            log.warning("fias: unreadable record %r: %s", text, exc)
            await self.link.db(link_status.note_error, f"unreadable record {text[:200]!r}: {exc}")
            return
        if rec.kind in link_rules.LINK_RECORDS:
            await self._on_link_record(rec)
            return
        now = self.link.clock()
        try:
            await self.link.db(lambda s: inbound.apply(s, rec, now, self.settings))
            self.link.records_in += 1
        except (RecordError, ZongjiError) as exc:
            log.warning("fias: %s refused: %s", text, exc)
            await self.link.db(link_status.note_error, f"{text[:200]}: {exc}")
        # Anything else (the database is unreachable …) drops the link: the record was not
        # committed, and the resync after reconnecting brings it back.
        self.wake.set()

    async def _on_link_record(self, rec: Record) -> None:
        if rec.kind == "LS":
            self.awaiting_la = True
            for r in link_rules.description(self.link.clock(), self.tz):
                await self.send(r)
            self.described = True
        elif rec.kind == "LA":
            # The heartbeat the worker's watch reads (services.fias.link_status.watch).
            heard = self.link.clock()
            await self.link.db(lambda s: link_status.traffic(s, received=heard))
            if self.awaiting_la:
                self.awaiting_la = False
                if self.described and not self.is_up:
                    await self._went_up()
                elif self.in_flight:
                    # The batch stays in flight until it is marked sent: the sender must not
                    # pick it up again meanwhile.
                    ids, now = list(self.in_flight), self.link.clock()
                    await self.link.db(lambda s: (outbox.mark_sent(s, ids, now), link_status.traffic(s, sent=now)))
                    self.in_flight = []
                    self.wake.set()
            else:
                await self.send(link_rules.link_record("LA", self.link.clock(), self.tz))
        elif rec.kind == "LE":
            raise LinkDropped("the PMS ended the link (LE)")

    async def _went_up(self) -> None:
        self.is_up = True
        now = self.link.clock()
        # Postings sent on a previous link and never answered go again (same P#).
        await self.link.db(lambda s: (link_status.up(s, now=now, settings=self.settings),
                                      postings.requeue_unanswered(s)))
        if self.settings.fias_resync_on_connect:
            await self.send(link_rules.resync_request(now, self.tz))
        self.link.up.set()
        self.wake.set()

    # ------------------------------------------------------------------ sending

    def _collect(self, s: Session) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """The outbox's next batch, and the postings due (marked sent: their PA answers them)."""
        now = self.link.clock()
        wakeups.report_answers(s, now, self.settings)
        equipment.report_changes(s, now, self.settings)
        return outbox.pending(s, limit=BATCH), postings.records_to_send(s, now, self.settings)

    async def _send_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await _wait(self.wake, self.settings.fias_poll_seconds)
            self.wake.clear()
            if not self.is_up:
                continue
            if not self.in_flight and not self.awaiting_la:
                batch, posts = await self.link.db(self._collect)
                if batch or posts:
                    for _, text in batch + posts:
                        self.writer.write(frame(text.encode(self.settings.fias_encoding, errors="replace")))
                    self.in_flight = [i for i, _ in batch]
                    await self.send_la()  # its answer confirms the outbox's batch
                    continue
            if loop.time() - self.last_sent >= self.settings.fias_alive_seconds and not self.awaiting_la:
                await self.send_la()
