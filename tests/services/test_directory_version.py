"""The CTI writer's known numbers are reloaded when the directory changes, not every few seconds,
and outside its write transaction (issue 18, point 2)."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from zongji.domain.caller_id import normalize_number
from zongji.services import cti
from zongji.store.directory_version_models import DirectoryVersion
from zongji.store.models import Organisation, Person


def _version(session_factory) -> int:
    with session_factory() as s:
        return int(s.scalar(select(DirectoryVersion.version).where(DirectoryVersion.id == 1)) or 0)


def test_number_writes_bump_the_version_and_other_writes_do_not(write, session_factory):
    with write() as s:
        org = Organisation(code="o", name="O", kind="company")
        s.add(org)
        s.flush()
        org_id = org.id
    v0 = _version(session_factory)
    with write() as s:
        s.add(Person(organisation_id=org_id, name="张三", mobile="13800000001"))
    v1 = _version(session_factory)
    assert v1 > v0
    with write() as s:
        s.execute(update(Person).values(title="经理"))
    assert _version(session_factory) == v1  # not a number: no reload
    with write() as s:
        s.execute(update(Person).values(office_phone="010-88880000"))
    v2 = _version(session_factory)
    assert v2 > v1
    with write() as s:
        s.execute(delete(Person))
    assert _version(session_factory) > v2


def test_known_numbers_reload_on_change_only(write, session_factory):
    known = cti.KnownNumbers(check=0)
    known.refresh(session_factory)
    known.refresh(session_factory)
    assert known.loads == 1
    number = normalize_number("13800000002")
    with session_factory() as s:
        assert not known.may_match(s, number)
    with write() as s:
        org = Organisation(code="o", name="O", kind="company")
        s.add(org)
        s.flush()
        s.add(Person(organisation_id=org.id, name="李四", mobile="13800000002"))
    known.refresh(session_factory)
    assert known.loads == 2
    with session_factory() as s:
        assert known.may_match(s, number)
    known.refresh(session_factory)
    assert known.loads == 2
