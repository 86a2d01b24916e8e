"""`zongji fias` as a real process killed mid-conversation (issue 16 point 6): records received
are committed before the next is read, the resync on reconnect restores what was lost in the
kill, and the outbox is never lost — on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from sqlalchemy import func, select

from zongji.demo.fias_pms import FiasPms
from zongji.domain.fias.equipment import RoomEquipment, equipment_record
from zongji.services.fias import outbox
from zongji.store.db import transaction
from zongji.store.fias_models import FiasOutbox, FiasReservation
from zongji.store.migrate import alembic_config
from zongji.store.models import Stay, utcnow

from tests.fias_support import make_rooms, until

ROOMS = tuple(f"{1200 + i}" for i in range(1, 11))


def _start(db_url, port, tmp_path) -> subprocess.Popen:
    env = {**os.environ, "ZONGJI_DATABASE_URL": db_url, "ZONGJI_DATA_DIR": str(tmp_path),
           "ZONGJI_FIAS_PORT": str(port), "ZONGJI_FIAS_POLL_SECONDS": "0.05",
           "ZONGJI_FIAS_BACKOFF_SECONDS": "0.05", "ZONGJI_FIAS_ALIVE_SECONDS": "5"}
    return subprocess.Popen([sys.executable, "-m", "zongji.cli", "fias"], env=env,
                            stdout=open(tmp_path / "fias.log", "ab"), stderr=subprocess.STDOUT)


def _kill(p: subprocess.Popen) -> None:
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=10)


def _queue(session_factory, settings, rooms, lamp):
    with transaction(session_factory) as s:
        for room in rooms:
            outbox.enqueue(s, equipment_record(RoomEquipment(room, lamp=lamp), utcnow(), settings.tz))


def _pending(s):
    return s.scalar(select(func.count()).select_from(FiasOutbox).where(FiasOutbox.state == "pending"))


async def test_killed_link_process_loses_and_duplicates_nothing(settings, db_url, write, session_factory, tmp_path):
    from alembic import command

    command.stamp(alembic_config(db_url), "head")  # create_all made the schema
    make_rooms(write, ROOMS)
    pms = FiasPms()
    port = await pms.listen()
    procs = [_start(db_url, port, tmp_path)]
    try:
        await pms.wait_for(lambda r: r.kind == "DR", timeout=30)
        # ten check-ins in a burst, and the link process is killed right behind them
        for i, room in enumerate(ROOMS):
            await pms.check_in(f"K{i}", room, f"Guest{i}")
        _kill(procs[-1])
        _queue(session_factory, settings, ROOMS[:3], True)  # Zongji's records while it is down
        procs.append(_start(db_url, port, tmp_path))
        await pms.wait_for(lambda r: r.kind == "DR", count=2, timeout=30)
        await until(session_factory, lambda s: s.scalar(select(func.count()).select_from(FiasReservation)) == 10
                    and not _pending(s), timeout=20)
        # the PMS reads but stops confirming; the process is killed with a batch unconfirmed
        pms.answer_la = False
        _queue(session_factory, settings, ROOMS[3:5], False)
        await pms.wait_for(lambda r: r.kind == "RE", count=5, timeout=20)
        _kill(procs[-1])
        pms.answer_la = True
        procs.append(_start(db_url, port, tmp_path))
        await pms.wait_for(lambda r: r.kind == "DR", count=3, timeout=30)
        await until(session_factory, lambda s: not _pending(s), timeout=20)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=10)
        await pms.close()
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Stay)) == 10  # each guest once
        assert s.scalar(select(func.count()).select_from(Stay).where(Stay.status == "in_house")) == 10
    sent = [(r.get("RN"), r.get("ML")) for r in pms.received if r.kind == "RE"]
    first = [(room, "Y") for room in ROOMS[:3]]
    unconfirmed = [(room, "N") for room in ROOMS[3:5]]
    # in order; the confirmed records once; the unconfirmed batch again after the restart
    assert sent[:3] == first and sent[3:5] == unconfirmed and sent[5:] == unconfirmed
