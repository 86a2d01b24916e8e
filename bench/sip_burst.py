"""Wake-up burst over real SIP: N wake-ups due at the same instant, L simultaneous lines.

A sipp UAS on loopback plays every room: it answers after 0.3 s and presses 1 (RFC 2833) about
1 s later. The pjsua2 wheel carries at most 4 simultaneous calls per process, so L lines are
ceil(L / 4) ``zongji sip`` processes behind a ``GatewayPool`` (``zongji.telephony.control``),
exactly as in production. L dialler threads take the wake-ups in due-time order
(``zongji.domain.wakeups.burst_order``); each keeps one line busy until its call has ended.

Printed: time from the due instant to the INVITE leaving (the gateways' newCall events, which
carry the time the call was started) — p50/p99/max — next to the ideal for that line count
(call i placed at floor(i / L) × the mean call length), calls per second and the outcomes.
No database here: this measures the SIP side of the burst.

    .venv/bin/python -m bench.sip_burst --calls 500 --lines 30
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from zongji.domain.wakeups import burst_order, ideal_burst_delays
from zongji.telephony.prompts import PromptStore
from zongji.telephony.control import GatewayPool, HttpTelephonyClient

SCENARIO = Path(__file__).resolve().parent.parent / "tests" / "telephony" / "sipp" / "answer_dtmf1.xml"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _EventSink:
    """Stands in for the core's CTI endpoint: notes when each call was placed."""

    def __init__(self, placed: dict[str, float], lock: threading.Lock):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):  # noqa: N802
                ev = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                if ev.get("event") == "newCall":
                    with lock:
                        placed[ev["callId"]] = dt.datetime.fromisoformat(ev["at"]).timestamp()
                body = b'{"accepted": true, "duplicate": false, "call_id": 0}'
                self.send_response(202)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--lines", type=int, default=30)
    ap.add_argument("--ring-timeout", type=float, default=20)
    args = ap.parse_args(argv)
    if shutil.which("sipp") is None:
        print("sipp (Debian sip-tester) is needed", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="zongji-sip-burst-"))
    prompt = str(PromptStore(work).synthesize("Good morning.", "en"))
    port, mport = _free_udp_port(), _free_udp_port()
    sipp = subprocess.Popen(
        ["sipp", "-sf", str(SCENARIO), "-i", "127.0.0.1", "-p", str(port), "-mi", "127.0.0.1",
         "-mp", str(mport), "-m", str(args.calls), "-nostdin", "-timeout", "900s"],
        cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)

    placed: dict[str, float] = {}
    lock = threading.Lock()
    core = _EventSink(placed, lock)
    procs = []
    n_proc = -(-args.lines // 4)
    try:
        clients = []
        for k in range(n_proc):
            ctl = _free_tcp_port()
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "zongji.cli", "sip", "--sip-port", "0", "--log-level", "0",
                 "--control-port", str(ctl), "--core-url", core.url, "--caller-id", f"gw{k}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env={**os.environ, "ZONGJI_DATA_DIR": str(work)}))
            clients.append(HttpTelephonyClient(f"http://127.0.0.1:{ctl}"))
        deadline = time.monotonic() + 30
        while not all(c.healthy() for c in clients):
            if time.monotonic() > deadline:
                print("gateways did not start", file=sys.stderr)
                return 2
            time.sleep(0.1)
        pool = GatewayPool(clients, lines_each=4)

        due_at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
        order = burst_order([(f"wk-{i:05d}", due_at) for i in range(args.calls)], due_at,
                            args.calls)
        work_q: queue.Queue = queue.Queue()
        for cid in order:
            work_q.put(cid)
        results = []
        durations = []

        def line() -> None:
            while True:
                try:
                    cid = work_q.get_nowait()
                except queue.Empty:
                    return
                t0 = time.monotonic()
                r = pool.place_call(f"sip:{cid[-4:]}@127.0.0.1:{port}", prompt, ("1",),
                                    args.ring_timeout, key_timeout=5, call_id=cid)
                with lock:
                    results.append(r)
                    durations.append(time.monotonic() - t0)

        while dt.datetime.now(dt.timezone.utc) < due_at:
            time.sleep(0.001)
        start = time.time()
        threads = [threading.Thread(target=line) for _ in range(args.lines)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.time() - start
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        core.close()
        try:
            sipp.wait(30)
        except subprocess.TimeoutExpired:
            sipp.kill()

    due_ts = due_at.timestamp()
    delays = [placed[r.call_id] - due_ts for r in results if r.call_id in placed]
    mean_call = statistics.mean(durations)
    ideal = ideal_burst_delays(args.calls, args.lines, mean_call)
    outcomes = Counter(r.outcome.value for r in results)
    print(f"{args.calls} wake-ups due together, {args.lines} lines on {n_proc} gateway processes, "
          f"mean call {mean_call:.2f} s")
    print(f"due → INVITE sent: p50 {pct(delays, 50):.3f} s, p99 {pct(delays, 99):.3f} s, "
          f"max {max(delays):.3f} s, first {min(delays) * 1000:.1f} ms")
    print(f"ideal for {args.lines} lines:  p50 {pct(ideal, 50):.3f} s, p99 {pct(ideal, 99):.3f} s, "
          f"max {max(ideal):.3f} s")
    print(f"all calls ended after {wall:.1f} s ({args.calls / wall:.1f} calls/s); "
          f"outcomes: {dict(outcomes)}; sipp exit {sipp.returncode}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if outcomes.get("answered_confirmed") == args.calls else 1


if __name__ == "__main__":
    sys.exit(main())
