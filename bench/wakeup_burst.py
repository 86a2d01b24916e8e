"""Wake-up burst end to end: N wake-ups due at the same instant, L simultaneous lines.

Everything real except the guests: wake-ups booked through zongji.services.wakeups in a database
(SQLite file by default, ``--db-url`` for PostgreSQL), the wake-up dialler
(zongji.worker.wakeup_dialler) with L lines claiming ``wakeup.call`` jobs in due order and
writing the two-phase attempt records, ``zongji sip`` gateway processes (PJSIP; the pjsua2 wheel
carries 4 calls per process, so L lines are ceil(L/4) processes behind a GatewayPool), and one
sipp UAS on loopback playing every room: it answers after 0.3 s and presses 1 about 1 s later.

Printed: time from the due instant to the call being placed (the gateway's INVITE, CallResult
``started_at``) — p50 / p99 / max — next to the ideal for that line count (call i placed at
floor(i / L) × the mean call length, zongji.domain.wakeups.ideal_burst_delays), and outcomes.

    .venv/bin/python -m bench.wakeup_burst --calls 500 --lines 30
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "telephony"))


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--lines", type=int, default=30)
    ap.add_argument("--per-gateway", type=int, default=4, help="calls one zongji sip process carries")
    ap.add_argument("--db-url", default="", help="default: an SQLite file in a temp dir")
    ap.add_argument("--lead-seconds", type=float, default=15.0, help="due this long after booking")
    args = ap.parse_args()

    from sqlalchemy import select

    from wakeup_rig import URI_TEMPLATE, Sipp, free_port, make_rooms
    from zongji.domain.wakeups import ideal_burst_delays
    from zongji.services import wakeups as svc
    from zongji.settings import Settings
    from zongji.store.db import make_engine, make_session_factory, transaction
    from zongji.store.models import utcnow
    from zongji.store.schema import metadata as schema_metadata
    from zongji.store.wakeup_models import Wakeup, WakeupAttempt
    from zongji.telephony.control import GatewayPool, HttpTelephonyClient
    from zongji.telephony.prompts import PromptStore
    from zongji.worker.wakeup_dialler import WakeupDialler

    tmp = Path(tempfile.mkdtemp(prefix="zongji-wakeup-bench-"))
    url = args.db_url or f"sqlite:///{tmp / 'bench.db'}"
    settings = Settings(database_url=url, data_dir=tmp, wakeup_uri_template=URI_TEMPLATE,
                        wakeup_lines=args.lines, wakeup_ring_seconds=20, wakeup_key_seconds=8,
                        wakeup_poll_seconds=0.05)
    engine = make_engine(url)
    schema_metadata.drop_all(engine)
    schema_metadata.create_all(engine)
    factory = make_session_factory(engine)

    procs: list[subprocess.Popen] = []
    sipp = Sipp("answer_dtmf1", tmp, calls=args.calls + 10)
    try:
        n_gw = math.ceil(args.lines / args.per_gateway)
        clients = []
        for _ in range(n_gw):
            port = free_port()
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "zongji.cli", "sip", "--sip-port", "0", "--log-level", "0",
                 "--control-port", str(port), "--max-calls", str(args.per_gateway),
                 "--caller-id", "wakeup"], stdout=open(tmp / f"sip-{port}.log", "wb"),
                stderr=subprocess.STDOUT, env={**os.environ, "ZONGJI_DATA_DIR": str(tmp)}))
            clients.append(HttpTelephonyClient(f"http://127.0.0.1:{port}"))
        deadline = time.monotonic() + 60
        while not all(c.healthy() for c in clients):
            assert time.monotonic() < deadline, "gateways did not start"
            time.sleep(0.2)
        adapter = GatewayPool(clients, lines_each=args.per_gateway)

        now = utcnow()
        make_rooms(lambda: transaction(factory),
                   {str(10000 + i): sipp.port for i in range(1, args.calls + 1)}, now=now)
        due = (now + dt.timedelta(seconds=args.lead_seconds)).replace(microsecond=0)
        store = PromptStore(tmp, sample_rate=settings.wakeup_prompt_rate)
        for m in range(-1, 4):  # the greeting for the minutes of the burst, synthesized ahead
            t = (due + dt.timedelta(minutes=m)).astimezone(settings.tz)
            store.wakeup_prompt(dt.time(t.hour, t.minute), ["zh", "en"], svc.policy_from(settings))
        with transaction(factory) as s:
            for i in range(1, args.calls + 1):
                svc.book(s, svc.Booking(room=str(10000 + i), wake_at=due, readback_confirmed=True),
                         actor="bench", now=now, settings=settings)
        left = (due - utcnow()).total_seconds()
        print(f"{args.calls} wake-ups due at {due.astimezone(settings.tz):%H:%M:%S} "
              f"({left:.1f} s from now), {args.lines} lines on {n_gw} gateway processes")
        assert left > 1, "booking took longer than --lead-seconds; raise it"

        dialler = WakeupDialler(factory, settings, adapter, lines=args.lines, prompts=store)
        stop = threading.Event()
        th = threading.Thread(target=dialler.run_forever, args=(stop,), daemon=True)
        th.start()
        deadline = time.monotonic() + left + 60 + args.calls
        while True:
            with factory() as s:
                open_ = s.scalar(select(Wakeup.id).where(
                    Wakeup.status.not_in(["done", "escalated"])).limit(1))
            if open_ is None:
                break
            assert time.monotonic() < deadline, "burst did not finish"
            time.sleep(0.5)
        stop.set()
        th.join(60)

        with factory() as s:
            rows = list(s.execute(select(WakeupAttempt, Wakeup.wake_at).join(
                Wakeup, Wakeup.id == WakeupAttempt.wakeup_id).where(WakeupAttempt.number == 1)))
            statuses = Counter(w.status for w in s.scalars(select(Wakeup)))
            n_attempts = len(list(s.scalars(select(WakeupAttempt.id))))
        delays = [(a.placed_at - wake).total_seconds() for a, wake in rows if a.placed_at]
        lengths = [(a.ended_at - a.placed_at).total_seconds() for a, _ in rows if a.placed_at]
        outcomes = Counter(a.outcome for a, _ in rows)
        mean_call = statistics.mean(lengths)
        ideal = ideal_burst_delays(len(delays), args.lines, mean_call)
        span = max(delays) - min(delays)
        print(f"placed {len(delays)} first calls ({n_attempts} attempts in all); "
              f"outcomes {dict(outcomes)}; wake-ups {dict(statuses)}")
        print(f"mean call (placed → result recorded) {mean_call:.2f} s; "
              f"throughput {len(delays) / max(span, 1e-9):.1f} calls/s")
        print(f"due → placed  p50 {pct(delays, 50):6.2f} s   p99 {pct(delays, 99):6.2f} s   "
              f"max {max(delays):6.2f} s   first {min(delays):.2f} s")
        print(f"ideal ({args.lines} lines) p50 {pct(ideal, 50):6.2f} s   p99 {pct(ideal, 99):6.2f} s"
              f"   max {max(ideal):6.2f} s")
        sipp_invites = len(sipp.invites())
        print(f"sipp received {sipp_invites} INVITEs for {n_attempts} attempts")
    finally:
        sipp.stop()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        engine.dispose()


if __name__ == "__main__":
    main()
