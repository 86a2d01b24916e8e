"""A hotel PMS emulator speaking FIAS over TCP (issue 16 point 7): the PMS side of the contract,
written from the published specification, for the tests and the demo.

It behaves as a PMS does: it sends LS when the link opens (and ignores the partner's own LS),
reads the partner's description (LD, LRs, LA) and answers every LA with LA; it answers a database
resync request DR with DS, a GI for each in-house guest, and DE; it answers each posting PS with
PA (posting it to the folio once per posting number); its front desk checks guests in
and out (GI / GC / GO), books and clears wake-ups (WR / WC) and switches DND and the message lamp
(RE). Every record each way is kept in ``conversation`` (``(">", text)`` sent by the PMS,
``("<", text)`` received), the recorded conversation of a scenario.

Run it by hand against ``zongji fias``: ``python -m zongji.demo.fias_pms --port 5010`` (it listens;
``--connect HOST:PORT`` to dial instead), then type records such as ``GI|RN1208|G#77|GNLi|``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from zongji.domain.fias.framing import Deframer, frame
from zongji.domain.fias.link import described_records
from zongji.domain.fias.records import Record, format_record, parse_record

Predicate = Callable[[Record], bool]


HOTEL_TZ = ZoneInfo("Asia/Shanghai")


def _stamp(tz: ZoneInfo = HOTEL_TZ) -> tuple[tuple[str, str], tuple[str, str]]:
    now = dt.datetime.now(tz)  # a PMS stamps records with the hotel's local time
    return ("DA", now.strftime("%y%m%d")), ("TI", now.strftime("%H%M%S"))


class FiasPms:
    def __init__(self, *, encoding: str = "utf-8"):
        self.encoding = encoding
        self.guests: dict[str, dict[str, str]] = {}  # reservation → GI fields (in house)
        self.received: list[Record] = []
        self.conversation: list[tuple[str, str]] = []
        self.description: dict[str, tuple[str, ...]] = {}
        self.answer_la = True  # False: the PMS stops answering LA (a hung PMS)
        # Postings: every PS received is answered with PA (``answer_postings`` False: no answer);
        # rooms in ``refuse_rooms`` are answered NG (guest not found). ``folio``: the postings
        # written to folios, by P# — a PS repeated with the same P# is not posted twice.
        self.answer_postings = True
        self.refuse_rooms: set[str] = set()
        self.folio: dict[str, Record] = {}
        self.connections = 0
        self.port: int | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._changed = asyncio.Condition()
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    # ------------------------------------------------------------------ connection

    async def listen(self, host: str = "127.0.0.1", port: int = 0) -> int:
        self._server = await asyncio.start_server(self._handle, host, port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def connect(self, host: str, port: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        task = asyncio.create_task(self._handle(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for t in list(self._tasks):
            t.cancel()

    @property
    def connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    def drop(self) -> None:
        """Break the link at once (no LE), as a pulled cable or a crashed PMS does."""
        if self._writer is not None:
            self._writer.transport.abort()
            self._writer = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._writer is not None:
            self.drop()
        self._writer = writer
        self.connections += 1
        await self._notify()
        deframer = Deframer()
        try:
            self._send_now(Record.build("LS", *_stamp()))
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                for raw in deframer.feed(data):
                    await self._on_record(parse_record(raw.decode(self.encoding, errors="replace")), writer)
        except (ConnectionError, OSError):
            pass
        finally:
            if self._writer is writer:
                self._writer = None
            writer.close()
            await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ protocol

    async def _on_record(self, rec: Record, writer: asyncio.StreamWriter) -> None:
        self.received.append(rec)
        self.conversation.append(("<", format_record(rec)))
        if rec.kind == "LR":
            self.description.update(described_records([rec]))
        elif rec.kind == "LA" and self.answer_la and self._writer is writer:
            self._send_now(Record.build("LA", *_stamp()))
        elif rec.kind == "PS" and self.answer_postings and self._writer is writer:
            seq, room = rec.get("P#") or "", rec.get("RN") or ""
            status = "NG" if room in self.refuse_rooms else "OK"
            if status == "OK":
                self.folio.setdefault(seq, rec)
            self._send_now(Record.build("PA", ("RN", room), ("P#", seq), ("AS", status), *_stamp()))
        elif rec.kind == "DR" and self._writer is writer:
            self._send_now(Record.build("DS", *_stamp()))
            for fields in self.guests.values():
                self._send_now(Record.build("GI", *fields.items(), *_stamp()))
            self._send_now(Record.build("DE", *_stamp()))
        await self._notify()

    def _send_now(self, rec: Record) -> None:
        if self._writer is None:
            raise ConnectionError("the link is down")
        text = format_record(rec)
        self.conversation.append((">", text))
        self._writer.write(frame(text.encode(self.encoding)))

    async def send(self, rec: Record) -> None:
        self._send_now(rec)
        await self._writer.drain()

    async def send_cut(self, rec: Record) -> None:
        """Send the first half of a record, then break the link (a record cut mid-way)."""
        data = frame(format_record(rec).encode(self.encoding))
        self.conversation.append((">", format_record(rec)[: len(data) // 2] + " …cut"))
        self._writer.write(data[: len(data) // 2])
        await self._writer.drain()
        self.drop()

    # ------------------------------------------------------------------ the front desk

    def _guest_fields(self, reservation: str, room: str, name: str, **more: str) -> dict[str, str]:
        fields = {"RN": room, "G#": reservation, "GN": name}
        fields.update(more)
        return fields

    async def check_in(self, reservation: str, room: str, name: str, *, send: bool = True, **more: str) -> None:
        """A guest checks in (``more``: other GI fields, e.g. GL="EA", GV="1", SF="Y", GD="261206").
        ``send=False``: while the link is down (the GI never goes out; a resync names the guest)."""
        self.guests[reservation] = self._guest_fields(reservation, room, name, **more)
        if send:
            await self.send(Record.build("GI", *self.guests[reservation].items(), *_stamp()))

    async def change(self, reservation: str, *, send: bool = True, **fields: str) -> None:
        g = self.guests[reservation]
        old_room = g["RN"]
        g.update(fields)
        extra = [("RO", old_room)] if fields.get("RN") and fields["RN"] != old_room else []
        if send:
            await self.send(Record.build("GC", *g.items(), *extra, *_stamp()))

    async def check_out(self, reservation: str, *, send: bool = True) -> None:
        g = self.guests.pop(reservation)
        if send:
            await self.send(Record.build("GO", ("RN", g["RN"]), ("G#", reservation), *_stamp()))

    async def wakeup(self, room: str, at: dt.datetime, *, clear: bool = False) -> None:
        await self.send(Record.build("WC" if clear else "WR", ("RN", room), ("DA", at.strftime("%y%m%d")),
                                     ("TI", at.strftime("%H%M%S"))))

    async def equipment(self, room: str, *, dnd: bool | None = None, lamp: bool | None = None) -> None:
        await self.send(Record.build("RE", ("RN", room), ("DN", None if dnd is None else "YN"[not dnd]),
                                     ("ML", None if lamp is None else "YN"[not lamp]), *_stamp()))

    # ------------------------------------------------------------------ waiting (tests)

    async def wait_for(self, predicate: Predicate, *, count: int = 1, timeout: float = 10.0) -> list[Record]:
        """The received records matching ``predicate`` once there are ``count`` of them."""
        async def cond() -> list[Record]:
            async with self._changed:
                while True:
                    hits = [r for r in self.received if predicate(r)]
                    if len(hits) >= count:
                        return hits
                    await self._changed.wait()
        return await asyncio.wait_for(cond(), timeout)

    async def wait_connected(self, *, connections: int = 1, timeout: float = 10.0) -> None:
        async def cond() -> None:
            async with self._changed:
                while not (self.connected and self.connections >= connections):
                    await self._changed.wait()
        await asyncio.wait_for(cond(), timeout)


async def _main() -> None:  # pragma: no cover - by hand
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=5010)
    ap.add_argument("--connect", help="HOST:PORT of `zongji fias --mode server`")
    args = ap.parse_args()
    pms = FiasPms()
    if args.connect:
        host, port = args.connect.rsplit(":", 1)
        await pms.connect(host, int(port))
    else:
        print(f"PMS emulator listening on port {await pms.listen(port=args.port)}")
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, input, "record> ")).strip()
        if line:
            try:
                await pms.send(parse_record(line))
            except Exception as exc:  # noqa: BLE001 - a console
                print(f"not sent: {exc}")
        for direction, text in pms.conversation[-10:]:
            print(direction, text)


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(_main())
