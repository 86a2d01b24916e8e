"""Switchboard API (issue 3): transfers, messages, do-not-disturb, lines, faults, silence alerts,
information answers and the handover log. Console roles only; line settings for supervisors and
admins. A guest's room number never appears in any answer here except the DND list for roles in
``ROOM_NUMBER_ROLES``; reads of guest data are audited."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Response
from pydantic import AwareDatetime, ConfigDict, Field

from zongji.api.guest_privacy import GuestPrivacyRoute
from zongji.api.deps import ID_MAX, ReadDB, WriteDB, get_settings, require_roles
from zongji.api.models import ApiModel
from zongji.api.errors import area_router, refusals, stripped_text_schema
from zongji.domain.roles import ADMIN_ROLES, CONSOLE_ROLES
from zongji.services import handover as handover_service
from zongji.services import information
from zongji.services import staff_leave
from zongji.services.directory import audit_guest_reads
from zongji.services.switchboard import (
    dnd,
    line_faults,
    lines,
    message_records,
    message_sending,
    messages,
    silence,
    transfers,
)
from zongji.settings import Settings
from zongji.store.models import User

router = area_router(prefix="/api", tags=["switchboard"], route_class=GuestPrivacyRoute)

Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Admin = Annotated[User, Depends(require_roles(ADMIN_ROLES))]
IdPath = Annotated[int, Path(ge=1, le=ID_MAX)]


Cfg = Annotated[Settings, Depends(get_settings)]


@asynccontextmanager
async def running(app):
    yield


class _In(ApiModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=stripped_text_schema)


# --------------------------------------------------------------------------- transfers


class TransferIn(_In):
    call_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    target_kind: Literal["person", "department", "guest", "room", "line"]
    target_id: int = Field(ge=1, le=ID_MAX)
    caller_name: str | None = Field(default=None, max_length=100)
    purpose: str | None = Field(default=None, max_length=200)
    call_purpose: Literal["business", "personal", "unknown"] = "unknown"
    urgent: bool = False
    guest_consent: bool | None = None
    callee_accepts: bool | None = None
    guest_name: str | None = Field(default=None, max_length=100)
    emergency: bool = False


class DecideIn(TransferIn):
    # True (the console): a refusal on a call (DND, closed, stay denied, personal call …) is
    # recorded as a refused attempt at once, once per call and refusal (R-H3, R-C3).
    record_refused: bool = False


@router.post("/switchboard/transfers/decide")
def decide_transfer(body: DecideIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    """What would happen if the call were put through now: outcome, reason, script. Not recorded,
    except with ``record_refused`` and a ``call_id``: a refusal is then recorded as a refused
    attempt (``attempt`` in the answer; asking again for the same refusal gives the same row).
    Writes also the audit of the guest data read."""
    values = body.model_dump()
    if values.pop("record_refused"):
        return transfers.decide_and_record_refusal(db, user, settings, **values)
    d, facts, _call = transfers.decide(db, user, settings=settings, **values)
    return {"decision": transfers.decision_out(d, facts, settings), "attempt": None}


@router.post("/switchboard/transfers", status_code=201)
def start_transfer(body: TransferIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    """Decide and record the attempt on the call; when it rings, the PBX is told to transfer and
    the call comes back after ``transfer_no_answer_seconds`` without an answer (R-H3)."""
    return transfers.start_transfer(db, user, settings, **body.model_dump())


@router.get("/switchboard/transfers")
def list_transfers(user: Console, db: ReadDB, settings: Cfg,
                   call_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None) -> dict[str, Any]:
    return {"items": transfers.list_attempts(db, call_id=call_id, tz=settings.tz)}


@router.get("/switchboard/transfers/{attempt_id}")
def get_transfer(attempt_id: IdPath, user: Console, db: ReadDB, settings: Cfg) -> dict[str, Any]:
    return transfers.get_attempt(db, attempt_id, settings.tz, settings)


# --------------------------------------------------------------------------- messages


class MessageIn(_In):
    """``recipient_kind`` "room": for whoever is in house in the room given by ``room`` (its number)
    or ``recipient_id`` (the room's id); the answer then names only the room (R-H4)."""

    recipient_kind: Literal["guest", "staff", "department", "room"]
    recipient_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    room: str | None = Field(default=None, min_length=1, max_length=20)
    caller_name: str = Field(max_length=100)
    caller_number: str = Field(default="", max_length=64)
    content: str = Field(max_length=4000)
    read_back: bool = False
    urgent: bool = False
    call_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    deliver_by: list[Literal["lamp", "sms", "email", "pager", "console"]] | None = Field(default=None, max_length=5)
    # An address typed by the operator per channel (else the directory's): {"email": "a@b.cn"}.
    send_to: dict[Literal["sms", "email", "pager"], Annotated[str, Field(max_length=200)]] | None = None


class SendIn(_In):
    channel: Literal["sms", "email", "pager"]
    address: str | None = Field(default=None, max_length=200)


class DeliveryIn(_In):
    channel: Literal["sms", "email", "pager", "console", "lamp", "phone"] = Field(
        description="How it reached the recipient; phone: the operator called and told them")
    detail: str | None = Field(default=None, max_length=200)


class AcknowledgeIn(_In):
    by: str | None = Field(default=None, max_length=100)


class VoidIn(_In):
    reason: str = Field(max_length=500)


@router.post("/switchboard/messages", status_code=201, openapi_extra=refusals(
    recipient_id="a person, a guest or a room must be named", room="a room of the hotel"))
def take_message(body: MessageIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return messages.take_message(db, user, settings, **body.model_dump())


@router.get("/switchboard/messages")
def list_messages(user: Console, db: ReadDB, settings: Cfg,
                  state: Literal["open", "all"] = "open",
                  recipient_kind: Literal["guest", "staff", "department"] | None = None,
                  recipient_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None) -> dict[str, Any]:
    return {"items": messages.list_messages(db, tz=settings.tz, open_only=state == "open", recipient_kind=recipient_kind,
                                      recipient_id=recipient_id)}


@router.post("/switchboard/messages/{message_id}/deliveries")
def deliver_message(message_id: IdPath, body: DeliveryIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return messages.deliver_message(db, user, settings, message_id, channel=body.channel, detail=body.detail)


@router.post("/switchboard/messages/{message_id}/acknowledge")
def acknowledge_message(message_id: IdPath, user: Console, db: WriteDB, settings: Cfg,
                        body: AcknowledgeIn | None = None) -> dict[str, Any]:
    return messages.acknowledge_message(db, user, settings, message_id, by=body.by if body else None)


@router.post("/switchboard/messages/{message_id}/void")
def void_message(message_id: IdPath, body: VoidIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return messages.void_message(db, user, settings, message_id, reason=body.reason)


@router.post("/switchboard/messages/{message_id}/send", status_code=202)
def send_message(message_id: IdPath, body: SendIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    """Send by SMS, e-mail or pager: queued for the worker; the result shows on the message."""
    message_sending.request_send(db, user, settings, message_id, channel=body.channel, address=body.address)
    m = message_records.get_message(db, message_id)
    return message_records.publish_message(db, m, settings.tz)


@router.get("/switchboard/messages/{message_id}/channels")
def message_channels(message_id: IdPath, user: Console, db: ReadDB, settings: Cfg) -> dict[str, Any]:
    """Channels the message can be sent by and the directory's address for each (null: type one)."""
    return {"channels": message_sending.channels_for(db, message_records.get_message(db, message_id)),
            "unavailable": message_sending.unavailable_channels(settings)}


@router.get("/switchboard/recipient-channels")
def recipient_channels(user: Console, db: WriteDB, settings: Cfg,
                       recipient_kind: Literal["guest", "staff", "department"],
                       recipient_id: Annotated[int, Query(ge=1, le=ID_MAX)]) -> dict[str, Any]:
    """For the message form before the message exists: channels and directory addresses (guests
    masked; the guest read is audited)."""
    if recipient_kind == "guest":
        audit_guest_reads(db, [recipient_id], user=user, via="message_channels")
    return {"channels": message_sending.channels_for_recipient(db, recipient_kind, recipient_id),
            "unavailable": message_sending.unavailable_channels(settings)}


# --------------------------------------------------------------------------- staff leave (R-S5)


class LeaveIn(_In):
    person_id: int = Field(ge=1, le=ID_MAX)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime
    deputy_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    note: str | None = Field(default=None, max_length=500)


@router.get("/switchboard/leaves")
def list_leaves(user: Console, db: ReadDB, settings: Cfg,
                person_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
                state: Literal["current", "all"] = "current") -> dict[str, Any]:
    return {"items": staff_leave.list_leaves(db, settings.tz, person_id=person_id, current_only=state == "current")}


@router.post("/switchboard/leaves", status_code=201, openapi_extra=refusals(
    ends_at="after starts_at", deputy_id="someone other than the person"))
def set_leave(body: LeaveIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return staff_leave.set_leave(db, user, settings.tz, **body.model_dump())


@router.post("/switchboard/leaves/{leave_id}/cancel")
def cancel_leave(leave_id: IdPath, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return staff_leave.cancel_leave(db, user, settings.tz, leave_id)


# --------------------------------------------------------------------------- do-not-disturb


class DndIn(_In):
    """``subject_kind`` "room": DND for whoever is in house in the room given by ``room`` (its
    number) or ``subject_id`` (the room's id); the answer then names only the room (R-H4, R-H8)."""

    subject_kind: Literal["guest", "person", "room"]
    subject_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    room: str | None = Field(default=None, min_length=1, max_length=20)
    reason: str | None = Field(default=None, max_length=500)
    until: AwareDatetime | None = None
    until_checkout: bool = False


class DndCancelIn(_In):
    reason: str | None = Field(default=None, max_length=500)


class RoomDndCancelIn(_In):
    room: str = Field(min_length=1, max_length=20)
    reason: str | None = Field(default=None, max_length=500)


@router.get("/switchboard/dnd")
def list_dnd(user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    """Active DND. Room numbers only for roles that need them; the guest reads are audited."""
    return {"items": dnd.list_dnd(db, user, settings)}


@router.post("/switchboard/dnd", status_code=201, openapi_extra=refusals(
    subject_id="a guest or a person must be named", room="a room of the hotel", until="in the future"))
def set_dnd(body: DndIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return dnd.set_dnd(db, user, settings, **body.model_dump())


@router.post("/switchboard/dnd/room-cancel")
def cancel_room_dnd(body: RoomDndCancelIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    """Cancel the DND of a room by its number (the room board), without the DND's id."""
    return dnd.cancel_room_dnd(db, user, settings, body.room, reason=body.reason)


@router.post("/switchboard/dnd/{dnd_id}/cancel")
def cancel_dnd(dnd_id: IdPath, user: Console, db: WriteDB, settings: Cfg,
               body: DndCancelIn | None = None) -> dict[str, Any]:
    return dnd.cancel_dnd(db, user, settings, dnd_id, reason=body.reason if body else None)


# --------------------------------------------------------------------------- lines, faults, alerts


CodePath = Annotated[str, Path(min_length=1, max_length=40)]


class LineSettingsIn(_In):
    """Only the fields sent are changed. ``greeting_zh`` / ``greeting_en`` / ``internal_greeting_zh``:
    the line's own greeting templates (``{greeting}`` = 早上好 / Good morning, ``{organisation}``,
    ``{line}``); null or "" goes back to the built-in greeting of the line's kind (R-H1, R-C1,
    R-S14, R-P10). ``inbound_only``: R-S1."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    number: str | None = Field(default=None, min_length=1, max_length=40)
    kind: Literal["switchboard", "hotline_400", "hotline_12345"] | None = None
    inbound_only: bool | None = None
    greeting_zh: str | None = Field(default=None, max_length=500)
    greeting_en: str | None = Field(default=None, max_length=500)
    internal_greeting_zh: str | None = Field(default=None, max_length=500)
    working_hours: dict[str, Any] | None = None
    responsible_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    responsible_on_leave: bool | None = None
    leave_until: AwareDatetime | None = None
    deputy_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    after_hours_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    silence_check: bool | None = None


class FaultIn(_In):
    cause: str = Field(max_length=1000)
    started_at: AwareDatetime | None = None
    reported_to: str | None = Field(default=None, max_length=100)


class FaultCloseIn(_In):
    resolution: str | None = Field(default=None, max_length=1000)
    ended_at: AwareDatetime | None = None


class TestCallIn(_In):
    ok: bool
    cause: str | None = Field(default=None, max_length=1000)


@router.get("/switchboard/lines")
def list_lines(user: Console, db: ReadDB, settings: Cfg) -> dict[str, Any]:
    return {"items": lines.list_lines(db, settings)}


@router.get("/switchboard/lines/{code}")
def get_line(code: CodePath, user: Console, db: ReadDB, settings: Cfg) -> dict[str, Any]:
    return lines.get_line(db, code, settings)


@router.put("/switchboard/lines/{code}")
def update_line(code: CodePath, body: LineSettingsIn, user: Admin, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return lines.update_line_settings(db, user, settings, code, body.model_dump(exclude_unset=True))


@router.post("/switchboard/lines/{code}/outbound-check")
def outbound_check(code: CodePath, user: Console, db: ReadDB) -> dict[str, Any]:
    """R-S1: 409 ``inbound_only`` when outbound calls are not allowed on the line."""
    return lines.check_outbound(db, code)


@router.post("/switchboard/lines/{code}/faults", status_code=201)
def open_fault(code: CodePath, body: FaultIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return line_faults.open_fault(db, user, settings, code, cause=body.cause, started_at=body.started_at,
                         reported_to=body.reported_to)


@router.get("/switchboard/faults")
def list_faults(user: Console, db: ReadDB, settings: Cfg, state: Literal["open", "all"] = "open") -> dict[str, Any]:
    return {"items": line_faults.list_faults(db, settings, open_only=state == "open")}


@router.post("/switchboard/faults/{fault_id}/close")
def close_fault(fault_id: IdPath, body: FaultCloseIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return line_faults.close_fault(db, user, settings, fault_id, resolution=body.resolution, ended_at=body.ended_at)


@router.get("/switchboard/line-violations")
def list_violations(user: Console, db: ReadDB, settings: Cfg) -> dict[str, Any]:
    """Outbound calls the PBX reported on inbound-only lines in the last 30 days (R-S1)."""
    return {"items": lines.list_violations(db, settings)}


@router.get("/switchboard/alerts")
def list_alerts(user: Console, db: ReadDB, settings: Cfg, state: Literal["open", "all"] = "open") -> dict[str, Any]:
    return {"items": silence.list_alerts(db, settings, open_only=state == "open")}


@router.post("/switchboard/alerts/{alert_id}/test-call")
def test_call(alert_id: IdPath, body: TestCallIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return silence.record_test_call(db, user, settings, alert_id, ok=body.ok, cause=body.cause)


# --------------------------------------------------------------------------- information


@router.get("/information", openapi_extra=refusals(q="not blank"))
def information_answer(user: Console, db: ReadDB, settings: Cfg,
                       q: Annotated[str, Query(max_length=100)]) -> dict[str, Any]:
    """World time, facilities and hours, long-distance rates, common numbers of a category."""
    return information.answer(db, q, settings)


@router.get("/information/common-numbers")
def common_numbers(user: Console, db: ReadDB) -> dict[str, Any]:
    return {"categories": information.common_numbers_by_category(db)}


class FacilityIn(_In):
    """A facility or service and its hours (R-H7); ``working_hours`` as for lines, null: no hours
    given. ``organisation_id``: default the user's organisation, else the only hotel."""

    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    category: str = Field(min_length=1, max_length=40)
    location: str | None = Field(default=None, max_length=100)
    location_en: str | None = Field(default=None, max_length=100)
    working_hours: dict[str, Any] | None = None
    extension: str | None = Field(default=None, max_length=20, pattern=r"^\s*[0-9*#]*\s*$")
    note: str | None = Field(default=None, max_length=1000)
    keywords: str | None = Field(default=None, max_length=500)
    organisation_id: int | None = Field(default=None, ge=1, le=ID_MAX)


class RateIn(_In):
    """A long-distance rate (R-H7): price per started minute in CNY, service charge included."""

    kind: Literal["idd", "ddd"]
    destination: str = Field(min_length=1, max_length=100)
    destination_en: str | None = Field(default=None, max_length=100)
    dial_code: str | None = Field(default=None, max_length=20)
    per_minute: float = Field(gt=0, le=1000)
    minimum_minutes: int = Field(default=1, ge=1, le=60)
    note: str | None = Field(default=None, max_length=1000)
    keywords: str | None = Field(default=None, max_length=500)
    organisation_id: int | None = Field(default=None, ge=1, le=ID_MAX)


@router.get("/information/facilities")
def list_facilities(user: Console, db: ReadDB, settings: Cfg) -> dict[str, Any]:
    return {"items": information.list_facilities(db, settings)}


@router.post("/information/facilities", status_code=201, openapi_extra=refusals(
    organisation_id="needed when the user works for several organisations", working_hours="as for lines",
    name="not blank", category="not blank"))
def create_facility(body: FacilityIn, user: Admin, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return information.save_facility(db, user, settings, body.model_dump())


@router.put("/information/facilities/{facility_id}", openapi_extra=refusals(
    organisation_id="needed when the user works for several organisations", working_hours="as for lines",
    name="not blank", category="not blank"))
def update_facility(facility_id: IdPath, body: FacilityIn, user: Admin, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    """Replace the facility's fields (organisation_id is ignored: an entry stays where it is)."""
    return information.save_facility(db, user, settings, body.model_dump(), facility_id=facility_id)


@router.delete("/information/facilities/{facility_id}", status_code=204)
def delete_facility(facility_id: IdPath, user: Admin, db: WriteDB) -> Response:
    information.delete_facility(db, user, facility_id)
    return Response(status_code=204)


@router.get("/information/rates")
def list_rates(user: Console, db: ReadDB) -> dict[str, Any]:
    return {"items": information.list_rates(db)}


@router.post("/information/rates", status_code=201, openapi_extra=refusals(organisation_id="needed when the user works for several organisations"))
def create_rate(body: RateIn, user: Admin, db: WriteDB) -> dict[str, Any]:
    return information.save_rate(db, user, body.model_dump())


@router.put("/information/rates/{rate_id}", openapi_extra=refusals(organisation_id="needed when the user works for several organisations"))
def update_rate(rate_id: IdPath, body: RateIn, user: Admin, db: WriteDB) -> dict[str, Any]:
    """Replace the rate's fields (organisation_id is ignored)."""
    return information.save_rate(db, user, body.model_dump(), rate_id=rate_id)


@router.delete("/information/rates/{rate_id}", status_code=204)
def delete_rate(rate_id: IdPath, user: Admin, db: WriteDB) -> Response:
    information.delete_rate(db, user, rate_id)
    return Response(status_code=204)


@router.get("/information/world-time", openapi_extra=refusals(city="a city Zongji knows"))
def world_time(user: Console, settings: Cfg, city: Annotated[str, Query(min_length=1, max_length=60)]) -> dict[str, Any]:
    return information.city_time(city, settings)


# --------------------------------------------------------------------------- handover


class EntryIn(_In):
    text: str = Field(max_length=2000)
    section: Literal["dnd", "messages", "vips", "callbacks", "faults", "entries"] | None = None


@router.get("/handover/current")
def handover_current(user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    """The handover being prepared, assembled now (guest reads audited, hence a writing session)."""
    return handover_service.current(db, user, settings)


@router.post("/handover/current/entries", status_code=201, openapi_extra=refusals(text="not blank"))
def handover_entry(body: EntryIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return handover_service.add_entry(db, user, settings, text=body.text, section=body.section)


@router.post("/handover/current/sign-off")
def handover_sign_off(user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return handover_service.sign_off(db, user, settings)


@router.post("/handover/{handover_id}/acknowledge")
def handover_acknowledge(handover_id: IdPath, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return handover_service.acknowledge(db, user, settings, handover_id)


@router.get("/handover", openapi_extra=refusals(
    date_from="an ISO-8601 date or time in the years Zongji keeps", date_to="not before date_from"))
def handover_search(user: Console, db: ReadDB, settings: Cfg,
                    q: Annotated[str | None, Query(max_length=100)] = None,
                    date_from: Annotated[str | None, Query(max_length=40)] = None,
                    date_to: Annotated[str | None, Query(max_length=40)] = None) -> dict[str, Any]:
    return {"items": handover_service.search(db, settings, q=q, date_from=date_from, date_to=date_to,
                                             user=user)}


@router.get("/handover/{handover_id}")
def handover_get(handover_id: IdPath, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return handover_service.get(db, user, settings, handover_id)

