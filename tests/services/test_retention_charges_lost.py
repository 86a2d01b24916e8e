"""Retention of call charges and lost-and-found entries (issue 18 point 3, R-S17) on both
databases: a run anonymises the settled call charges whose call is past the period — the number
dialled (an emergency number is kept), the stay, a write-off's reason — and the lost-and-found
entries returned or disposed of before it — the finder, the owner, the description; a younger,
unsettled or still open one is left byte for byte as it was; the charge figures (long-distance
statistics, the company numbers' statement, the missed charges, the special calls) and the open
lost-and-found list are the same before and after; a second run changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.retention_support import rows_of
from tests.services.test_call_charges import _call, _hotel
from zongji.domain.retention import anonymise
from zongji.services import retention
from zongji.services.charges import reports
from zongji.services.guestsvc import records
from zongji.services.retention import runs
from zongji.settings import Settings
from zongji.store.charges_models import CallCharge
from zongji.store.guestsvc_models import GsLostItem
from zongji.store.models import Department, Stay
from zongji.store.retention_models import RetentionRun

NOW = dt.datetime(2026, 12, 4, 4, 0, tzinfo=dt.UTC)
CUTOFF = NOW - dt.timedelta(days=1095)
OWNER = "王芳 13800001111"
CHARGE_PERSONAL = ("dialled", "stay_id", "reason")
LOST_PERSONAL = ("found_by", "returned_to", "description")


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    # Batches of two: a run walks each table in several.
    return Settings(database_url=db_url, data_dir=tmp_path, retention_batch_rows=2)


def _charge(s, at: dt.datetime, dialled: str, kind: str, state: str, *, stay_id: int | None = None,
            department_id: int | None = None, talk: int = 125, amount: int = 2400, reason: str | None = None,
            call_id: int | None = None) -> int:
    c = CallCharge(call_id=call_id, called_at=at, extension="8500" if department_id else "1201", dialled=dialled, kind=kind,
                   destination="英国" if kind == "idd" else None, talk_seconds=talk, units=-(-talk // 60),
                   per_minute_fen=800, amount_fen=amount, room_number=None if department_id else "1201",
                   stay_id=stay_id, department_id=department_id, state=state, attempts=1, adapter="test-pms",
                   reference="F1" if state == "posted" else None, reason=reason,
                   settled_by="user:li" if state in ("written_off", "by_hand") else None, created_at=at,
                   posted_at=at + dt.timedelta(minutes=5) if state == "posted" else None)
    s.add(c)
    s.flush()
    return c.id


def _lost(s, found: dt.datetime, *, returned: dt.datetime | None = None, disposed: dt.datetime | None = None) -> int:
    x = GsLostItem(description="黑色钱包，内有身份证（王芳）", found_where="大堂", found_by="保洁员李梅",
                   found_at=found, kept_where="礼宾部保险柜", dispose_after=(found + dt.timedelta(days=90)).date(),
                   recorded_by="user:zhao", returned_to=OWNER if returned else None, returned_at=returned,
                   disposed_at=disposed)
    s.add(x)
    s.flush()
    return x.id


def _build(write) -> dict[str, int]:
    _hotel(write)
    d = dt.timedelta(days=1)
    emergency_call = _call(write, "1201", "110", 60, now=CUTOFF - 3 * d + dt.timedelta(minutes=30))
    with write() as s:
        stay = s.scalar(select(Stay.id))
        dep = s.scalar(select(Department.id).where(Department.name == "销售部"))
        return {
            "c_posted": _charge(s, CUTOFF - 5 * d, "004420712345678", "idd", "posted", stay_id=stay),
            "c_written_off": _charge(s, CUTOFF - 4 * d, "02887654321", "ddd", "written_off", stay_id=stay,
                                     reason="王芳投诉线路故障，经理同意不收"),
            "c_emergency": _charge(s, CUTOFF - 3 * d, "110", "free", "free", stay_id=stay, amount=0,
                                   call_id=emergency_call),
            "c_account": _charge(s, CUTOFF - 2 * d, "02888880000", "ddd", "account", department_id=dep),
            "c_refused": _charge(s, CUTOFF - 1 * d, "004420700000000", "idd", "refused", stay_id=stay,
                                 reason="PMS: guest checked out"),  # old, but not settled: still listed
            "c_service": _charge(s, CUTOFF - dt.timedelta(hours=1), "", "service", "posted", stay_id=stay, talk=0),
            "c_edge": _charge(s, CUTOFF, "004420712345678", "idd", "posted", stay_id=stay),  # on the cut-off
            "c_young": _charge(s, CUTOFF + d, "004420712345678", "idd", "by_hand", stay_id=stay),
            "l_returned": _lost(s, CUTOFF - 20 * d, returned=CUTOFF - 10 * d),
            "l_disposed": _lost(s, CUTOFF - 19 * d, disposed=CUTOFF - d),
            "l_open": _lost(s, CUTOFF - 18 * d),  # old, but still kept: stays
            "l_closed_late": _lost(s, CUTOFF - 17 * d, returned=CUTOFF + d),
            "l_young": _lost(s, CUTOFF + d, returned=NOW - d),
        }


def _figures(s, settings) -> dict:
    day = CUTOFF.date()
    return {
        "long_distance": reports.long_distance(s, settings, date_from=day - dt.timedelta(days=7),
                                               date_to=day + dt.timedelta(days=2)),
        "statements": [reports.statement(s, settings, month=m) for m in ("2023-11", "2023-12")],
        "missed": reports.listing(s, settings, view="missed"),
        "special": [(i["id"], i["reasons"], i["amount_fen"], i["state"]) for week in (-7, 0)
                    for i in reports.special_calls(s, settings, day=day + dt.timedelta(days=week))["items"]],
        "lost_open": [records.lost_out(x, settings.tz, NOW.date()) for x in records.lost_open(s)],
    }


def _all_rows(s) -> dict:
    return {m: rows_of(s, m, set(s.scalars(select(m.id)))) for m in (CallCharge, GsLostItem)}


def _kept(row: dict, personal: tuple[str, ...]) -> dict:
    return {k: v for k, v in row.items() if k not in personal}


def test_expired_charges_and_lost_items_are_anonymised_and_the_figures_stay(write, session_factory, settings):
    ids = _build(write)
    old_charges = {ids[k] for k in ("c_posted", "c_written_off", "c_emergency", "c_account", "c_service")}
    old_lost = {ids["l_returned"], ids["l_disposed"]}
    with session_factory() as s:
        figures = _figures(s, settings)
        assert figures["long_distance"]["total"]["idd_count"] == 4 and figures["missed"]["missed_total"] == 1
        assert figures["statements"][1]["total"]["calls"] == 1
        assert (ids["c_emergency"], ["emergency"]) in [(i, r) for i, r, *_ in figures["special"]]
        assert len(figures["lost_open"]) == 1
        before = _all_rows(s)

    key = retention.run(session_factory, settings, NOW, run_key="cl-1")

    with session_factory() as s:
        assert _figures(s, settings) == figures
        after = _all_rows(s)
        # Younger, unsettled, on the cut-off or still open: byte for byte as they were.
        for model, olds in ((CallCharge, old_charges), (GsLostItem, old_lost)):
            assert {i: r for i, r in after[model].items() if i not in olds} == \
                {i: r for i, r in before[model].items() if i not in olds}

        charges = after[CallCharge]
        for i in old_charges:
            assert charges[i]["stay_id"] is None and charges[i]["reason"] is None
            assert _kept(charges[i], CHARGE_PERSONAL) == _kept(before[CallCharge][i], CHARGE_PERSONAL)
        for k in ("c_posted", "c_written_off", "c_account"):
            new, old = charges[ids[k]]["dialled"], before[CallCharge][ids[k]]["dialled"]
            assert anonymise.is_stand_in(new) and old not in new
        # The same number, the same stand-in; an emergency number is no one's and stays.
        assert charges[ids["c_posted"]]["dialled"] == anonymise.stand_in("004420712345678", _key(settings))
        assert charges[ids["c_emergency"]]["dialled"] == "110" and charges[ids["c_service"]]["dialled"] == ""
        assert {c.id for c in s.scalars(select(CallCharge).where(CallCharge.dialled == "004420712345678"))} == \
            {ids["c_edge"], ids["c_young"]}

        for i in old_lost:
            new, old = after[GsLostItem][i], before[GsLostItem][i]
            assert (new["found_by"], new["returned_to"], new["description"]) == (anonymise.ERASED, None, "")
            assert _kept(new, LOST_PERSONAL) == _kept(old, LOST_PERSONAL)

        report = {r.kind: r for r in s.scalars(select(RetentionRun).where(RetentionRun.run_key == key))}
        assert (report["call_charges"].rows, report["lost_items"].rows) == (5, 2)
        assert report["call_charges"].action == report["lost_items"].action == "anonymise"
        assert report["call_charges"].batches >= 3 and report["lost_items"].batches >= 3
        assert report["call_charges"].cutoff == report["lost_items"].cutoff == CUTOFF

    # A second run: nothing left to change.
    retention.run(session_factory, settings, NOW, run_key="cl-2")
    with session_factory() as s:
        assert _all_rows(s) == after
        assert _figures(s, settings) == figures
        second = {r["kind"]: r["rows"] for r in runs.list_runs(s) if r["run"] == "cl-2"}
        assert (second["call_charges"], second["lost_items"]) == (0, 0)


def test_a_charge_or_an_entry_kept_back_is_anonymised_once_settled_or_closed(write, session_factory, settings):
    """The walk resumes at the first row it kept back, so one settled or closed later is found."""
    ids = _build(write)
    retention.run(session_factory, settings, NOW, run_key="cl-a")
    with write() as s:
        c = s.get(CallCharge, ids["c_refused"])
        assert c.dialled == "004420700000000" and c.stay_id is not None
        c.state, c.reason, c.settled_by = "written_off", "客人已离店", "user:li"
        x = s.get(GsLostItem, ids["l_open"])
        assert x.found_by == "保洁员李梅"
        x.disposed_at = CUTOFF - dt.timedelta(hours=1)
    key = retention.run(session_factory, settings, NOW, run_key="cl-b")
    with session_factory() as s:
        c = s.get(CallCharge, ids["c_refused"])
        assert anonymise.is_stand_in(c.dialled) and (c.stay_id, c.reason, c.state) == (None, None, "written_off")
        x = s.get(GsLostItem, ids["l_open"])
        assert (x.found_by, x.description, x.kept_where) == (anonymise.ERASED, "", "礼宾部保险柜")
        assert s.get(GsLostItem, ids["l_closed_late"]).found_by == "保洁员李梅"
        rows = dict(s.execute(select(RetentionRun.kind, RetentionRun.rows).where(RetentionRun.run_key == key)).all())
        assert (rows["call_charges"], rows["lost_items"]) == (1, 1)


def _key(settings: Settings) -> bytes:
    from zongji.services.retention.keys import anonymisation_key

    return anonymisation_key(settings)
