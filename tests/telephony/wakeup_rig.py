"""A wake-up test rig over real SIP: the core (uvicorn, recording the gateway's CTI events as
call records), a ``zongji sip`` process, sipp rooms and a hotel with rooms and guests.

Used by test_wakeup_sip.py, test_wakeup_restart.py and bench/wakeup_burst.py."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.servers import serve
from tests.udp_ports import wait_bound

SIPP_DIR = Path(__file__).parent / "sipp"
SIPP = shutil.which("sipp")


def zone_at_midday(now: dt.datetime) -> str:
    """A fixed-offset time zone in which ``now`` is about noon.

    A test whose wake-ups lie a minute or two apart and must fall on one local day (the
    pre-flight is per day) sets this zone, so that it passes whenever it runs; in Asia/Shanghai
    a run at 23:59 would book them on two days."""
    offset = (12 - now.astimezone(dt.UTC).hour + 12) % 24 - 12  # local = UTC + offset, -12..11
    return f"Etc/GMT{-offset:+d}"  # the Etc zones' signs are reversed: Etc/GMT-8 is UTC+8


def free_port(kind=socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CoreServer:
    """The core in a thread (uvicorn): CTI events from the gateway become call records."""

    def __init__(self, settings):
        from zongji.api.app import create_app

        self._running = serve(create_app(settings))
        self.url = self._running.__enter__()
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self):
        self._running.__exit__(None, None, None)


class SipProcess:
    """``zongji sip`` as its own process reporting to the core."""

    def __init__(self, workdir: Path, core_url: str, cti_token: str, max_calls: int = 4,
                 extra: list[str] = (), wait_healthy: bool = True):
        from zongji.telephony.control import HttpTelephonyClient

        self.port = free_port()
        self.log_path = workdir / f"zongji-sip-{self.port}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "zongji.cli", "sip", "--sip-port", "0", "--log-level", "0",
             "--control-port", str(self.port), "--caller-id", "wakeup",
             "--max-calls", str(max_calls), "--core-url", core_url, "--cti-token", cti_token,
             *extra],
            stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT,
            env={**os.environ, "ZONGJI_DATA_DIR": str(workdir)})
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = HttpTelephonyClient(self.url)
        deadline = time.monotonic() + 30
        while not (self.client.healthy() if wait_healthy else self._answers()):
            assert self.proc.poll() is None and time.monotonic() < deadline, \
                self.log_path.read_text(errors="replace")
            time.sleep(0.1)

    def _answers(self) -> bool:
        from zongji.telephony.adapter import TelephonyUnavailable

        try:
            self.client.health()
            return True
        except TelephonyUnavailable:
            return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Sipp:
    """A sipp UAS playing ``scenario`` for every room that points at its port; logs every
    message so a test can count the INVITEs (distinct Call-IDs) it received."""

    def __init__(self, scenario: str, workdir: Path, calls: int = 1000, extra: list[str] = (),
                 port: int | None = None):
        self.port = port or free_port(socket.SOCK_DGRAM)
        self.messages = workdir / f"sipp-{scenario}-{self.port}-messages.log"
        self.log = workdir / f"sipp-{scenario}-{self.port}.log"
        self.proc = subprocess.Popen(
            [SIPP, "-sf", str(SIPP_DIR / f"{scenario}.xml"), "-i", "127.0.0.1",
             "-p", str(self.port), "-mi", "127.0.0.1", "-mp", str(free_port(socket.SOCK_DGRAM)),
             "-m", str(calls), "-nostdin", "-trace_msg", "-message_file", str(self.messages),
             *extra],
            cwd=workdir, stdin=subprocess.DEVNULL, stdout=open(self.log, "wb"),
            stderr=subprocess.STDOUT)
        wait_bound(self.port, self.proc, "sipp", self.log)

    def invites(self) -> list[str]:
        """Call-IDs of the distinct INVITEs received so far, in order."""
        if not self.messages.exists():
            return []
        text = self.messages.read_text(errors="replace")
        ids: list[str] = []
        for block in re.split(r"\n(?=-{5,})", text):
            if "received" not in block or "\nINVITE sip:" not in block:
                continue
            m = re.search(r"^Call-ID:\s*(\S+)", block, re.M | re.I)
            if m and m.group(1) not in ids:
                ids.append(m.group(1))
        return ids

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def make_rooms(write, rooms: dict[str, int], *, now: dt.datetime, nights: int = 2) -> None:
    """Rooms (number → sipp port as the extension), each with a guest in house."""
    from zongji.store.models import Guest, Organisation, Room, Stay

    with write() as s:
        org = Organisation(code=f"h{time.monotonic_ns()}", name="测试酒店", kind="hotel")
        s.add(org)
        s.flush()
        for number, port in rooms.items():
            room = Room(organisation_id=org.id, number=number, floor=int(number[:-2] or 1),
                        extension=str(port))
            s.add(room)
            s.flush()
            g = Guest(organisation_id=org.id, name=f"客人{number}")
            s.add(g)
            s.flush()
            s.add(Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                       departure=now + dt.timedelta(days=nights), status="in_house"))


URI_TEMPLATE = "sip:{room}@127.0.0.1:{extension}"
