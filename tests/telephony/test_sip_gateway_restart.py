"""A SIP gateway can be stopped and started again in the same process, whatever kept a reference.

PJSUA2 allows one Endpoint per process and forgets it only when its C++ object is deleted; a new
``Endpoint()`` while the old one lives aborts the whole process. CI saw exactly that when a log
record (pytest keeps them with their tracebacks) held the PJSIP thread's frame past a stop.
"""

from __future__ import annotations

import logging
import socket
import threading

import pytest

pytest.importorskip("pjsua2", reason="pjsua2-python wheel does not import here")

from zongji.telephony.adapter import TelephonyUnavailable  # noqa: E402
from zongji.telephony.sip_gateway import GatewayConfig, SipGateway  # noqa: E402


class _KeepingHandler(logging.Handler):
    """Keeps records with their tracebacks, as pytest's log capture does."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.logged = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if record.exc_info:
            self.logged.set()


def test_restart_after_an_error_was_logged_with_its_traceback_kept():
    handler = _KeepingHandler()
    logger = logging.getLogger("zongji.telephony.sip_gateway")
    logger.addHandler(handler)
    try:
        gw = SipGateway(GatewayConfig(sip_port=0, log_level=0)).start()
        raised: list[int] = []

        def broken_once() -> None:
            if not raised:
                raised.append(1)
                raise RuntimeError("one bad call")

        gw.outbound.check_timers = broken_once  # raises inside the PJSIP loop, which logs and goes on
        assert handler.logged.wait(10), "the loop error was not logged"
        gw.stop()

        again = SipGateway(GatewayConfig(sip_port=0, log_level=0)).start()
        try:
            assert again.local_port
        finally:
            again.stop()
    finally:
        logger.removeHandler(handler)


def test_restart_after_a_failed_start_whose_error_is_kept():
    busy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    busy.bind(("127.0.0.1", 0))
    try:
        port = busy.getsockname()[1]
        failed = SipGateway(GatewayConfig(sip_port=port, bind_address="127.0.0.1", log_level=0))
        with pytest.raises(TelephonyUnavailable, match="failed to start"):
            failed.start()
    finally:
        busy.close()
    assert failed._start_error is not None  # the gateway and its error are still referenced

    again = SipGateway(GatewayConfig(sip_port=0, log_level=0)).start()
    try:
        assert again.local_port
    finally:
        again.stop()
