"""The SIP gateway against real SIP peers: sipp plays the rooms on 127.0.0.1.

Scenarios in tests/telephony/sipp/: a room that answers and presses 1 (RFC 2833 events from
sipp's dtmf_2833_1.pcap), one that presses 2, one that rings and never answers, one that is busy
(486), one that answers and never presses a key. Each test checks the outcome the gateway
reports, that sipp saw the SIP dialogue it expected (sipp exits 0), and the CTI events posted to
the core. Skipped only when the pjsua2 wheel cannot be imported.
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
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("pjsua2", reason="pjsua2-python wheel does not import here")

from zongji.domain import wakeups as w  # noqa: E402
from zongji.telephony.adapter import CallOutcome, TelephonyUnavailable  # noqa: E402
from zongji.telephony.control import ControlServer, HttpTelephonyClient  # noqa: E402
from zongji.telephony.cti_reporter import CtiReporter  # noqa: E402
from zongji.telephony.prompts import PromptStore, wav_info  # noqa: E402
from zongji.telephony.sip_gateway import GatewayConfig, SipGateway  # noqa: E402

SIPP = shutil.which("sipp")
CTI_TOKEN = "test-cti-token"

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp (Debian sip-tester) not installed")


class FakeCore:
    """Stands in for the core's POST /api/cti/events: records events and the bearer token."""

    def __init__(self):
        self.events: list[dict] = []
        self.auth: list[str] = []
        self.paths: list[str] = []
        core = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):  # noqa: N802
                n = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(n))
                core.paths.append(self.path)
                core.auth.append(self.headers.get("Authorization", ""))
                core.events.append(body)
                data = json.dumps({"accepted": True, "duplicate": False,
                                   "call_id": len(core.events)}).encode()
                self.send_response(202)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def events_for(self, call_id: str, until: str = "hangup", timeout: float = 5) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            evs = [e for e in self.events if e["callId"] == call_id]
            if any(e["event"] == until for e in evs):
                return evs
            time.sleep(0.02)
        return [e for e in self.events if e["callId"] == call_id]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def core():
    c = FakeCore()
    yield c
    c.close()


@pytest.fixture(scope="module")
def gateway(core):
    reporter = CtiReporter(core.url + "/api/cti/events", CTI_TOKEN)
    gw = SipGateway(GatewayConfig(sip_port=0, caller_id="wakeup", line="hotel", log_level=0),
                    reporter)
    gw.start()
    yield gw
    gw.stop()


@pytest.fixture(scope="module")
def prompts(tmp_path_factory):
    return PromptStore(tmp_path_factory.mktemp("prompts-data"))


@pytest.fixture(scope="module")
def short_prompt(prompts) -> str:
    return str(prompts.synthesize("Good morning.", "en"))


def test_room_answers_and_confirms_with_bilingual_wakeup_prompt(gateway, core, room, prompts):
    wav = prompts.wakeup_prompt(dt.time(7, 0))
    info = wav_info(wav)
    assert info["channels"] == 1 and info["rate"] == 16000 and info["sample_width"] == 2
    r = room("answer_dtmf1")
    result = gateway.place_call(r.uri("8101"), str(wav), ("1",), ring_timeout=10,
                                key_timeout=5, call_id="wakeup-test-1")
    assert result.outcome is CallOutcome.ANSWERED_CONFIRMED
    assert result.key == "1" and result.sip_status == 200
    assert result.answered_at is not None and result.started_at <= result.answered_at <= result.ended_at
    assert r.wait() == 0  # sipp saw INVITE, ACK and our BYE

    evs = core.events_for("wakeup-test-1")
    assert [e["event"] for e in evs] == ["newCall", "answer", "hangup"]
    assert evs[0] == {**evs[0], "direction": "out", "from": "wakeup", "to": "8101", "line": "hotel"}
    assert evs[-1]["cause"] == "normalClearing"
    assert evs[1]["answeringNumber"] == "8101"
    for e in evs:
        dt.datetime.fromisoformat(e["at"])  # ISO-8601 with offset
    assert set(core.paths) == {"/api/cti/events"}
    assert set(core.auth) == {f"Bearer {CTI_TOKEN}"}


def test_room_answers_and_snoozes(gateway, room, short_prompt):
    r = room("answer_dtmf2")
    result = gateway.place_call(r.uri(), short_prompt, ("1",), 10, snooze_keys=("2",),
                                key_timeout=5)
    assert result.outcome is CallOutcome.ANSWERED_SNOOZED and result.key == "2"
    assert r.wait() == 0


