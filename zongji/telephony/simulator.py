"""A PBX simulator: plays realistic call events into a running Zongji through its CTI endpoint.

Calls arrive at random (Poisson) at ``rate`` per minute on the lines of a :class:`CallMix` (for
the demo: the demo lines). Each call rings for a few rings; most are answered by an operator and
hung up after a talk time, some are transferred to an extension, some callers give up while it
rings (abandoned), a few are not answered (missed) or meet a busy line. Callers are drawn from a mix of known numbers (for the demo: the general
manager, a VIP guest, customers, room extensions) and random mobiles and landlines.

Events go to ``POST /api/cti/events`` (JSON with the event time ``at``), or with ``zammad=True``
to Zammad's ``POST /api/v1/cti/{token}`` (form-encoded, the way Zammad-compatible PBXs send them).
``speed`` compresses time (10 = ten times faster) for demos and tests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_TOKEN = "demo-cti-token"
RING_SECONDS = 5.0  # one ring cycle, about


@dataclass(frozen=True)
class LineSpec:
    number: str
    code: str | None
    weight: float


@dataclass(frozen=True)
class Scenario:
    """One call's script: what happens and after how many seconds."""

    call_id: str
    line: LineSpec
    caller: str
    direction: str
    ring_seconds: float
    ending: str  # "answered", "transferred", "abandoned", "missed", "busy"
    talk_seconds: float = 0.0
    operator: str | None = None
    transfer_to: str | None = None


@dataclass
class Stats:
    calls: int = 0
    events: int = 0
    errors: Counter = field(default_factory=Counter)
    endings: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class CallMix:
    """Where the simulated calls come in and who makes and answers them. The caller passes it
    in (``zongji simulate calls``: the demo data's lines, known callers and operators,
    :mod:`zongji.demo.simulator`); the default is one line, random callers and one
    operator number."""

    lines: tuple[LineSpec, ...] = (LineSpec("02088886666", None, 1.0),)
    known: tuple[str, ...] = ()  # numbers the directory knows, a quarter of the callers
    operators: tuple[str, ...] = ("1001",)  # work numbers (answeringNumber resolves them to users)


def random_number(rnd: random.Random) -> str:
    if rnd.random() < 0.7:
        return f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
    area = rnd.choice(["020", "021", "010", "0755", "0571"])
    return f"{area}{rnd.randrange(2 * 10**7, 9 * 10**7):08d}"[: len(area) + 8]


def make_scenario(rnd: random.Random, lines: list[LineSpec], known: list[str],
                  operators: list[str]) -> Scenario:
    line = rnd.choices(lines, weights=[ln.weight for ln in lines])[0]
    caller = rnd.choice(known) if known and rnd.random() < 0.25 else random_number(rnd)
    roll = rnd.random()
    rings = rnd.uniform(1, 4)  # usually within 3 rings (R-H1)
    if roll < 0.12:
        ending, rings = "abandoned", rnd.uniform(1, 6)
    elif roll < 0.16:
        ending, rings = "missed", rnd.uniform(6, 9)
    elif roll < 0.18:
        ending, rings = "busy", 0.2
    elif roll < 0.33:
        ending = "transferred"
    else:
        ending = "answered"
    talk = rnd.lognormvariate(4.0, 0.7) if ending in ("answered", "transferred") else 0.0
    return Scenario(
        call_id=f"sim-{uuid.uuid4().hex}", line=line, caller=caller, direction="in",
        ring_seconds=rings * RING_SECONDS, ending=ending, talk_seconds=min(talk, 1800.0),
        operator=rnd.choice(operators) if ending in ("answered", "transferred") else None,
        transfer_to=f"6{rnd.randrange(100, 999)}" if ending == "transferred" else None,
    )


_CAUSES = {"answered": "normalClearing", "transferred": "normalClearing", "abandoned": "cancel",
           "missed": "noAnswer", "busy": "busy"}


