"""A real PBX's transfer results reach the transfer attempts (issue 3 §1, §9; R-H3, R-C3): CTI
events (``transfer`` with transferTo, ``answer`` with answeringNumber, ``hangup`` with a cause)
are matched with the call's ringing attempt after the CTI batch commits; and the switchboard
adapter is chosen by ``ZONGJI_SWITCHBOARD_ADAPTER`` (``simulated`` or ``package.module:Class``).
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from zongji.bootstrap import bootstrap, shutdown, switchboard_adapter
from zongji.demo.data import DEMO_CTI_TOKEN, HOTEL_LINE_NUMBER
from zongji.errors import ZongjiError
from zongji.services import cti
from zongji.services.switchboard.pbx import run_pbx_command
from zongji.services.switchboard.transfers import on_cti_reports, start_transfer
from zongji.store.models import Call, Department, User, utcnow
from zongji.store.switchboard_models import TransferAttempt
from tests.switchboard_support import demo  # noqa: F401 (fixtures)

FRONT_OFFICE_EXT = "6100"  # 前厅部/总台: open round the clock in the demo


def _cti(session_factory, settings, call_id: str, kind: str, at: dt.datetime, **extra: Any) -> cti.Result:
    body = {"event": kind, "callId": call_id, "from": "13800138000", "to": HOTEL_LINE_NUMBER,
            "direction": "in", "at": at.isoformat(), **extra}
    item = cti.parse_json(body, utcnow(), cti.hash_token(DEMO_CTI_TOKEN))
    [res] = cti.process_batch(session_factory, cti.Ingestor(settings.tz), [item])
    assert res.error is None, res.error
    return res


def _ringing_attempt(session_factory, write, settings, call_id: str) -> tuple[int, dt.datetime]:
    t0 = utcnow()
    _cti(session_factory, settings, call_id, "newCall", t0)
    _cti(session_factory, settings, call_id, "answer", t0 + dt.timedelta(seconds=3), answeringNumber="1001")
    with write() as s:
        user = s.scalar(select(User).where(User.username == "operator"))
        call = s.scalar(select(Call).where(Call.external_id == call_id))
        fo = s.scalar(select(Department.id).where(Department.name == "前厅部/总台"))
        out = start_transfer(s, user, settings, target_kind="department", target_id=fo, call_id=call.id,
                             caller_name=None, purpose=None, call_purpose="unknown", urgent=False,
                             guest_consent=None, callee_accepts=None, guest_name=None, emergency=False,
                             at=t0 + dt.timedelta(seconds=5))
    assert out["attempt"]["result"] == "ringing"
    return out["attempt"]["id"], t0 + dt.timedelta(seconds=5)


def _attempt(session_factory, attempt_id: int) -> TransferAttempt:
    with session_factory() as s:
        return s.get(TransferAttempt, attempt_id)


def test_answer_by_the_target_number_marks_the_attempt_answered(demo, session_factory, write, settings):
    attempt_id, started = _ringing_attempt(session_factory, write, settings, "pbx-answer")
    # The operator's own answer (1001) and an answer by another number do not count.
    _cti(session_factory, settings, "pbx-answer", "answer", started + dt.timedelta(seconds=2),
         answeringNumber="6101")
    assert _attempt(session_factory, attempt_id).result == "ringing"
    _cti(session_factory, settings, "pbx-answer", "answer", started + dt.timedelta(seconds=7),
         answeringNumber=FRONT_OFFICE_EXT)
    a = _attempt(session_factory, attempt_id)
    assert (a.result, a.ring_seconds) == ("answered", 7)
    with session_factory() as s:
        call = s.scalar(select(Call).where(Call.external_id == "pbx-answer"))
        assert call.transfer_target == "前厅部/总台"


def test_transfer_event_with_transfer_to_marks_it_answered(demo, session_factory, write, settings):
    attempt_id, started = _ringing_attempt(session_factory, write, settings, "pbx-transfer")
    res = _cti(session_factory, settings, "pbx-transfer", "transfer", started + dt.timedelta(seconds=4),
               transferTo="6100")
    assert res.transfer_report is not None
    a = _attempt(session_factory, attempt_id)
    assert (a.result, a.ring_seconds) == ("answered", 4)
    # A replay of the same event changes nothing (and reports nothing again).
    again = _cti(session_factory, settings, "pbx-transfer", "transfer", started + dt.timedelta(seconds=4),
                 transferTo="6100")
    assert again.duplicate and again.transfer_report is None


@pytest.mark.parametrize(("cause", "result"), [("busy", "busy"), ("noAnswer", "no_answer"),
                                               ("congestion", "failed"), ("normalClearing", "ringing")])
def test_hangup_of_the_transfer_leg_ends_the_attempt(demo, session_factory, write, settings, cause, result):
    attempt_id, started = _ringing_attempt(session_factory, write, settings, f"pbx-hangup-{cause}")
    _cti(session_factory, settings, f"pbx-hangup-{cause}", "hangup", started + dt.timedelta(seconds=9),
         answeringNumber=FRONT_OFFICE_EXT, cause=cause)
    assert _attempt(session_factory, attempt_id).result == result


def test_events_for_a_call_without_attempts_cost_one_query_and_change_nothing(demo, session_factory, settings):
    t0 = utcnow()
    _cti(session_factory, settings, "pbx-plain", "newCall", t0)
    res = _cti(session_factory, settings, "pbx-plain", "answer", t0, answeringNumber="1001")
    assert res.transfer_report is not None
    assert on_cti_reports(session_factory, [res.transfer_report], tz=settings.tz) == 0


# --------------------------------------------------------------------------- adapter by setting


class RecordingPbx:
    """A stand-in for a real PBX's adapter, loaded by its dotted path."""

    def __init__(self, *, settings, report):
        self.settings = settings
        self.report = report
        self.sent: list[tuple] = []

    def transfer(self, call_external_id, target_number, *, ref):
        self.sent.append(("transfer", call_external_id, target_number, ref))

    def set_message_lamp(self, extension, on):
        self.sent.append(("lamp", extension, on))

    def lock_line(self, extension, locked):
        self.sent.append(("lock", extension, locked))


