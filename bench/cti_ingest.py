"""CTI ingestion benchmark: events per second and latency through the real server.

For each backend (a fresh SQLite file, a fresh PostgreSQL database) this

1. creates the schema (``zongji.store.migrate.upgrade``) and an integration token;
2. starts the real server: ``uvicorn --factory zongji.api.app:app_from_env`` in a subprocess with
   ``ZONGJI_DATABASE_URL`` pointing at that database;
3. with the server running (idle during the baselines), ``--repeats`` rounds of, interleaved:
   a. the naive bound: ``min(--concurrency, --max-db-connections)`` threads, each on its own
      plain driver connection (sqlite3 / psycopg, the app's durability settings), one INSERT +
      COMMIT per row, for ``--raw-seconds``;
   b. the batched ceiling: one plain driver writer, ``--ceiling-batch`` rows per commit;
   c. the closed loop: ``--concurrency`` connections for ``--duration`` seconds (wrk, or the
      Python client: whole calls in order per client);
   d. with ``--rate R``: the open loop, event k sent at start + k/R whatever came back, latency
      from that scheduled instant (no coordinated omission);
   every load is the documented event mix with ``at`` (70 % newCall → answer → hangup, 20 %
   newCall → hangup, 10 % newCall → answer → transfer → hangup), callers from a pool of 5 000
   each calling from one of 3 numbers, and (wrk and the open loop) several calls open at once
   whose events go out on different connections;
4. prints for each run events/s, p50/p95/p99 latency (until the 2xx answer, i.e. committed) and
   its ratios to the naive bound and to the ceiling measured just before it.

Run: ``python -m bench.cti_ingest`` or ``python bench/cti_ingest.py`` (``--help`` for options).
Nothing here asserts a time; the figures go in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PG_ADMIN_URL = os.environ.get(
    "ZONGJI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
EVENTS_PATH = "/api/cti/events"


# --------------------------------------------------------------------------- client side


@dataclass
class ClientResult:
    latencies: list[float] = field(default_factory=list)  # seconds, 2xx answers only
    errors: dict[str, int] = field(default_factory=dict)  # status or exception name -> count
    calls: int = 0
    ended: float = 0.0  # time.monotonic() (system-wide clock) when the last client stopped


def _call_script(rng: random.Random) -> list[str]:
    """The events of one call, in order: a realistic switchboard mix."""
    roll = rng.random()
    if roll < 0.20:
        return ["newCall", "hangup"]  # abandoned while ringing
    if roll < 0.30:
        return ["newCall", "answer", "transfer", "hangup"]  # put through to an extension
    return ["newCall", "answer", "hangup"]


async def _client_task(client, token: str, deadline: float, seed: int, result: ClientResult) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < deadline:
        call_id = f"bench-{uuid.uuid4().hex}"
        caller = f"139{rng.randrange(5000):05d}{rng.randrange(3):03d}"  # 5 000 callers x 3 numbers
        at = dt.datetime.now(dt.UTC)
        result.calls += 1
        script = _call_script(rng)
        for kind in script:
            event = {"event": kind, "callId": call_id, "from": caller, "to": "02088886666",
                     "direction": "in", "at": at.isoformat()}
            if kind == "answer":
                event["answeringNumber"] = f"80{rng.randrange(10, 40)}"
            elif kind == "transfer":
                event["transferTo"] = f"6{rng.randrange(100, 999)}"
            elif kind == "hangup":
                event["cause"] = "normalClearing" if "answer" in script else "cancel"
            start = time.perf_counter()
            try:
                r = await client.post(EVENTS_PATH, json=event, headers=headers)
            except Exception as exc:  # a refused or dropped connection counts as an error
                key = type(exc).__name__
                result.errors[key] = result.errors.get(key, 0) + 1
                break
            elapsed = time.perf_counter() - start
            if 200 <= r.status_code < 300:
                result.latencies.append(elapsed)
            else:
                key = str(r.status_code)
                result.errors[key] = result.errors.get(key, 0) + 1
                break
            at += dt.timedelta(seconds=rng.uniform(2, 40))
            if time.monotonic() >= deadline:
                break


async def _client_process_main(base_url: str, token: str, tasks: int, start_at: float,
                               deadline: float, seed: int) -> ClientResult:
    import httpx

    result = ClientResult()
    limits = httpx.Limits(max_connections=tasks, max_keepalive_connections=tasks)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        # Every client process starts at the same instant, once all of them are up.
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        await asyncio.gather(*(_client_task(client, token, deadline, seed * 1000 + i, result)
                               for i in range(tasks)))
        result.ended = time.monotonic()
    return result


def _client_process(args: tuple[str, str, int, float, float, int]) -> ClientResult:
    return asyncio.run(_client_process_main(*args))


def run_load(base_url: str, token: str, *, concurrency: int, processes: int,
             duration: float) -> tuple[ClientResult, float]:
    processes = max(1, min(processes, concurrency))
    shares = [concurrency // processes + (1 if i < concurrency % processes else 0)
              for i in range(processes)]
    # Leave time for the client processes to start (spawn imports httpx) before the clock runs.
    start_at = time.monotonic() + (0.2 if processes == 1 else 3.0)
    deadline = start_at + duration
    jobs = [(base_url, token, n, start_at, deadline, i + 1) for i, n in enumerate(shares)]
    if processes == 1:
        results = [_client_process(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            results = pool.map(_client_process, jobs)
    # Until the last answer came back: clients finish the request in flight at the deadline.
    wall = max(r.ended for r in results) - start_at
    total = ClientResult()
    for r in results:
        total.latencies.extend(r.latencies)
        total.calls += r.calls
        for k, v in r.errors.items():
            total.errors[k] = total.errors.get(k, 0) + v
    return total, wall


# --------------------------------------------------------------------------- wrk client

# The Python client costs more CPU per request than the server does, and shares the same two
# cores, so by default the load comes from wrk (C, Debian package "wrk") running this script:
# each request is the next event of a call (newCall → answer → hangup); events of one call may
# overlap on different connections, which the ingestion handles (out-of-order events).
WRK_SCRIPT = r"""
-- The documented mix (70 % newCall -> answer -> hangup, 20 % newCall -> hangup, 10 % newCall ->
-- answer -> transfer -> hangup), each event with its `at`; each thread keeps 4 calls open and
-- sends their events in turn, so the events of one call go out on different connections. Callers
-- come from a pool of 5 000, each calling from one of 3 numbers.
local open = {}
local WINDOW = 4
function setup(thread)
  thread:set("tid", tostring(thread))
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  prefix = args[2] .. "-" .. string.gsub(tid or "t", "[^%w]", "")
  math.randomseed(os.time() + #prefix)
  calls = 0
  counter = 0
end
local function new_call()
  calls = calls + 1
  local roll = math.random()
  local script
  if roll < 0.20 then script = {"newCall", "hangup"}
  elseif roll < 0.30 then script = {"newCall", "answer", "transfer", "hangup"}
  else script = {"newCall", "answer", "hangup"} end
  local caller = math.random(0, 4999)
  return {id = prefix .. "-" .. calls, script = script, pos = 0, start = os.time(),
          from = string.format("139%05d%03d", caller, math.random(0, 2))}
end
request = function()
  counter = counter + 1
  local slot = (counter % WINDOW) + 1
  local c = open[slot]
  if c == nil or c.pos >= #c.script then c = new_call(); open[slot] = c end
  c.pos = c.pos + 1
  local kind = c.script[c.pos]
  local extra = ""
  if kind == "answer" then extra = string.format(',"answeringNumber":"80%02d"', math.random(10, 39))
  elseif kind == "transfer" then extra = string.format(',"transferTo":"6%03d"', math.random(100, 999))
  elseif kind == "hangup" then
    if c.script[2] == "answer" then extra = ',"cause":"normalClearing"' else extra = ',"cause":"cancel"' end
  end
  local at = os.date("!%Y-%m-%dT%H:%M:%SZ", c.start + (c.pos - 1) * 20)
  local body = string.format(
    '{"event":"%s","callId":"%s","from":"%s","to":"02088886666","direction":"in","at":"%s"%s}',
    kind, c.id, c.from, at, extra)
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %.1f %.1f %.1f %.1f\n", summary.requests,
    summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
"""


@dataclass
class WrkResult:
    events: int
    seconds: float
    errors: dict[str, int]
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float


def run_load_wrk(base_url: str, token: str, *, concurrency: int, duration: float,
                 threads: int = 2) -> WrkResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT)
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(duration))}s",
             "--timeout", "10s", "-s", script, base_url + EVENTS_PATH, "--", token,
             uuid.uuid4().hex[:8]],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        os.unlink(script)
    line = next(ln for ln in out.splitlines() if ln.startswith("WRK "))
    requests, micros, status_err, sock_err, p50, p95, p99, mean = line.split()[1:]
    errors = {}
    if int(status_err):
        errors["non-2xx"] = int(status_err)
    if int(sock_err):
        errors["socket"] = int(sock_err)
    return WrkResult(
        events=int(requests) - int(status_err), seconds=int(micros) / 1e6, errors=errors,
        p50_ms=float(p50) / 1000, p95_ms=float(p95) / 1000, p99_ms=float(p99) / 1000,
        mean_ms=float(mean) / 1000,
    )


# --------------------------------------------------------------------------- server and database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare_database(url: str) -> str:
    """Create the models' schema and an integration token; return the token.

    The schema comes from the models (``create_all``) rather than the migrations, so the bench
    also runs while a migration for a new model field is still to be written.
    """
    from zongji.services import auth
    from zongji.store.db import make_engine, make_session_factory, transaction
    from zongji.store.schema import metadata as schema_metadata

    engine = make_engine(url)
    schema_metadata.create_all(engine)
    try:
        with transaction(make_session_factory(engine)) as s:
            return auth.add_integration_token(s, "bench-pbx").token
    finally:
        engine.dispose()


def _start_server(url: str, data_dir: Path, port: int, workers: int,
                  factory: str) -> subprocess.Popen:
    env = {**os.environ, "ZONGJI_DATABASE_URL": url, "ZONGJI_DATA_DIR": str(data_dir)}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", factory,
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
           "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(cmd, env=env, start_new_session=True, preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    """In the server child: get SIGTERM when the bench process dies, however it dies."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:  # not Linux: the finally blocks still stop the server on normal exits
        pass


def _wait_ready(base_url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            r = httpx.get(base_url + "/openapi.json", timeout=2)
            if r.status_code == 200:
                if EVENTS_PATH not in r.json().get("paths", {}):
                    raise RuntimeError(f"the server has no {EVENTS_PATH} endpoint yet")
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s")


def _stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _plain_connect(url: str):
    """A plain DBAPI connection with the settings the app's engine uses (SQLite: WAL,
    synchronous=FULL, busy timeout, explicit BEGIN IMMEDIATE; PostgreSQL: defaults)."""
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.split("///", 1)[-1], timeout=30, isolation_level=None,
                               check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
            conn.execute(f"PRAGMA {pragma}")
        return conn, True
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo), False


_SCRATCH = "bench_scratch"
_PAYLOAD = "x" * 120


def _scratch_table(url: str) -> None:
    conn, sqlite = _plain_connect(url)
    try:
        ddl = (f"CREATE TABLE IF NOT EXISTS {_SCRATCH} (id INTEGER PRIMARY KEY, payload TEXT)" if sqlite
               else f"CREATE TABLE IF NOT EXISTS {_SCRATCH} (id BIGSERIAL PRIMARY KEY, payload TEXT)")
        conn.execute(ddl)
        if not sqlite:
            conn.commit()
    finally:
        conn.close()


def measure_naive_commits(url: str, seconds: float, writers: int) -> float:
    """The naive bound: ``writers`` threads, each on its own plain driver connection, each doing
    one INSERT and one COMMIT per row (durable) for ``seconds``. Rows per second, all writers."""
    import threading

    _scratch_table(url)
    counts = [0] * writers
    start_at = time.perf_counter() + 0.2
    deadline = start_at + seconds

    def writer(i: int) -> None:
        conn, sqlite = _plain_connect(url)
        p = "?" if sqlite else "%s"
        try:
            while time.perf_counter() < start_at:
                time.sleep(0.001)
            while time.perf_counter() < deadline:
                if sqlite:
                    conn.execute("BEGIN IMMEDIATE")
                conn.execute(f"INSERT INTO {_SCRATCH} (payload) VALUES ({p})", (_PAYLOAD,))
                conn.commit() if not sqlite else conn.execute("COMMIT")
                counts[i] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start_at)


