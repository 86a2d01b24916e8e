"""sipp rooms and PBXs on loopback for the telephony tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.udp_ports import wait_bound

SIPP_DIR = Path(__file__).parent / "sipp"
SIPP = shutil.which("sipp")
RFC2833_SEND = Path(__file__).parent / "rfc2833_send.py"


def _raw_sockets_allowed() -> bool:
    """sipp replays its DTMF pcap through a raw socket: root or CAP_NET_RAW only."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP).close()
        return True
    except OSError:
        return False


RAW_SOCKETS = _raw_sockets_allowed()
# Without raw sockets the rooms press their keys with rfc2833_send.py (plain UDP) instead.
NO_RAW_VARIANT = {"answer_dtmf1": "answer_dtmf1_exec", "answer_dtmf2": "answer_dtmf2_exec"}


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SippRoom:
    """A sipp UAS on loopback playing one scenario for ``calls`` calls."""

    def __init__(self, scenario: str, workdir: Path, calls: int = 1):
        if not RAW_SOCKETS:
            scenario = NO_RAW_VARIANT.get(scenario, scenario)
        self.scenario = scenario
        self.port = free_udp_port()
        self.media_port = free_udp_port()
        self.log = workdir / f"sipp-{scenario}-{self.port}.log"
        self.proc = subprocess.Popen(
            [SIPP, "-sf", str(SIPP_DIR / f"{scenario}.xml"), "-i", "127.0.0.1",
             "-p", str(self.port), "-mi", "127.0.0.1", "-mp", str(self.media_port),
             "-m", str(calls), "-nostdin", "-timeout", "90s", "-timeout_error",
             "-trace_err", "-error_file", str(workdir / f"sipp-{scenario}-{self.port}-err.log")],
            cwd=workdir, stdin=subprocess.DEVNULL, stdout=open(self.log, "wb"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "ZONGJI_TEST_PYTHON": sys.executable,
                 "ZONGJI_RFC2833_SEND": str(RFC2833_SEND)})
        wait_bound(self.port, self.proc, "sipp", self.log)

    def uri(self, user: str = "8101") -> str:
        return f"sip:{user}@127.0.0.1:{self.port}"

    def wait(self, timeout: float = 20) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def room(tmp_path):
    rooms: list[SippRoom] = []

    def _room(scenario: str, calls: int = 1) -> SippRoom:
        r = SippRoom(scenario, tmp_path, calls)
        rooms.append(r)
        return r

    yield _room
    for r in rooms:
        r.stop()


@pytest.fixture(autouse=True)
def _sip_story_in_failure_reports(caplog):
    """A failed SIP test reports what the gateway did (its INFO log: REFER sent, NOTIFY seen,
    hangup sent …), not only the assertion: a rare failure is then explained by its own run."""
    caplog.set_level("INFO", logger="zongji.telephony")
