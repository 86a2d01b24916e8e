"""Send one RFC 2833 telephone-event (a DTMF key) as RTP over plain UDP.

Used by the sipp scenarios *_exec.xml when sipp cannot replay its DTMF pcap (that needs a raw
socket, i.e. root or CAP_NET_RAW):  rfc2833_send.py HOST PORT KEY [PAYLOAD_TYPE] [SRC_PORT]

With SRC_PORT the events leave from that port, with one SSRC and a sequence and timestamp that
go on from the previous key: PJSIP latches onto the first RTP source it hears, so a caller who
presses several keys must send them all from the same place (the attendant scenarios).
"""

from __future__ import annotations

import random
import socket
import struct
import sys
import time

EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}


def packets(key: str, pt: int = 101, volume: int = 10, src_port: int | None = None):
    if src_port:  # one stream across invocations: same SSRC, sequence and clock go on
        now = time.time()
        seq = int(now * 50)
        ts = int(now * 8000) & 0xFFFFFFFF
        ssrc = 0x5A000000 | src_port
    else:
        seq = random.randint(0, 0xFFFF)
        ts = random.randint(0, 0xFFFFFFFF)
        ssrc = random.randint(0, 0xFFFFFFFF)
    event = EVENTS[key]
    durations = [160, 320, 480, 640, 800]
    for i, dur in enumerate(durations):
        marker = 0x80 if i == 0 else 0
        yield struct.pack("!BBHII", 0x80, marker | pt, seq & 0xFFFF, ts, ssrc) + struct.pack(
            "!BBH", event, volume, dur)
        seq += 1
    for _ in range(3):  # the end packet, sent three times (RFC 4733 2.5.1.4)
        yield struct.pack("!BBHII", 0x80, pt, seq & 0xFFFF, ts, ssrc) + struct.pack(
            "!BBH", event, 0x80 | volume, durations[-1])
        seq += 1


def main(argv: list[str]) -> int:
    host, port, key = argv[1], int(argv[2]), argv[3]
    pt = int(argv[4]) if len(argv) > 4 else 101
    src_port = int(argv[5]) if len(argv) > 5 and argv[5] else None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        if src_port:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", src_port))
        for pkt in packets(key, pt, src_port=src_port):
            s.sendto(pkt, (host, port))
            time.sleep(0.02)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
