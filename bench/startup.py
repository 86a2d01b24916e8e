"""Time to the first HTTP answer of ``zongji serve`` and ``zongji demo`` on an existing database
(issue 18, point 5: within 3 s). See bench/README.md.

For each command: a database is made first (``zongji demo`` run once until it answers; for
``serve`` the same SQLite file), then the command is started ``--runs`` times and the time from
starting the process to the first answer of ``GET /login`` is measured (each run is stopped
before the next). Also prints the import time of ``zongji.api.app`` (``python -X importtime``)
and which heavy libraries it imports. No test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pypinyin", "rjieba", "jieba", "zhconv", "opencc", "openpyxl", "numpy")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(cmd: list[str], env: dict[str, str], port: int, timeout: float = 120.0) -> float:
    """Seconds from starting ``cmd`` to its first HTTP answer on ``port``; the process is stopped."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{' '.join(cmd)} exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    r.read()
                return time.perf_counter() - t0
            except urllib.error.HTTPError:
                return time.perf_counter() - t0  # any answer counts
            except OSError:
                if time.perf_counter() - t0 > timeout:
                    raise RuntimeError("no answer") from None
                time.sleep(0.02)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def import_time() -> tuple[float, list[str]]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import zongji.api.app"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stderr
    total = 0.0
    loaded = set()
    for line in out.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|(\s*)(\S+)", line)
        if not m:
            continue
        if m.group(3) == "zongji.api.app":
            total = int(m.group(1)) / 1e6
        top = m.group(3).split(".")[0]
        if top in HEAVY:
            loaded.add(top)
    return total, sorted(loaded)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    zongji = [sys.executable, "-m", "zongji.cli"]
    seconds, heavy = import_time()
    print(f"import zongji.api.app: {seconds:.2f} s; heavy libraries imported: {', '.join(heavy) or 'none'}")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ZONGJI_DATA_DIR": tmp}
        env.pop("ZONGJI_DATABASE_URL", None)
        port = free_port()
        made = first_answer([*zongji, "demo", "--data-dir", tmp, "--port", str(port)], env, port, timeout=300)
        print(f"zongji demo, new database (made once): {made:.2f} s")
        serve_env = {**env, "ZONGJI_DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.db'}"}
        for name, cmd, e in (
            ("zongji demo", [*zongji, "demo", "--data-dir", tmp, "--port", "{port}"], env),
            ("zongji serve", [*zongji, "serve", "--port", "{port}"], serve_env),
        ):
            times = []
            for _ in range(args.runs):
                port = free_port()
                times.append(first_answer([c.replace("{port}", str(port)) for c in cmd], e, port))
            print(f"{name}, existing database: first answer in " + ", ".join(f"{t:.2f}" for t in times)
                  + f" s (median {statistics.median(times):.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
