"""Blind transfer (REFER) and the switchboard attendant of the SIP gateway, over real SIP.

sipp plays the callers dialling the switchboard number (scenarios attendant_*.xml: they press a
key as RFC 2833 events over plain UDP, or as SIP INFO, answer our REFER with 202 and report the
target's answer with NOTIFY sipfrag 200) and a room answering an outgoing call that the core then
transfers (answer_refer.xml). Each scenario checks the Refer-To it receives, so sipp exits 0 only
when the caller went where the menu says. The last tests run ``zongji sip --attendant`` as its own
process against a real core (SQLite and PostgreSQL) and read the call records.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pjsua2", reason="pjsua2-python wheel does not import here")

from zongji.telephony.adapter import CallOutcome, TransferRefused  # noqa: E402
from zongji.telephony.attendant import (  # noqa: E402
    Attendant, MenuError, MenuSession, greeting_texts, menu_from, parse_option, sip_user)
from zongji.telephony.control import ControlServer, HttpTelephonyClient  # noqa: E402
from zongji.telephony.cti_reporter import CtiReporter  # noqa: E402
from zongji.telephony.prompts import PromptStore, wav_info  # noqa: E402
from zongji.telephony.sip_gateway import GatewayConfig, SipGateway  # noqa: E402

SIPP = shutil.which("sipp")
SIPP_DIR = Path(__file__).parent / "sipp"
RFC2833_SEND = Path(__file__).parent / "rfc2833_send.py"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp (Debian sip-tester) not installed")

# Targets need not exist: the sipp caller itself answers the REFER and reports the target's answer.
RESERVATIONS, FRONT_DESK, OPERATOR = ("sip:6001@127.0.0.1:5999", "sip:6002@127.0.0.1:5999",
                                      "sip:6000@127.0.0.1:5999")
MENU_OPTIONS = [f"1={RESERVATIONS}|预订|reservations", f"2={FRONT_DESK}|总台|the front desk",
                f"0={OPERATOR}|人工服务|the operator"]


def _menu(**kw):
    return menu_from(None, [parse_option(o) for o in MENU_OPTIONS], number="8000", **kw)


# ---- the menu, pure


def test_menu_parsing_and_greeting_texts(tmp_path):
    menu = _menu()
    assert [o.key for o in menu.options] == ["1", "2", "0"]
    zh, en = greeting_texts(menu, dt.time(7, 30))
    assert zh == ("zh", "早上好，示例大酒店。预订请按1，总台请按2，人工服务请按0。")
    assert en == ("en", "Good morning, Example Grand Hotel. For reservations press 1, "
                        "for the front desk press 2, for the operator press 0.")
    assert greeting_texts(menu, dt.time(20, 0))[0][1].startswith("晚上好")
    f = tmp_path / "menu.toml"
    f.write_text('number = "8000"\nhotel_zh = "总机测试酒店"\nkey_timeout = 2\n'
                 '[keys.1]\ntarget = "sip:6001@pbx"\nzh = "预订"\nen = "reservations"\n'
                 '[keys.0]\ntarget = "6000"\nzh = "人工服务"\n', encoding="utf-8")
    from zongji.telephony.attendant import load_menu_file

    m2 = menu_from(load_menu_file(f), [parse_option("2=6002|总台|front desk")])
    assert (m2.hotel_zh, m2.key_timeout, m2.operator.target) == ("总机测试酒店", 2, "6000")
    assert [o.key for o in m2.options] == ["1", "2", "0"]
    j = tmp_path / "menu.json"
    j.write_text(json.dumps({"keys": [{"key": "0", "target": "6000"}]}))
    assert menu_from(load_menu_file(j)).operator.target == "6000"
    with pytest.raises(MenuError, match="operator"):
        menu_from(None, [parse_option("1=6001")])
    with pytest.raises(MenuError, match="DTMF"):
        menu_from(None, [parse_option("12=6001"), parse_option("0=6000")])
    assert sip_user('"Guest" <sip:13800138000@127.0.0.1:5060>;tag=x') == "13800138000"
    assert menu.accepts("8000") and not menu.accepts("8001")


def test_menu_session_rules():
    s = MenuSession(_menu(repeats=1, max_invalid=2))
    assert s.start().kind == "greeting"
    assert s.on_timeout().kind == "greeting"  # repeated once
    a = s.on_timeout()
    assert (a.kind, a.option.key, a.reason) == ("transfer", "0", "no key")
    s = MenuSession(_menu(max_invalid=2))
    s.start()
    assert s.on_key("9").kind == "invalid" and s.on_key("8").kind == "invalid"
    assert s.on_key("7").option.key == "0"  # third wrong key: the operator
    s = MenuSession(_menu())
    s.start()
    assert s.on_key("1").option.key == "1"
    assert s.on_key("2") is None  # transfer under way
    assert s.on_transfer_failed().option.key == "0"  # reservations failed → operator
    assert s.on_transfer_failed().kind == "hangup"  # operator failed too


# ---- over real SIP, in this process


@pytest.fixture(scope="module")
def events():
    return []


@pytest.fixture(scope="module")
def prompts(tmp_path_factory):
    return PromptStore(tmp_path_factory.mktemp("attendant-prompts"))


@pytest.fixture(scope="module")
def attendant(prompts):
    return Attendant.prepare(_menu(key_timeout=1.0), prompts)


@pytest.fixture(scope="module")
def gateway(events, attendant):
    gw = SipGateway(GatewayConfig(sip_port=0, caller_id="zongji", line="hotel", log_level=0),
                    CtiReporter(sink=events.append), attendant)
    gw.start()
    yield gw
    gw.stop()


def _events_for(events, call_id, until="hangup", timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        evs = [e for e in events if e["callId"] == call_id]
        if any(e["event"] == until for e in evs):
            return evs
        time.sleep(0.02)
    return [e for e in events if e["callId"] == call_id]


def call_switchboard(scenario: str, port: int, workdir: Path, number: str = "8000",
                     timeout: int = 40) -> subprocess.CompletedProcess:
    """A sipp caller dialling ``number`` at the gateway; returns when sipp has finished.

    The caller's keys leave from one source port (rfc2833_send.py, a process per key, seconds
    apart); it stays bound here for the whole call (SO_REUSEADDR, as the sender binds it), so
    that no other process of the run takes it between two keys and a key is lost."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as keys_from:
        keys_from.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        keys_from.bind(("", 0))
        return subprocess.run(
            [SIPP, "-sf", str(SIPP_DIR / f"{scenario}.xml"), f"127.0.0.1:{port}", "-s", number,
             "-i", "127.0.0.1", "-p", str(free_udp_port()), "-mi", "127.0.0.1",
             "-mp", str(free_udp_port()), "-m", "1", "-nostdin", "-timeout", f"{timeout}s",
             "-timeout_error", "-trace_err", "-error_file", str(workdir / f"{scenario}-err.log")],
            cwd=workdir, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout + 20,
            env={**os.environ, "ZONGJI_TEST_PYTHON": sys.executable,
                 "ZONGJI_RFC2833_SEND": str(RFC2833_SEND),
                 "ZONGJI_RFC2833_SRC_PORT": str(keys_from.getsockname()[1])})


