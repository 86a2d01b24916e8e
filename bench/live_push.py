"""Live push benchmark: from a CTI event's POST to each console's socket (issue 18, point 6).

For each configuration (consoles x server processes, by default 50 x 4 and 200 x 4) on a fresh
PostgreSQL database this

1. creates the schema, an integration token and one console session per console (supervisors:
   every line);
2. starts K real servers (``uvicorn --factory zongji.api.app:app_from_env``, one process each, on
   K ports, so the consoles spread evenly) — once with the wake-ups (after-commit hook + LISTEN/
   NOTIFY, ``feed_safety_poll_seconds`` 1 s) and once as the baseline in the same run and
   conditions: ``ZONGJI_FEED_WAKE_UPS=false`` with ``feed_safety_poll_seconds`` 0.2, i.e. the old
   pure polling; the two modes alternate ``--rounds`` times;
3. opens the N console WebSockets (``/api/live``, round-robin over the servers; consoles of one
   process share its hub, so 200 consoles do not open 200 database connections), then posts
   ``--calls`` calls at ``--rate`` calls/s (newCall, then answer and hangup of the same call a
   little later, round-robin over the servers);
4. measures, for every newCall and every console, the time from just before the POST to the
   socket receiving that call: p50/p95/p99/max over all (call, console) pairs, and the pairs
   never received within ``--timeout``.

One client process (asyncio) posts and reads every socket, so the clocks are the same. Nothing
asserts a time; the figures go in bench/README.md.

Run: ``python -m bench.live_push`` (``--help`` for options); e.g. a quick run:
``python -m bench.live_push --configs 50x4 --calls 40 --rounds 1``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench.cti_ingest import (DEFAULT_PG_ADMIN_URL, EVENTS_PATH, _free_port, _interrupt, _pct,
                              _start_server, _stop_server, _wait_ready)

LIVE_PATH = "/api/live"


def _prepare(url: str, consoles: int) -> tuple[str, list[str]]:
    """Schema, an integration token, and one session token per console."""
    from zongji.services import auth
    from zongji.store.db import make_engine, make_session_factory, transaction
    from zongji.store.schema import metadata as schema_metadata

    auth.use_password_hashing(time_cost=1, memory_kib=1024)
    engine = make_engine(url, pool_size=2)
    schema_metadata.create_all(engine)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as s:
            token = auth.add_integration_token(s, "bench-pbx").token
            auth.create_user(s, username="bench-sup", password="bench-pass-1", role="supervisor")
        sessions = []
        with transaction(factory) as s:
            for _ in range(consoles):
                sessions.append(auth.log_in(s, "bench-sup", "bench-pass-1", hours=12)[1].token)
        return token, sessions
    finally:
        engine.dispose()


@dataclass
class Round:
    mode: str
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    calls: int = 0
    consoles: int = 0


def _call_id(payload: dict) -> str | None:
    return payload.get("externalId") or payload.get("external_id")


async def _console(url: str, cookie: str, sent: dict[str, float], got: list[float],
                   seen: set[str], ready: asyncio.Event, stop: asyncio.Event) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, additional_headers={"Cookie": f"zongji_session={cookie}"},
                       max_size=None, open_timeout=60) as ws:
        ready.set()
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 0.5)
            except asyncio.TimeoutError:
                continue
            now = time.perf_counter()
            msg = json.loads(raw)
            if msg.get("topic") != "call" or not isinstance(msg.get("payload"), dict):
                continue
            cid = _call_id(msg["payload"])
            if cid in sent and cid not in seen:
                seen.add(cid)
                got.append(now - sent[cid])


async def _post(client, base: str, token: str, event: dict) -> None:
    r = await client.post(base + EVENTS_PATH, json=event, headers={"Authorization": f"Bearer {token}"})
    if r.status_code >= 300:
        raise RuntimeError(f"CTI event refused: {r.status_code} {r.text[:200]}")


async def _one_round(mode: str, bases: list[str], token: str, sessions: list[str], *,
                     calls: int, rate: float, timeout: float) -> Round:
    import httpx

    result = Round(mode=mode, calls=calls, consoles=len(sessions))
    sent: dict[str, float] = {}
    per_console: list[list[float]] = [[] for _ in sessions]
    seen: list[set[str]] = [set() for _ in sessions]
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in sessions]
    ws_bases = [b.replace("http://", "ws://") + LIVE_PATH for b in bases]
    tasks = [asyncio.create_task(_console(ws_bases[i % len(bases)], cookie, sent, per_console[i],
                                          seen[i], readies[i], stop))
             for i, cookie in enumerate(sessions)]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
    await asyncio.sleep(1.0)  # every hub past its start
    followups: list[asyncio.Task] = []
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(calls):
            cid = f"lp-{uuid.uuid4().hex[:12]}"
            base = bases[n % len(bases)]
            at = dt.datetime.now(dt.UTC)
            event = {"event": "newCall", "callId": cid, "from": f"139{n:08d}", "to": "4008001234",
                     "direction": "in", "at": at.isoformat()}
            sent[cid] = time.perf_counter()
            await _post(client, base, token, event)

            async def later(cid=cid, at=at, n=n):
                await asyncio.sleep(0.3)
                other = bases[(n + 1) % len(bases)]  # the same call's events over another server
                await _post(client, other, token, {"event": "answer", "callId": cid, "from": f"139{n:08d}",
                                            "to": "4008001234", "direction": "in",
                                            "answeringNumber": "8010",
                                            "at": (at + dt.timedelta(seconds=3)).isoformat()})
                await _post(client, other, token, {"event": "hangup", "callId": cid, "from": f"139{n:08d}",
                                            "to": "4008001234", "direction": "in",
                                            "cause": "normalClearing",
                                            "at": (at + dt.timedelta(seconds=60)).isoformat()})

            followups.append(asyncio.create_task(later()))
            await asyncio.sleep(1.0 / rate)
        await asyncio.gather(*followups)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(len(s) < calls for s in seen):
            await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    for lat, s in zip(per_console, seen):
        result.latencies.extend(lat)
        result.missing += calls - len(s)
    return result


def _servers(url: str, tmp: Path, k: int, wake: bool, app: str) -> tuple[list, list[str]]:
    os.environ["ZONGJI_FEED_WAKE_UPS"] = "true" if wake else "false"
    os.environ["ZONGJI_FEED_SAFETY_POLL_SECONDS"] = "1.0" if wake else "0.2"
    os.environ["ZONGJI_RUN_WORKER_IN_SERVER"] = "false"
    procs, bases = [], []
    try:
        for _ in range(k):
            port = _free_port()
            procs.append(_start_server(url, tmp, port, 1, app))
            bases.append(f"http://127.0.0.1:{port}")
        for p, b in zip(procs, bases):
            _wait_ready(b, p, timeout=120)
    except BaseException:
        for p in procs:
            _stop_server(p)
        raise
    return procs, bases


def run_config(consoles: int, k: int, args) -> list[Round]:
    from sqlalchemy import create_engine, text

    tmp = Path(tempfile.mkdtemp(prefix="zongji-bench-live-"))
    pg_name = f"zongji_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{pg_name}"'))
    url = f"{args.pg_admin_url.rsplit('/', 1)[0]}/{pg_name}"
    rounds: list[Round] = []
    try:
        token, sessions = _prepare(url, consoles)
        for _ in range(args.rounds):
            for mode in ("wake-up", "polling 0.2 s"):
                procs, bases = _servers(url, tmp, k, mode == "wake-up", args.app)
                try:
                    r = asyncio.run(_one_round(mode, bases, token, sessions, calls=args.calls,
                                               rate=args.rate, timeout=args.timeout))
                finally:
                    for p in procs:
                        _stop_server(p)
                rounds.append(r)
                _print_round(consoles, k, r)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        with admin.connect() as c:
            c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = :n"), {"n": pg_name})
            c.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}"'))
        admin.dispose()
    return rounds


def _stats(lat: list[float]) -> tuple[float, float, float, float]:
    s = sorted(lat)
    return (_pct(s, 50) * 1000, _pct(s, 95) * 1000, _pct(s, 99) * 1000,
            (s[-1] * 1000 if s else float("nan")))


def _print_round(consoles: int, k: int, r: Round) -> None:
    p50, p95, p99, mx = _stats(r.latencies)
    print(f"   {consoles} consoles x {k} processes, {r.mode:>13}: {len(r.latencies)} deliveries, "
          f"p50 {p50:.0f}  p95 {p95:.0f}  p99 {p99:.0f}  max {mx:.0f} ms, missing {r.missing}",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", default="50x4,200x4",
                        help="comma-separated CONSOLESxPROCESSES (default 50x4,200x4)")
    parser.add_argument("--calls", type=int, default=100, help="calls per round (default 100)")
    parser.add_argument("--rate", type=float, default=5.0, help="new calls per second (default 5)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternations of wake-up and baseline per config (default 2)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds after the last call before a delivery counts as missing")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL)
    parser.add_argument("--app", default="zongji.api.app:app_from_env")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"== {time.strftime('%Y-%m-%d %H:%M %Z')}, nproc {os.cpu_count()}, "
          f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    table = []
    for spec in [c.strip() for c in args.configs.split(",") if c.strip()]:
        consoles, k = (int(x) for x in spec.lower().split("x"))
        rounds = run_config(consoles, k, args)
        for mode in ("wake-up", "polling 0.2 s"):
            mine = [r for r in rounds if r.mode == mode]
            lat = [x for r in mine for x in r.latencies]
            table.append((consoles, k, mode, len(lat), *_stats(lat), sum(r.missing for r in mine)))
    print()
    print("| consoles x processes | mode | deliveries | p50 ms | p95 ms | p99 ms | max ms | missing |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for consoles, k, mode, n, p50, p95, p99, mx, missing in table:
        print(f"| {consoles} x {k} | {mode} | {n} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {mx:.0f} | {missing} |")
    print(f"load after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 1 if any(row[-1] for row in table) else 0


if __name__ == "__main__":
    sys.exit(main())