class NotAnAdapter:
    def transfer(self, call_external_id, target_number, *, ref):
        pass


def test_adapter_is_chosen_by_setting_and_reports_through_the_core(demo, session_factory, write, settings, request):
    custom = settings.model_copy(update={"switchboard_adapter": f"{__name__}:RecordingPbx"})
    runtime = bootstrap(custom)
    request.addfinalizer(lambda: shutdown(runtime))
    attempt_id, started = _ringing_attempt(session_factory, write, custom, "pbx-custom")
    pbx = runtime.pbx()
    assert isinstance(pbx, RecordingPbx)
    with write() as s:
        job_payload = {"command": "transfer", "attempt_id": attempt_id, "number": FRONT_OFFICE_EXT,
                       "call_external_id": "pbx-custom"}
        run_pbx_command(s, job_payload, utcnow(), pbx, custom.tz)
    assert pbx.sent == [("transfer", "pbx-custom", FRONT_OFFICE_EXT, str(attempt_id))]
    pbx.report({"event": "transferFailed", "ref": str(attempt_id), "cause": "busy",
                "at": (started + dt.timedelta(seconds=2)).isoformat()})
    assert _attempt(session_factory, attempt_id).result == "busy"


@pytest.mark.parametrize("spec", ["asterisk", "no.such.module:Pbx", f"{__name__}:Missing",
                                  f"{__name__}:NotAnAdapter"])
def test_a_bad_adapter_setting_is_an_error_naming_the_setting(settings, session_factory, spec):
    bad = settings.model_copy(update={"switchboard_adapter": spec})
    with pytest.raises(ZongjiError) as exc:
        switchboard_adapter(bad, session_factory)
    assert exc.value.field == "switchboard_adapter"
    assert "ZONGJI_SWITCHBOARD_ADAPTER" in str(exc.value)