def _sipp_errors(workdir: Path, scenario: str) -> str:
    f = workdir / f"{scenario}-err.log"
    return f.read_text(errors="replace")[-2000:] if f.exists() else ""


def _last_attendant_call(gw, timeout=5.0) -> dict:
    deadline = time.monotonic() + timeout
    n = len(gw.attendant_calls)
    while time.monotonic() < deadline and not gw.attendant_calls:
        time.sleep(0.02)
    assert gw.attendant_calls, f"no attendant call recorded ({n})"
    return gw.attendant_calls[-1]


def test_caller_presses_1_and_is_transferred_to_reservations(gateway, events, tmp_path):
    # The real synthesized greeting (several seconds); the caller presses 1 during it.
    gateway.attendant_calls.clear()
    t0 = time.monotonic()
    proc = call_switchboard("attendant_dtmf1", gateway.local_port, tmp_path)
    assert proc.returncode == 0, _sipp_errors(tmp_path, "attendant_dtmf1")  # REFER to 6001
    assert time.monotonic() - t0 < 10
    rec = _last_attendant_call(gateway)
    assert rec["keys"] == ["1"] and rec["transferred_to"] == RESERVATIONS
    assert rec["transfer"]["state"] == "succeeded" and rec["transfer"]["sip_status"] == 200
    assert (rec["from"], rec["to"]) == ("13800138000", "8000")
    evs = _events_for(events, rec["call_id"])
    assert [e["event"] for e in evs] == ["newCall", "answer", "transfer", "hangup"]
    assert all(e["direction"] == "in" and e["from"] == "13800138000" and e["to"] == "8000"
               and e["line"] == "hotel" for e in evs)
    assert evs[2]["transferTo"] == "6001"
    assert evs[3]["cause"] == "normalClearing"