def measure_batched_ceiling(url: str, seconds: float, batch: int) -> float:
    """The ceiling: one writer on a plain driver connection inserting ``batch`` rows per commit
    (one executemany + COMMIT). Rows per second: what group commit could reach at best if an
    event cost one row and nothing else."""
    _scratch_table(url)
    conn, sqlite = _plain_connect(url)
    p = "?" if sqlite else "%s"
    rows = [(_PAYLOAD,)] * batch
    n = 0
    try:
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            if sqlite:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(f"INSERT INTO {_SCRATCH} (payload) VALUES ({p})", rows)
                conn.execute("COMMIT")
            else:
                with conn.cursor() as cur:
                    cur.executemany(f"INSERT INTO {_SCRATCH} (payload) VALUES ({p})", rows)
                conn.commit()
            n += batch
        return n / (time.perf_counter() - start)
    finally:
        conn.close()


# --------------------------------------------------------------------------- fixed arrival rate


def _event_stream(rng: random.Random, window: int = 8):
    """The documented mix as one endless stream of events: ``window`` calls open at a time, their
    events in turn (so one call's events go out on different connections), each with its ``at``;
    callers from a pool of 5 000, each calling from one of 3 numbers."""
    open_calls: list[list[dict]] = [[] for _ in range(window)]
    i = 0
    while True:
        slot = i % window
        i += 1
        if not open_calls[slot]:
            call_id = f"bench-{uuid.uuid4().hex}"
            caller = rng.randrange(5000)
            number = f"139{caller:05d}{rng.randrange(3):03d}"
            at = dt.datetime.now(dt.UTC)
            script = _call_script(rng)
            events = []
            for kind in script:
                e = {"event": kind, "callId": call_id, "from": number, "to": "02088886666",
                     "direction": "in", "at": at.isoformat()}
                if kind == "answer":
                    e["answeringNumber"] = f"80{rng.randrange(10, 40)}"
                elif kind == "transfer":
                    e["transferTo"] = f"6{rng.randrange(100, 999)}"
                elif kind == "hangup":
                    e["cause"] = "normalClearing" if "answer" in script else "cancel"
                events.append(e)
                at += dt.timedelta(seconds=rng.uniform(2, 40))
            open_calls[slot] = events
        yield open_calls[slot].pop(0)


