"""FIAS framing: every record travels as STX (0x02) + record + ETX (0x03) on a TCP stream.

TCP delivers bytes, not frames: :class:`Deframer` is fed whatever a read returned and yields the
complete records only. Bytes outside a frame (line noise, a half frame cut by a dropped link and
the start of the next one) are dropped: a frame counts only from its STX to its ETX.
"""

from __future__ import annotations

STX = b"\x02"
ETX = b"\x03"
# A record that never ends is not kept forever.
MAX_RECORD_BYTES = 64 * 1024


def frame(record: bytes) -> bytes:
    """One record as it goes on the wire."""
    if STX in record or ETX in record:
        raise ValueError("a record cannot contain STX or ETX")
    return STX + record + ETX


class Deframer:
    """Collects bytes until whole frames arrive."""

    def __init__(self, max_record: int = MAX_RECORD_BYTES):
        self._buf = bytearray()
        self._in_frame = False
        self._max = max_record

    def feed(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        for byte in data:
            if byte == 0x02:
                # A new STX starts a new frame, even inside an unfinished one (that one was cut).
                self._buf.clear()
                self._in_frame = True
            elif byte == 0x03:
                if self._in_frame:
                    out.append(bytes(self._buf))
                self._buf.clear()
                self._in_frame = False
            elif self._in_frame:
                self._buf.append(byte)
                if len(self._buf) > self._max:
                    self._buf.clear()
                    self._in_frame = False
        return out

    @property
    def pending(self) -> bool:
        """True while a frame was started but has not ended (a cut record if the link drops now)."""
        return self._in_frame