@pytest.mark.parametrize("scenario,outcome", [
    ("answer_dtmf1_exec", CallOutcome.ANSWERED_CONFIRMED),
    ("answer_dtmf2_exec", CallOutcome.ANSWERED_SNOOZED),
])
def test_rfc2833_keys_sent_over_plain_udp(gateway, room, short_prompt, scenario, outcome):
    # The rooms used where sipp may not open a raw socket (not root): same RFC 2833 events,
    # sent by tests/telephony/rfc2833_send.py from another port than the SDP's.
    r = room(scenario)
    result = gateway.place_call(r.uri(), short_prompt, ("1",), 10, key_timeout=5)
    assert result.outcome is outcome
    assert r.wait() == 0


def test_room_confirms_with_sip_info_dtmf(gateway, room, short_prompt):
    r = room("answer_info1")
    result = gateway.place_call(r.uri(), short_prompt, ("1",), 10, key_timeout=5)
    assert result.outcome is CallOutcome.ANSWERED_CONFIRMED and result.key == "1"
    assert r.wait() == 0  # our 200 to the INFO came before our BYE


def test_room_busy(gateway, core, room, short_prompt):
    r = room("busy")
    result = gateway.place_call(r.uri(), short_prompt, ("1",), 10, call_id="busy-1")
    assert result.outcome is CallOutcome.BUSY and result.sip_status == 486
    assert result.answered_at is None
    assert r.wait() == 0
    evs = core.events_for("busy-1")
    assert [e["event"] for e in evs] == ["newCall", "hangup"]
    assert evs[-1]["cause"] == "busy"


def test_room_rings_without_answer_times_out_and_cancels(gateway, core, room, short_prompt):
    r = room("ring_no_answer")
    t0 = time.monotonic()
    result = gateway.place_call(r.uri(), short_prompt, ("1",), ring_timeout=2, call_id="nra-1")
    took = time.monotonic() - t0
    assert result.outcome is CallOutcome.NO_ANSWER
    assert 1.9 <= took < 6
    assert r.wait() == 0  # sipp received our CANCEL
    evs = core.events_for("nra-1")
    assert [e["event"] for e in evs] == ["newCall", "hangup"]
    assert evs[-1]["cause"] == "noAnswer"


def test_room_answers_but_never_presses_a_key(gateway, core, room, short_prompt):
    r = room("answer_no_key")
    t0 = time.monotonic()
    result = gateway.place_call(r.uri(), short_prompt, ("1",), 10, key_timeout=1.0,
                                call_id="nokey-1")
    took = time.monotonic() - t0
    assert result.outcome is CallOutcome.ANSWERED_NO_KEY and result.key is None
    assert took >= wav_info(Path(short_prompt))["seconds"] + 0.9
    assert r.wait() == 0  # sipp received our BYE
    assert [e["event"] for e in core.events_for("nokey-1")] == ["newCall", "answer", "hangup"]


def test_simultaneous_calls(gateway, room, short_prompt):
    r = room("answer_dtmf1", calls=4)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(
            lambda ext: gateway.place_call(r.uri(ext), short_prompt, ("1",), 10, key_timeout=5),
            ["8101", "8102", "8103", "8104"]))
    assert [x.outcome for x in results] == [CallOutcome.ANSWERED_CONFIRMED] * 4
    assert len({x.call_id for x in results}) == 4
    assert r.wait() == 0


def test_calls_beyond_the_lines_wait_their_turn(gateway, room, short_prompt):
    # The pjsua2 wheel carries 4 simultaneous calls per process; more wait in order, none fails.
    r = room("answer_dtmf1", calls=7)
    peak = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak.append(gateway.active_calls)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(7) as pool:
            results = list(pool.map(
                lambda n: gateway.place_call(r.uri(f"81{n:02d}"), short_prompt, ("1",), 10,
                                             key_timeout=5), range(7)))
    finally:
        stop.set()
        watcher.join()
    assert [x.outcome for x in results] == [CallOutcome.ANSWERED_CONFIRMED] * 7
    assert max(peak) == gateway.config.max_calls == 4
    assert r.wait() == 0


def test_control_interface_and_http_client(gateway, room, short_prompt):
    control = ControlServer(gateway, "127.0.0.1", 0, token="ctl").start()
    try:
        client = HttpTelephonyClient(f"http://127.0.0.1:{control.port}", token="ctl")
        assert client.healthy()
        r = room("busy")
        result = client.place_call(r.uri(), short_prompt, ("1",), 10)
        assert result.outcome is CallOutcome.BUSY and result.sip_status == 486
        with pytest.raises(TelephonyUnavailable):
            HttpTelephonyClient(f"http://127.0.0.1:{control.port}", token="wrong").place_call(
                r.uri(), short_prompt)
    finally:
        control.stop()
    # Gateway process gone: the worker must be told, to escalate to the manual call list.
    with pytest.raises(TelephonyUnavailable):
        HttpTelephonyClient(f"http://127.0.0.1:{control.port}", connect_timeout=1).place_call(
            "sip:8101@127.0.0.1:5", short_prompt)