async def _fixed_rate_main(base_url: str, token: str, rate: float, duration: float,
                           connections: int) -> ClientResult:
    """Open loop: event k is sent at start + k / rate whether or not earlier ones were answered;
    its latency runs from that scheduled instant (no coordinated omission)."""
    import httpx

    result = ClientResult()
    headers = {"Authorization": f"Bearer {token}"}
    stream = _event_stream(random.Random(7))
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def one(event: dict, due: float) -> None:
            try:
                r = await client.post(EVENTS_PATH, json=event, headers=headers)
            except Exception as exc:
                result.errors[type(exc).__name__] = result.errors.get(type(exc).__name__, 0) + 1
                return
            if 200 <= r.status_code < 300:
                result.latencies.append(time.perf_counter() - due)
            else:
                result.errors[str(r.status_code)] = result.errors.get(str(r.status_code), 0) + 1

        start = time.perf_counter() + 0.1
        total = int(rate * duration)
        tasks = []
        for k in range(total):
            due = start + k / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(next(stream), due)))
        await asyncio.gather(*tasks)
        result.ended = time.perf_counter() - start
        result.calls = total
    return result


def _pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


@dataclass
class Run:
    """One measured ingest run (closed loop or fixed rate)."""
    backend: str
    mode: str  # "closed loop, N connections" or "fixed rate R/s"
    events: int
    seconds: float
    errors: dict[str, int]
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    naive_per_s: float = 0.0  # the naive bound measured just before this run
    ceiling_per_s: float = 0.0  # the batched ceiling measured just before this run

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def ratio_naive(self) -> float:
        return self.events_per_s / self.naive_per_s if self.naive_per_s else 0.0

    @property
    def ratio_ceiling(self) -> float:
        return self.events_per_s / self.ceiling_per_s if self.ceiling_per_s else 0.0


