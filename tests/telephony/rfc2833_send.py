"""Send one RFC 2833 telephone-event (a DTMF key) as RTP over plain UDP.

Used by the sipp scenarios *_exec.xml when sipp cannot replay its DTMF pcap (that needs a raw
socket, i.e. root or CAP_NET_RAW):  rfc2833_send.py HOST PORT KEY [PAYLOAD_TYPE]
"""

from __future__ import annotations

import random
import socket
import struct
import sys
import time

EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}


def packets(key: str, pt: int = 101, volume: int = 10):
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
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for pkt in packets(key, pt):
            s.sendto(pkt, (host, port))
            time.sleep(0.02)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