def test_stopped_gateway_refuses_calls(short_prompt):
    gw = SipGateway(GatewayConfig(sip_port=0, log_level=0))
    with pytest.raises(TelephonyUnavailable):
        gw.place_call("sip:8101@127.0.0.1:5060", short_prompt)


def test_zongji_sip_test_call_command(room, tmp_path):
    r = room("answer_dtmf1")
    env = {**os.environ, "ZONGJI_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run(
        [sys.executable, "-m", "zongji.cli", "sip", "--sip-port", "0", "--log-level", "0",
         "--call", r.uri("8101"), "--say-time", "0730"],
        capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["outcome"] == "answered_confirmed" and result["key"] == "1"
    assert r.wait() == 0


# ---- a wake-up driven through the state machine over real SIP (worker logic in miniature)


def _run_wakeup(gateway, uris, prompt, policy, wake_at):
    """Call as the worker will: at each due time place a call, apply the outcome. The clock is
    simulated (attempt n happens at its due time); the calls are real."""
    state = w.new_wakeup(wake_at, policy)
    effects: list[w.Effect] = []
    calls = iter(uris)
    while state.status in w.WAITING:
        now = state.next_attempt_at
        state = w.start_call(state, now).state
        result = gateway.place_call(next(calls), prompt, (policy.confirm_key,), 2,
                                    snooze_keys=(policy.snooze_key,), key_timeout=1)
        if result.outcome.answered:
            state = w.call_answered(state, now).state
        t = w.call_ended(state, result.outcome, now + dt.timedelta(seconds=20), policy,
                         key=result.key, room="1208")
        state, effects = t.state, effects + list(t.effects)
        if state.status is w.WakeupStatus.SNOOZED:
            break
    return state, effects


def test_wakeup_busy_then_no_key_then_confirmed_records_minutes_late(gateway, room, short_prompt):
    tz = dt.timezone(dt.timedelta(hours=8))
    wake_at = dt.datetime(2026, 11, 24, 7, 0, tzinfo=tz)
    busy, nokey, ok = room("busy"), room("answer_no_key"), room("answer_dtmf1")
    state, effects = _run_wakeup(gateway, [busy.uri(), nokey.uri(), ok.uri()], short_prompt,
                                 w.WakeupPolicy(), wake_at)
    assert state.status is w.WakeupStatus.DONE and effects == []
    assert [a.outcome for a in state.attempts] == [
        CallOutcome.BUSY, CallOutcome.ANSWERED_NO_KEY, CallOutcome.ANSWERED_CONFIRMED]
    assert state.reached_by == "phone" and state.minutes_late == 4  # third call at 07:04
    for r in (busy, nokey, ok):
        assert r.wait() == 0


def test_wakeup_never_answered_escalates_to_the_door(gateway, room, short_prompt):
    tz = dt.timezone(dt.timedelta(hours=8))
    wake_at = dt.datetime(2026, 11, 24, 6, 30, tzinfo=tz)
    policy = w.WakeupPolicy(retry_interval_minutes=2, retry_window_minutes=4)  # 3 calls
    r = room("busy", calls=3)
    state, effects = _run_wakeup(gateway, [r.uri()] * 3, short_prompt, policy, wake_at)
    assert state.status is w.WakeupStatus.ESCALATED and state.attempt_count == 3
    assert {e.kind for e in effects} == {w.EffectKind.KNOCK_ON_DOOR, w.EffectKind.ALERT_OPERATORS,
                                         w.EffectKind.HANDOVER_ENTRY}
    done = w.mark_reached(state, wake_at + dt.timedelta(minutes=9), by="door")
    assert done.state.status is w.WakeupStatus.DONE and done.state.minutes_late == 9
    assert r.wait() == 0


# ---- against the real core: the gateway's CTI events become call records


def _free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sip_process(core_server, cti_token, tmp_path):
    """``zongji sip`` as its own process, reporting to the core, commanded over loopback."""
    port = _free_tcp_port()
    log = open(tmp_path / "zongji-sip.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "zongji.cli", "sip", "--sip-port", "0", "--log-level", "0",
         "--control-port", str(port), "--control-token", "ctl", "--caller-id", "wakeup",
         "--core-url", core_server, "--cti-token", cti_token],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ZONGJI_DATA_DIR": str(tmp_path)})
    client = HttpTelephonyClient(f"http://127.0.0.1:{port}", token="ctl")
    deadline = time.monotonic() + 20
    while not client.healthy():
        assert proc.poll() is None and time.monotonic() < deadline, (
            (tmp_path / "zongji-sip.log").read_text(errors="replace"))
        time.sleep(0.1)
    yield client, proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(15)


@pytest.mark.both_databases  # the PostgreSQL smoke set (tests/conftest.py)
def test_call_events_reach_the_core_as_call_records(sip_process, session_factory, room,
                                                    short_prompt):
    from zongji.store.models import Call

    client, proc = sip_process
    ok, busy = room("answer_dtmf1"), room("busy")
    r1 = client.place_call(ok.uri("8101"), short_prompt, ("1",), 10, call_id="e2e-ok")
    r2 = client.place_call(busy.uri("8102"), short_prompt, ("1",), 10, call_id="e2e-busy")
    assert (r1.outcome, r2.outcome) == (CallOutcome.ANSWERED_CONFIRMED, CallOutcome.BUSY)
    proc.terminate()  # SIGTERM: stops cleanly after delivering what it has to report
    assert proc.wait(15) == 0
    with session_factory() as s:
        calls = {c.external_id: c for c in s.query(Call).filter(
            Call.external_id.in_(["e2e-ok", "e2e-busy"]))}
    assert set(calls) == {"e2e-ok", "e2e-busy"}
    ok_call, busy_call = calls["e2e-ok"], calls["e2e-busy"]
    assert ok_call.direction == "out" and ok_call.called_number == "8101"
    assert ok_call.calling_number == "wakeup"
    assert ok_call.state == "ended" and ok_call.answered_at is not None
    assert ok_call.hangup_cause == "normalClearing"
    assert busy_call.state == "ended" and busy_call.answered_at is None
    assert busy_call.hangup_cause == "busy"
    # The process is gone: the worker sees it at once.
    with pytest.raises(TelephonyUnavailable):
        client.place_call(ok.uri(), short_prompt)


def test_one_gateway_per_process(gateway):
    with pytest.raises(TelephonyUnavailable, match="one per process"):
        SipGateway(GatewayConfig(sip_port=0, log_level=0)).start()


def test_incoming_calls_are_refused_clearly(gateway, tmp_path):
    proc = subprocess.run(
        [SIPP, "-sf", str(Path(__file__).parent / "sipp" / "caller_refused.xml"),
         f"127.0.0.1:{gateway.local_port}", "-i", "127.0.0.1", "-p", "0", "-m", "1",
         "-nostdin", "-timeout", "10s", "-timeout_error"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    assert proc.returncode == 0  # INVITE answered 480, nothing else
    assert gateway.active_calls == 0


def _start_sip_process(tmp_path, name: str, core_url: str, token: str):
    port = _free_tcp_port()
    log = open(tmp_path / f"{name}.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "zongji.cli", "sip", "--sip-port", "0", "--log-level", "0",
         "--control-port", str(port), "--caller-id", name, "--core-url", core_url,
         "--cti-token", token],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ZONGJI_DATA_DIR": str(tmp_path)})
    client = HttpTelephonyClient(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 20
    while not client.healthy():
        assert proc.poll() is None and time.monotonic() < deadline, (
            (tmp_path / f"{name}.log").read_text(errors="replace"))
        time.sleep(0.1)
    return proc, client


def test_gateway_pool_spreads_lines_and_survives_a_crashed_gateway(core, room, short_prompt,
                                                                   tmp_path):
    from zongji.telephony.control import GatewayPool

    procs = []
    try:
        for name in ("gw-a", "gw-b"):
            procs.append(_start_sip_process(tmp_path, name, core.url,
                                            CTI_TOKEN))
        pool = GatewayPool([c for _, c in procs], lines_each=4, retry_down_seconds=60)
        assert pool.lines == 8
        r = room("answer_dtmf1", calls=12)
        with ThreadPoolExecutor(8) as ex:
            results = list(ex.map(lambda n: pool.place_call(
                r.uri(f"82{n:02d}"), short_prompt, ("1",), 10, key_timeout=5,
                call_id=f"pool-{n}"), range(8)))
        assert [x.outcome for x in results] == [CallOutcome.ANSWERED_CONFIRMED] * 8
        froms = {e["from"] for e in core.events if e["callId"].startswith("pool-")}
        assert froms == {"gw-a", "gw-b"}  # both processes carried calls

        procs[0][0].kill()  # a crash in one SIP stack …
        procs[0][0].wait()
        with ThreadPoolExecutor(4) as ex:
            results = list(ex.map(lambda n: pool.place_call(
                r.uri(f"83{n:02d}"), short_prompt, ("1",), 10, key_timeout=5), range(4)))
        # … and the wake-ups still go out through the other one.
        assert [x.outcome for x in results] == [CallOutcome.ANSWERED_CONFIRMED] * 4
        assert r.wait() == 0

        procs[1][0].kill()
        procs[1][0].wait()
        with pytest.raises(TelephonyUnavailable):
            pool.place_call(r.uri(), short_prompt)
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