def _closed_loop(backend: str, base_url: str, token: str, args) -> Run:
    mode = f"closed loop, {args.concurrency} connections"
    if args.client == "wrk":
        w = run_load_wrk(base_url, token, concurrency=args.concurrency, duration=args.duration)
        return Run(backend, mode + " (wrk)", w.events, w.seconds, w.errors, w.p50_ms, w.p95_ms,
                   w.p99_ms, w.mean_ms)
    result, wall = run_load(base_url, token, concurrency=args.concurrency,
                            processes=args.processes, duration=args.duration)
    return _run_of(backend, mode + " (python)", result, wall)


def _run_of(backend: str, mode: str, result: ClientResult, wall: float) -> Run:
    lat = sorted(result.latencies)
    return Run(backend, mode, len(lat), wall, result.errors, _pct(lat, 50) * 1000,
               _pct(lat, 95) * 1000, _pct(lat, 99) * 1000,
               statistics.fmean(lat) * 1000 if lat else 0.0)


def run_backend(backend: str, args: argparse.Namespace) -> list[Run]:
    """The server runs throughout; the baselines (naive one-row-per-commit at the same
    concurrency, batched ceiling) are measured on the same database with the server idle,
    interleaved with the ingest runs: naive, ceiling, closed loop, [fixed rate], repeated."""
    from sqlalchemy import create_engine, text

    tmp = Path(tempfile.mkdtemp(prefix=f"zongji-bench-{backend}-"))
    pg_name = None
    admin = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
    elif backend == "postgresql":
        pg_name = f"zongji_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{pg_name}"'))
        url = f"{args.pg_admin_url.rsplit('/', 1)[0]}/{pg_name}"
    else:
        raise SystemExit(f"unknown backend {backend!r}; use sqlite and/or postgresql")
    writers = max(1, min(args.concurrency, args.max_db_connections))
    proc = None
    runs: list[Run] = []
    try:
        token = _prepare_database(url)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        proc = _start_server(url, tmp, port, args.workers, args.app)
        _wait_ready(base_url, proc)
        # Warm up connections and caches; not counted.
        run_load(base_url, token, concurrency=min(4, args.concurrency), processes=1,
                 duration=min(2.0, args.duration / 5))
        for rep in range(args.repeats):
            naive = measure_naive_commits(url, args.raw_seconds, writers)
            ceiling = measure_batched_ceiling(url, args.raw_seconds, args.ceiling_batch)
            print(f"   [{rep + 1}] naive 1 row/commit x {writers} writers: {naive:.0f} rows/s; "
                  f"ceiling {args.ceiling_batch} rows/commit: {ceiling:.0f} rows/s", flush=True)
            todo = [lambda: _closed_loop(backend, base_url, token, args)]
            if args.rate:
                todo.append(lambda: _run_of(
                    backend, f"fixed rate {args.rate:.0f}/s",
                    *_fixed(base_url, token, args)))
            for measure in todo:
                r = measure()
                r.naive_per_s, r.ceiling_per_s = naive, ceiling
                runs.append(r)
                _print_run(r)
    finally:
        if proc is not None:
            _stop_server(proc)
        shutil.rmtree(tmp, ignore_errors=True)
        if admin is not None:
            with admin.connect() as c:
                c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = :n"), {"n": pg_name})
                c.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}"'))
            admin.dispose()
    return runs