def script(s: Scenario) -> list[tuple[float, dict]]:
    """The events of a scenario with their offsets in (simulated) seconds from the first ring."""
    base = {"callId": s.call_id, "from": s.caller, "to": s.line.number, "direction": s.direction}
    out: list[tuple[float, dict]] = [(0.0, {**base, "event": "newCall"})]
    t = s.ring_seconds
    if s.ending in ("answered", "transferred"):
        out.append((t, {**base, "event": "answer", "answeringNumber": s.operator,
                        "user": s.operator}))
        if s.ending == "transferred":
            # The operator listens, asks the caller to hold, and puts the call through (R-H3).
            t += min(20.0, s.talk_seconds / 3)
            out.append((t, {**base, "event": "transfer", "transferTo": s.transfer_to}))
        t += s.talk_seconds
    out.append((t, {**base, "event": "hangup", "cause": _CAUSES[s.ending]}))
    return out


class Simulator:
    def __init__(self, *, url: str = DEFAULT_URL, token: str = DEFAULT_TOKEN, zammad: bool = False,
                 speed: float = 1.0, seed: int | None = None,
                 client: httpx.AsyncClient | None = None,
                 echo: Callable[[str], None] | None = None, mix: CallMix = CallMix()):
        self.url = url.rstrip("/")
        self.token = token
        self.zammad = zammad
        self.speed = max(speed, 0.001)
        self.rnd = random.Random(seed)
        self.lines = list(mix.lines)
        self.known = list(mix.known)
        self.operators = list(mix.operators)
        self.stats = Stats()
        self.refused: PermissionError | None = None
        self._client = client
        self._echo = echo or (lambda _m: None)

    async def _send(self, client: httpx.AsyncClient, event: dict, at: dt.datetime,
                    line_code: str | None) -> None:
        try:
            if self.zammad:
                data = {k: v for k, v in event.items()
                        if k in ("event", "from", "to", "direction", "callId", "cause",
                                 "answeringNumber")}
                if event.get("event") == "transfer":
                    return  # Zammad's generic CTI has no transfer event
                if event.get("user"):
                    data["user[]"] = event["user"]
                r = await client.post(f"{self.url}/api/v1/cti/{self.token}", data=data)
            else:
                # The line is found from the called number, as a PBX would give it.
                body = {**event, "at": at.isoformat()}
                r = await client.post(f"{self.url}/api/cti/events", json=body,
                                      headers={"Authorization": f"Bearer {self.token}"})
        except httpx.HTTPError as exc:
            self.stats.errors[type(exc).__name__] += 1
            return
        self.stats.events += 1
        if r.status_code >= 300:
            self.stats.errors[str(r.status_code)] += 1
            if r.status_code == 401:
                raise PermissionError("the CTI token was refused (401): check --token")

    async def play_call(self, client: httpx.AsyncClient, scenario: Scenario) -> None:
        start = dt.datetime.now(dt.UTC)
        elapsed = 0.0
        try:
            for offset, event in script(scenario):
                await asyncio.sleep(max(0.0, (offset - elapsed) / self.speed))
                elapsed = offset
                await self._send(client, event, start + dt.timedelta(seconds=offset / self.speed),
                                 scenario.line.code)
        except PermissionError as exc:
            self.refused = exc
            return
        self.stats.endings[scenario.ending] += 1

    async def run(self, *, rate: float = 6.0, count: int | None = None,
                  duration: float | None = None) -> Stats:
        """Start calls at ``rate`` per minute until ``count`` calls or ``duration`` seconds."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        client = self._client or httpx.AsyncClient(timeout=30)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + duration if duration else None
        tasks: set[asyncio.Task] = set()
        try:
            while self.refused is None:
                if count is not None and self.stats.calls >= count:
                    break
                if deadline is not None and loop.time() >= deadline:
                    break
                scenario = make_scenario(self.rnd, self.lines, self.known, self.operators)
                self.stats.calls += 1
                self._echo(f"call {self.stats.calls}: {scenario.caller} → {scenario.line.number} "
                           f"({scenario.ending})")
                task = asyncio.create_task(self.play_call(client, scenario))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                gap = self.rnd.expovariate(rate / 60.0) / self.speed
                if count is not None and self.stats.calls >= count:
                    break
                await asyncio.sleep(gap)
            if tasks:
                await asyncio.gather(*tasks)
            if self.refused is not None:
                raise self.refused
        finally:
            for t in tasks:
                t.cancel()
            if self._client is None:
                await client.aclose()
        return self.stats
