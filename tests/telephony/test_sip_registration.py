"""The gateway as an extension of a PBX: digest registration, authenticated calls to bare
extensions. sipp plays the PBX (registrar on one port, call routing on another)."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("pjsua2", reason="pjsua2-python wheel does not import here")

from zongji.telephony.adapter import CallOutcome  # noqa: E402
from zongji.telephony.sip_gateway import GatewayConfig, SipGateway  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp (Debian sip-tester) not installed")


def _gateway(registrar, pbx, password: str) -> SipGateway:
    return SipGateway(GatewayConfig(
        sip_port=0, log_level=0, registrar=f"sip:127.0.0.1:{registrar.port}", username="8000",
        password=password, domain=f"127.0.0.1:{pbx.port}" if pbx else None))


def test_registers_with_digest_and_calls_a_bare_extension_through_the_pbx(room):
    registrar, pbx = room("pbx_register"), room("pbx_invite_auth_busy")
    gw = _gateway(registrar, pbx, "secret").start()
    try:
        assert gw.wait_registered(10), gw.registration
        assert gw.registration == {**gw.registration, "active": True, "status": 200}
        result = gw.place_call("8101", None, ("1",), 10)
        assert result.outcome is CallOutcome.BUSY and result.sip_status == 486
        assert result.uri == f"sip:8101@127.0.0.1:{pbx.port}"
    finally:
        gw.stop()
    assert registrar.wait() == 0  # challenged, registered, un-registered on stop
    assert pbx.wait() == 0  # INVITE challenged, authenticated, routed


def test_wrong_password_is_reported(room):
    registrar = room("pbx_register")
    gw = _gateway(registrar, None, "wrong").start()
    try:
        assert not gw.wait_registered(10)
        assert gw.registration["status"] == 403 and not gw.registration["active"]
        # No domain configured: the registrar's host is used for bare extensions.
        assert gw.target_uri("8101") == f"sip:8101@127.0.0.1:{registrar.port}"
        assert gw.target_uri("sip:9@h") == "sip:9@h"
        assert gw.target_uri("9@h") == "sip:9@h"
    finally:
        gw.stop()