def _fixed(base_url: str, token: str, args) -> tuple[ClientResult, float]:
    result = asyncio.run(_fixed_rate_main(base_url, token, args.rate, args.duration,
                                          args.concurrency))
    return result, result.ended


def _print_run(r: Run) -> None:
    print(f"   {r.mode}: {r.events_per_s:.0f} events/s, p50 {r.p50_ms:.1f}  p95 {r.p95_ms:.1f}  "
          f"p99 {r.p99_ms:.1f} ms; x{r.ratio_naive:.2f} naive, x{r.ratio_ceiling:.2f} ceiling"
          + (f"; errors {r.errors}" if r.errors else ""), flush=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0,
                        help="seconds of load per ingest run (default 15)")
    parser.add_argument("--concurrency", type=int, default=32,
                        help="concurrent connections of the closed loop (default 32)")
    parser.add_argument("--client", choices=("wrk", "python"),
                        default="wrk" if shutil.which("wrk") else "python",
                        help="closed-loop load generator: wrk (default when installed; light, in "
                             "C) or the Python client (whole calls in order per client, heavier)")
    parser.add_argument("--processes", type=int, default=2,
                        help="client processes of the Python closed loop (default 2)")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="also a fixed-arrival-rate run at this many events/s (open loop, "
                             "Python client; 0: none, the default)")
    parser.add_argument("--workers", type=int, default=1,
                        help="uvicorn worker processes of the server (default 1)")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default both)")
    parser.add_argument("--repeats", type=int, default=2,
                        help="rounds of baselines + ingest runs, interleaved (default 2)")
    parser.add_argument("--raw-seconds", type=float, default=3.0,
                        help="seconds of each baseline measurement (default 3)")
    parser.add_argument("--max-db-connections", type=int, default=16,
                        help="most writers of the naive baseline (its concurrency is "
                             "min(--concurrency, this); PostgreSQL allows 100 connections in all)")
    parser.add_argument("--ceiling-batch", type=int, default=200,
                        help="rows per commit of the batched ceiling (default 200)")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL,
                        help="PostgreSQL URL used to create and drop the throw-away database")
    parser.add_argument("--app", default="zongji.api.app:app_from_env",
                        help="uvicorn app factory (default zongji.api.app:app_from_env)")
    args = parser.parse_args(argv)
    # A SIGTERM (e.g. from `timeout`) unwinds like Ctrl+C, so servers and databases are cleaned up.
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"== {time.strftime('%Y-%m-%d %H:%M %Z')}, nproc {os.cpu_count()}, load "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)

    runs: list[Run] = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        print(f"== {backend}: {args.duration:.0f} s per run, {args.repeats} round(s), server "
              f"workers {args.workers}", flush=True)
        runs += run_backend(backend, args)

    print()
    print("| backend | load | events/s | p50 ms | p95 ms | p99 ms | naive rows/s | × naive "
          "| ceiling rows/s | × ceiling | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in runs:
        errors = ", ".join(f"{k}: {v}" for k, v in r.errors.items()) or "none"
        print(f"| {r.backend} | {r.mode} | {r.events_per_s:.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | "
              f"{r.p99_ms:.1f} | {r.naive_per_s:.0f} | {r.ratio_naive:.2f} | {r.ceiling_per_s:.0f} | "
              f"{r.ratio_ceiling:.2f} | {errors} |")
    print(f"load after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 1 if any(r.errors for r in runs) or not all(r.events for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
