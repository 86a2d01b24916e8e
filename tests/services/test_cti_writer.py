"""The CTI write path: concurrent writers, group commit, isolation of a failing event."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

from sqlalchemy import func, select

from zongji.services import auth, cti
from zongji.settings import Settings
from zongji.store.db import make_engine, make_session_factory
from zongji.store.models import Call, CallEvent, FeedItem

T0 = dt.datetime(2025, 5, 1, 0, 0, tzinfo=dt.UTC)


def _event(token: str, call_id: str, kind: str, seconds: int, **extra):
    body = {"event": kind, "callId": call_id, "from": "13800138000", "to": "02088886666",
            "direction": "in", "at": (T0 + dt.timedelta(seconds=seconds)).isoformat(), **extra}
    return cti.parse_json(body, T0, cti.hash_token(token))


def test_two_concurrent_writers_on_the_same_call_make_one_call(settings, write):
    """Two writers (as in two server processes: own engine, own caches) race on each call."""
    with write() as s:
        token = auth.add_integration_token(s, "pbx").token
    calls = [f"race-{i}" for i in range(30)]
    script = [("newCall", 0, {}), ("answer", 5, {"answeringNumber": "1001"}),
              ("hangup", 65, {"cause": "normalClearing"})]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[list[cti.Result]] = [[], []]

    def writer(n: int) -> None:
        engine = make_engine(settings.resolved_database_url)
        factory = make_session_factory(engine)
        ingestor = cti.Ingestor(settings.tz)
        try:
            barrier.wait()
            for call_id in calls:
                # Each writer gets the same events, in a different order.
                events = script if n == 0 else list(reversed(script))
                for kind, sec, extra in events:
                    results[n] += cti.process_batch(factory, ingestor,
                                                    [_event(token, call_id, kind, sec, **extra)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert all(r.error is None for rs in results for r in rs)
    with write() as s:
        assert s.scalar(select(func.count(Call.id))) == len(calls)
        assert s.scalar(select(func.count(CallEvent.id))) == len(calls) * 3
        for call in s.scalars(select(Call)).unique():
            assert (call.outcome, call.ring_seconds, call.talk_seconds) == ("answered", 5, 60)
    # Each event was new for exactly one of the writers.
    new = sum(1 for rs in results for r in rs if not r.duplicate)
    assert new == len(calls) * 3


def test_one_batch_many_events_one_commit(session_factory, settings, write):
    with write() as s:
        token = auth.add_integration_token(s, "pbx").token
    items = []
    for i in range(50):
        items += [_event(token, f"b-{i}", "newCall", 0), _event(token, f"b-{i}", "hangup", 9,
                                                                cause="cancel")]
    items.append(items[0])  # a replay inside the same batch
    results = cti.process_batch(session_factory, cti.Ingestor(settings.tz), items)
    assert [r.duplicate for r in results].count(True) == 1
    assert results[-1].call_id == results[0].call_id
    with write() as s:
        assert s.scalar(select(func.count(Call.id))) == 50
        assert s.scalar(select(func.count(FeedItem.id))) == 50  # one per changed call
        assert set(s.scalars(select(Call.outcome))) == {"abandoned"}


def test_the_writer_thread_answers_each_request_after_commit(settings, write):
    with write() as s:
        token = auth.add_integration_token(s, "pbx").token
    engine = make_engine(settings.resolved_database_url)
    writer = cti.CtiWriter(make_session_factory(engine), tz=settings.tz, batch_max=25)
    writer.start()

    async def send_all():
        events = [_event(token, f"w-{i}", "newCall", 0) for i in range(100)]
        events.append(cti.parse_json({"event": "newCall", "callId": "w-x", "from": "1", "to": "2",
                                      "direction": "in"}, T0, cti.hash_token("wrong")))
        return await asyncio.gather(*(writer.submit(e) for e in events))

    try:
        results = asyncio.run(send_all())
    finally:
        writer.stop()
        engine.dispose()
    assert all(r.error is None and r.call_id for r in results[:-1])
    assert results[-1].error is not None and results[-1].error.status_code == 401
    assert writer.batches >= 4  # batches of at most 25
    with write() as s:
        assert s.scalar(select(func.count(Call.id))) == 100


def test_settings_batch_max_default():
    assert Settings().cti_batch_max >= 1


def test_event_keys_sort_by_day_and_replays_stay_duplicates(session_factory, settings, write):
    """Keys start with their UTC day (a day's inserts sit together in the unique index); an event
    with ``at`` keeps its key on every replay; one without ``at`` replayed the next day is found
    under the day before's key (issue 18, point 2)."""
    with write() as s:
        token = auth.add_integration_token(s, "pbx").token
    h = cti.hash_token(token)
    plain = {"event": "newCall", "callId": "k-1", "from": "13800138000", "to": "02088886666",
             "direction": "in"}
    evening = T0 + dt.timedelta(hours=23, minutes=50)
    first = cti.parse_json(plain, evening, h)
    next_day = cti.parse_json(plain, evening + dt.timedelta(minutes=20), h)
    two_days = cti.parse_json(plain, evening + dt.timedelta(days=1, minutes=20), h)
    timed = _event(token, "k-2", "newCall", 30)
    timed_later = cti.parse_json({**plain, "callId": "k-2", "at": (T0 + dt.timedelta(seconds=30)).isoformat()},
                                 T0 + dt.timedelta(days=3), h)
    assert first.key.startswith("20250501-") and next_day.key.startswith("20250502-")
    assert first.key < next_day.key < two_days.key and len(first.key) == 49
    assert timed_later.key == timed.key and timed.earlier == ()
    assert next_day.earlier == (first.key,)

    ingestor = cti.Ingestor(settings.tz)
    assert [r.duplicate for r in cti.process_batch(session_factory, ingestor, [first, timed])] == [False, False]
    # The next day's replays (one in the same batch as a new event of another call).
    other = cti.parse_json({**plain, "callId": "k-3"}, evening + dt.timedelta(minutes=20), h)
    results = cti.process_batch(session_factory, ingestor, [next_day, timed_later, other])
    assert [r.duplicate for r in results] == [True, True, False]
    assert results[0].call_id == cti.process_batch(session_factory, ingestor, [first])[0].call_id
    with write() as s:
        assert s.scalar(select(func.count(CallEvent.id))) == 3
        assert s.scalar(select(func.count(Call.id))) == 3
    # Two days later the same event without ``at`` is no longer recognised: a new event row
    # (the call's record is unchanged: merging the same fact again changes nothing).
    assert cti.process_batch(session_factory, ingestor, [two_days])[0].duplicate is False
    with write() as s:
        assert s.scalar(select(func.count(Call.id))) == 3