def test_caller_presses_2_as_sip_info_and_reaches_the_front_desk(gateway, tmp_path):
    gateway.attendant_calls.clear()
    proc = call_switchboard("attendant_info2", gateway.local_port, tmp_path)
    assert proc.returncode == 0, _sipp_errors(tmp_path, "attendant_info2")
    rec = _last_attendant_call(gateway)
    assert rec["keys"] == ["2"] and rec["transferred_to"] == FRONT_DESK


def test_invalid_key_is_refused_then_1_goes_to_reservations(gateway, tmp_path):
    gateway.attendant_calls.clear()
    proc = call_switchboard("attendant_invalid_then_1", gateway.local_port, tmp_path)
    assert proc.returncode == 0, _sipp_errors(tmp_path, "attendant_invalid_then_1")
    rec = _last_attendant_call(gateway)
    assert rec["keys"] == ["9", "1"] and rec["tried"] == ["1"]
    assert rec["transferred_to"] == RESERVATIONS


def test_no_key_repeats_once_then_transfers_to_the_operator(gateway, attendant, prompts,
                                                             events, tmp_path):
    short = str(prompts.synthesize("Hello.", "en"))
    secs = wav_info(Path(short))["seconds"]
    gateway.attendant = attendant.with_menu(greeting_wav=short, key_timeout=0.5, repeats=1)
    gateway.attendant_calls.clear()
    try:
        t0 = time.monotonic()
        proc = call_switchboard("attendant_no_key", gateway.local_port, tmp_path)
        took = time.monotonic() - t0
    finally:
        gateway.attendant = attendant
    assert proc.returncode == 0, _sipp_errors(tmp_path, "attendant_no_key")  # REFER to 6000
    rec = _last_attendant_call(gateway)
    assert rec["keys"] == [] and rec["transferred_to"] == OPERATOR and rec["tried"] == ["0"]
    assert took >= 2 * (secs + 0.5)  # greeting, wait, greeting again, wait
    assert took < 2 * (secs + 0.5) + 6
    assert [e["event"] for e in _events_for(events, rec["call_id"])] == [
        "newCall", "answer", "transfer", "hangup"]


def test_calls_to_another_number_are_not_answered(gateway, tmp_path):
    gateway.attendant_calls.clear()
    proc = call_switchboard("attendant_dtmf1", gateway.local_port, tmp_path, number="8999",
                            timeout=5)
    assert proc.returncode != 0  # refused (404): no 200, no REFER
    assert not gateway.attendant_calls and gateway.active_calls == 0


# ---- transfer commanded by the core (control interface) on an outgoing call


def test_core_transfers_an_answered_outgoing_call(gateway, events, room, prompts):
    control = ControlServer(gateway, "127.0.0.1", 0, token="ctl").start()
    try:
        client = HttpTelephonyClient(f"http://127.0.0.1:{control.port}", token="ctl")
        r = room("answer_refer")
        box: dict = {}
        prompt = str(prompts.synthesize("Good morning.", "en"))
        t = threading.Thread(target=lambda: box.setdefault("result", client.place_call(
            r.uri("8101"), prompt, ("1",), 10, key_timeout=20, call_id="xfer-out-1")))
        t.start()
        deadline = time.monotonic() + 10
        while not client.lookup("xfer-out-1").get("answered"):
            assert time.monotonic() < deadline, client.lookup("xfer-out-1")
            time.sleep(0.05)
        st = client.transfer("xfer-out-1", "sip:7001@127.0.0.1:5999", ref="attempt-1")
        assert st["state"] in ("accepted", "succeeded") and st["ref"] == "attempt-1"
        t.join(15)
        # Still running: say where the call and its transfer stand (the SIP story is in the log).
        assert "result" in box, client.lookup("xfer-out-1")
        result = box["result"]
        assert result.outcome is CallOutcome.ANSWERED_NO_KEY
        assert result.transferred_to == "sip:7001@127.0.0.1:5999" and result.reason == "transferred"
        assert r.wait() == 0  # sipp got REFER with Refer-To 7001, then our BYE
        # The same command again (a retry after a lost answer): no second REFER.
        again = client.transfer("xfer-out-1", "sip:7001@127.0.0.1:5999", ref="attempt-1")
        assert again["state"] == "succeeded" and again["progress"][-1] == 200
        assert client.lookup("xfer-out-1")["transfer"]["state"] == "succeeded"
        evs = _events_for(events, "xfer-out-1")
        assert [e["event"] for e in evs] == ["newCall", "answer", "transfer", "hangup"]
        assert evs[2]["transferTo"] == "7001" and evs[2]["direction"] == "out"
        with pytest.raises(TransferRefused) as exc:
            client.transfer("no-such-call", "sip:7001@127.0.0.1:5999")
        assert exc.value.cause == "unknown_call"
    finally:
        control.stop()


