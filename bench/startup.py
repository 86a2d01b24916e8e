"""Time to the first HTTP answer of ``zongji serve`` and ``zongji demo`` on an existing database
(issue 18, point 5: within 3 s). See bench/README.md.

For each command: a database is made first (``zongji demo`` run once until it answers; for
``serve`` the same SQLite file), then the command is started ``--runs`` times and the time from
starting the process to the first answer of ``GET /login`` is measured (each run is stopped
before the next), with the CPU time the server process used until then (user + system, from
/proc: on a busy machine the wall time mostly measures the neighbours). Also prints the import
time of ``zongji.api.app`` (``python -X importtime``) and which heavy libraries it imports.

``--baseline-ref main`` measures the same for another commit in the same run (``git archive`` of
it into a temporary folder, run with ``PYTHONPATH`` pointing there), interleaved with this tree's
runs. No test asserts a time.
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


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_answer(cmd: list[str], env: dict[str, str], port: int, timeout: float = 120.0,
                 cwd: Path = ROOT) -> tuple[float, float]:
    """(seconds, CPU seconds of the process) from starting ``cmd`` to its first HTTP answer on
    ``port``; the process is stopped."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{' '.join(cmd)} exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    r.read()
                return time.perf_counter() - t0, _cpu_seconds(proc.pid)
            except urllib.error.HTTPError:
                return time.perf_counter() - t0, _cpu_seconds(proc.pid)  # any answer counts
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


def import_time(cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, list[str]]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import zongji.api.app"], cwd=cwd, env=env,
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
    p.add_argument("--baseline-ref", default=None, help="also measure this commit (e.g. main)")
    args = p.parse_args(argv)
    zongji = [sys.executable, "-m", "zongji.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        trees = [("this tree", ROOT, {})]
        if args.baseline_ref:
            base = Path(tmp) / "baseline"
            base.mkdir()
            archive = subprocess.run(["git", "archive", args.baseline_ref], cwd=ROOT, capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive.stdout, check=True)
            trees.append((args.baseline_ref, base, {"PYTHONPATH": str(base)}))
        data = Path(tmp) / "data"
        env = {**os.environ, "ZONGJI_DATA_DIR": str(data)}
        env.pop("ZONGJI_DATABASE_URL", None)
        for label, cwd, extra in trees:
            seconds, heavy = import_time(cwd, {**env, **extra})
            print(f"[{label}] import zongji.api.app: {seconds:.2f} s; heavy libraries imported: "
                  f"{', '.join(heavy) or 'none'}")
        port = free_port()
        made = first_answer([*zongji, "demo", "--data-dir", str(data), "--port", str(port)], env, port,
                            timeout=300)
        print(f"zongji demo, new database (made once): {made[0]:.2f} s")
        serve_env = {**env, "ZONGJI_DATABASE_URL": f"sqlite:///{data / 'demo.db'}"}
        for name, cmd, e in (
            ("zongji demo", [*zongji, "demo", "--data-dir", str(data), "--port", "{port}"], env),
            ("zongji serve", [*zongji, "serve", "--port", "{port}"], serve_env),
        ):
            results: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in trees}
            for _ in range(args.runs):
                for label, cwd, extra in trees:  # interleaved: the same conditions for each
                    port = free_port()
                    results[label].append(first_answer([c.replace("{port}", str(port)) for c in cmd],
                                                       {**e, **extra}, port, cwd=cwd))
            for label, runs in results.items():
                walls, cpus = [w for w, _ in runs], [c for _, c in runs]
                print(f"[{label}] {name}, existing database: first answer in "
                      + ", ".join(f"{w:.2f}" for w in walls)
                      + f" s (median {statistics.median(walls):.2f} s; CPU median {statistics.median(cpus):.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
