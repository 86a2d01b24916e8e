"""CTI ingestion benchmark: events per second and latency through the real server.

For each backend (a fresh SQLite file, a fresh PostgreSQL database) this

1. creates the schema (``zongji.store.migrate.upgrade``) and an integration token;
2. starts the real server: ``uvicorn --factory zongji.api.app:app_from_env`` in a subprocess with
   ``ZONGJI_DATABASE_URL`` pointing at that database;
3. fires CTI events (``POST /api/cti/events``, JSON form, Bearer token) from ``--concurrency``
   clients for ``--duration`` seconds, spread over ``--processes`` client processes. Each client
   plays whole calls in order: newCall → answer → hangup for most, newCall → hangup (abandoned)
   for some, newCall → answer → transfer → hangup for others;
4. prints events/s and p50/p95/p99 latency. Latency runs until the 2xx answer, which means the
   event is committed (durable);
5. stops the server and measures, on the same database with the same engine settings, the rate of
   durable single-row inserts (one INSERT + COMMIT per row, one writer), and prints the ratio.

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
        caller = f"13{rng.randrange(10**9):09d}"
        at = dt.datetime.now(dt.UTC)
        result.calls += 1
        script = _call_script(rng)
        for kind in script:
            event = {"event": kind, "callId": call_id, "from": caller, "to": "4008001234",
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
local counter = 0
local kinds = {"newCall", "answer", "hangup"}
function setup(thread)
  thread:set("tid", tostring(thread))
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  prefix = args[2] .. "-" .. string.gsub(tid or "t", "[^%w]", "")
end
request = function()
  counter = counter + 1
  local call = math.floor((counter - 1) / 3)
  local kind = kinds[((counter - 1) % 3) + 1]
  local extra = ""
  if kind == "hangup" then extra = ',"cause":"normalClearing"' end
  local body = string.format(
    '{"event":"%s","callId":"%s-%d","from":"1380013%04d","to":"02088886666","direction":"in"%s}',
    kind, prefix, call, call % 10000, extra)
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


def measure_raw_inserts(url: str, seconds: float) -> float:
    """Durable single-row inserts per second: one INSERT and one COMMIT per row, one writer,
    the engine settings the app uses (SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE)."""
    from sqlalchemy import Column, Integer, MetaData, String, Table, insert

    from zongji.store.db import make_engine, make_session_factory, transaction

    engine = make_engine(url)
    meta = MetaData()
    scratch = Table("bench_scratch", meta, Column("id", Integer, primary_key=True),
                    Column("payload", String(200)))
    meta.create_all(engine)
    factory = make_session_factory(engine)
    try:
        rows = 0
        payload = "x" * 120
        start = time.perf_counter()
        deadline = start + seconds
        while time.perf_counter() < deadline:
            with transaction(factory) as s:
                s.execute(insert(scratch).values(payload=payload))
            rows += 1
        elapsed = time.perf_counter() - start
        meta.drop_all(engine)
    finally:
        engine.dispose()
    return rows / elapsed


def _pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


@dataclass
class BackendFigures:
    backend: str
    events: int
    calls: int
    seconds: float
    errors: dict[str, int]
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    raw_inserts_per_s: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def ratio(self) -> float:
        return self.events_per_s / self.raw_inserts_per_s if self.raw_inserts_per_s else 0.0


def run_backend(backend: str, args: argparse.Namespace) -> BackendFigures:
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
    proc = None
    try:
        token = _prepare_database(url)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        proc = _start_server(url, tmp, port, args.workers, args.app)
        _wait_ready(base_url, proc)
        # Warm up connections and caches; not counted.
        run_load(base_url, token, concurrency=min(4, args.concurrency), processes=1,
                 duration=min(2.0, args.duration / 5))
        if args.client == "wrk":
            wrk = run_load_wrk(base_url, token, concurrency=args.concurrency,
                               duration=args.duration)
        else:
            result, wall = run_load(base_url, token, concurrency=args.concurrency,
                                    processes=args.processes, duration=args.duration)
        _stop_server(proc)
        proc = None
        raw = measure_raw_inserts(url, args.raw_seconds)
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
    if args.client == "wrk":
        return BackendFigures(
            backend=backend, events=wrk.events, calls=wrk.events // 3, seconds=wrk.seconds,
            errors=wrk.errors, p50_ms=wrk.p50_ms, p95_ms=wrk.p95_ms, p99_ms=wrk.p99_ms,
            mean_ms=wrk.mean_ms, raw_inserts_per_s=raw,
        )
    lat = sorted(result.latencies)
    return BackendFigures(
        backend=backend, events=len(lat), calls=result.calls, seconds=wall,
        errors=result.errors, p50_ms=_pct(lat, 50) * 1000, p95_ms=_pct(lat, 95) * 1000,
        p99_ms=_pct(lat, 99) * 1000, mean_ms=(statistics.fmean(lat) * 1000 if lat else 0.0),
        raw_inserts_per_s=raw,
    )


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0,
                        help="seconds of load per backend (default 15)")
    parser.add_argument("--concurrency", type=int, default=32,
                        help="concurrent clients, each playing calls in order (default 32)")
    parser.add_argument("--client", choices=("wrk", "python"),
                        default="wrk" if shutil.which("wrk") else "python",
                        help="load generator: wrk (default when installed; light, in C) or the "
                             "Python client (whole calls in order per client, heavier)")
    parser.add_argument("--processes", type=int, default=2,
                        help="client processes the clients are spread over (default 2)")
    parser.add_argument("--workers", type=int, default=1,
                        help="uvicorn worker processes of the server (default 1)")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default both)")
    parser.add_argument("--raw-seconds", type=float, default=5.0,
                        help="seconds of raw single-row inserts per backend (default 5)")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL,
                        help="PostgreSQL URL used to create and drop the throw-away database")
    parser.add_argument("--app", default="zongji.api.app:app_from_env",
                        help="uvicorn app factory (default zongji.api.app:app_from_env)")
    args = parser.parse_args(argv)
    # A SIGTERM (e.g. from `timeout`) unwinds like Ctrl+C, so servers and databases are cleaned up.
    signal.signal(signal.SIGTERM, _interrupt)

    figures = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        print(f"== {backend}: {args.concurrency} clients in {args.processes} process(es), "
              f"{args.duration:.0f} s, server workers {args.workers}", flush=True)
        f = run_backend(backend, args)
        figures.append(f)
        print(f"   events accepted   {f.events} in {f.seconds:.1f} s ({f.calls} calls)")
        print(f"   events/s          {f.events_per_s:.0f}")
        print(f"   latency ms        p50 {f.p50_ms:.1f}  p95 {f.p95_ms:.1f}  p99 {f.p99_ms:.1f}"
              f"  mean {f.mean_ms:.1f}")
        if f.errors:
            print(f"   errors            {f.errors}")
        print(f"   raw durable inserts/s (1 row per commit, 1 writer)  {f.raw_inserts_per_s:.0f}")
        print(f"   ratio events/s ÷ raw inserts/s                      {f.ratio:.2f}", flush=True)

    print()
    print("| backend | events/s | p50 ms | p95 ms | p99 ms | raw inserts/s | ratio | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for f in figures:
        errors = ", ".join(f"{k}: {v}" for k, v in f.errors.items()) or "none"
        print(f"| {f.backend} | {f.events_per_s:.0f} | {f.p50_ms:.1f} | {f.p95_ms:.1f} | "
              f"{f.p99_ms:.1f} | {f.raw_inserts_per_s:.0f} | {f.ratio:.2f} | {errors} |")
    return 1 if any(f.errors for f in figures) or not all(f.events for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