def test_transfer_of_a_ringing_call_is_refused(gateway, room, prompts):
    r = room("ring_no_answer")
    prompt = str(prompts.synthesize("Good morning.", "en"))
    fut = gateway.place_call_async(r.uri(), prompt, ("1",), 2, call_id="xfer-ringing")
    deadline = time.monotonic() + 5
    while gateway.call_info("xfer-ringing") is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with pytest.raises(TransferRefused) as exc:
        gateway.transfer("xfer-ringing", "sip:7001@127.0.0.1:5999")
    assert exc.value.cause == "not_answered"
    assert fut.result(10).outcome is CallOutcome.NO_ANSWER
    assert r.wait() == 0


# ---- `zongji sip --attendant` as its own process, reporting to a real core


def _free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.both_databases  # the PostgreSQL smoke set (tests/conftest.py)
def test_attendant_process_reports_calls_to_the_core(core_server, cti_token, session_factory,
                                                     room, tmp_path):
    from zongji.store.models import Call

    menu_file = tmp_path / "menu.json"
    menu_file.write_text(json.dumps({
        "number": "8000", "hotel_zh": "示例大酒店", "hotel_en": "Example Grand Hotel",
        "key_timeout": 1,
        "keys": {"1": {"target": RESERVATIONS, "zh": "预订", "en": "reservations"},
                 "2": {"target": FRONT_DESK, "zh": "总台", "en": "the front desk"},
                 "0": {"target": OPERATOR, "zh": "人工服务", "en": "the operator"}}},
        ensure_ascii=False), encoding="utf-8")
    ctl_port = _free_tcp_port()
    log = open(tmp_path / "zongji-sip.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "zongji.cli", "sip", "--sip-port", "0", "--log-level", "0",
         "--control-port", str(ctl_port), "--caller-id", "zongji",
         "--core-url", core_server, "--cti-token", cti_token,
         "--attendant", "8000", "--attendant-menu", str(menu_file)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ZONGJI_DATA_DIR": str(tmp_path)})
    client = HttpTelephonyClient(f"http://127.0.0.1:{ctl_port}")
    try:
        deadline = time.monotonic() + 30
        while not client.healthy():
            assert proc.poll() is None and time.monotonic() < deadline, (
                (tmp_path / "zongji-sip.log").read_text(errors="replace"))
            time.sleep(0.1)
        import httpx

        health = httpx.get(f"http://127.0.0.1:{ctl_port}/health").json()
        att = httpx.get(f"http://127.0.0.1:{ctl_port}/attendant").json()
        assert att["enabled"] and att["menu"]["number"] == "8000"
        # (a) a caller presses 1 → REFER to reservations; the core sees the whole call.
        sipp = call_switchboard("attendant_dtmf1", health["sip_port"], tmp_path)
        assert sipp.returncode == 0, _sipp_errors(tmp_path, "attendant_dtmf1")
        # (c) an outgoing call answered by a room, transferred by command.
        r = room("answer_refer")
        box: dict = {}
        t = threading.Thread(target=lambda: box.setdefault("result", client.place_call(
            r.uri("8101"), None, ("1",), 10, key_timeout=20, call_id="e2e-xfer")))
        t.start()
        deadline = time.monotonic() + 10
        while not client.lookup("e2e-xfer").get("answered"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        client.transfer("e2e-xfer", "sip:7001@127.0.0.1:5999", ref="1")
        t.join(15)
        assert box["result"].transferred_to == "sip:7001@127.0.0.1:5999"
        assert r.wait() == 0
        calls_seen = httpx.get(f"http://127.0.0.1:{ctl_port}/attendant").json()["calls"]
        att_call_id = calls_seen[-1]["call_id"]
    finally:
        proc.terminate()
        assert proc.wait(15) == 0  # delivers what it has to report, then stops
    with session_factory() as s:
        calls = {c.external_id: c for c in s.query(Call).filter(
            Call.external_id.in_([att_call_id, "e2e-xfer"]))}
    assert set(calls) == {att_call_id, "e2e-xfer"}
    inc = calls[att_call_id]
    assert inc.direction == "in" and inc.calling_number == "13800138000"
    assert inc.called_number == "8000" and inc.state == "ended"
    assert inc.answered_at is not None and inc.transfer_target == "6001"
    assert inc.transferred_at is not None and inc.outcome == "transferred"
    out = calls["e2e-xfer"]
    assert out.direction == "out" and out.transfer_target == "7001" and out.outcome == "transferred"
