"""Is a UDP port on loopback bound yet — asked of the kernel's table (/proc/net/udp), not by
binding it: a probe that binds the port to see whether it is free holds it for a moment, and a
sipp starting at that moment fails with "Address already in use" (seen on a loaded machine)."""

from __future__ import annotations

import time
from pathlib import Path


def udp_bound(port: int) -> bool:
    """True when some socket is bound to UDP ``port`` (IPv4 or IPv6, any address)."""
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local = line.split()[1]  # "0100007F:1F90": address and port in hex
            if int(local.rsplit(":", 1)[1], 16) == port:
                return True
    return False


def wait_bound(port: int, proc, what: str, log: Path, timeout: float = 10.0) -> None:
    """Wait until ``proc`` (a Popen) has bound ``port``; fail with its log if it exits first."""
    deadline = time.monotonic() + timeout
    while not udp_bound(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.02)
