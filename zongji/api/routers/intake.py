"""The intake queue of every channel but the phone, and the SMS gateway's inbound webhook
(issue 15, points 1, 2 and 7).

Console (session): ``GET /api/intake/queue``; per waiting message ``GET …/candidates``,
``POST …/order`` (a new work order), ``POST …/add`` (to an existing order), ``POST …/answer``
(answered and closed, e.g. from the knowledge base); an order's conversation
``GET/POST /api/intake/orders/{order_id}/conversation``; the channel figures
``GET /api/intake/figures``. The SMS gateway: ``POST /api/v1/sms/inbound`` with an integration
token of scope ``sms`` (README "SMS inbound")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import ConfigDict, Field

from zongji.api.deps import ID_MAX, IdPath, ReadDB, WriteDB, integration_actor, require_roles
from zongji.api.errors import ErrorOut, area_router, refusals
from zongji.api.models import ApiModel
from zongji.domain.roles import CONSOLE_ROLES
from zongji.errors import Invalid
from zongji.services.intake import figures, open311, queue, sms, wechat
from zongji.services.work_orders import detail
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import User, utcnow

router = area_router(tags=["intake"])
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
SmsActor = Annotated[str, Depends(integration_actor("sms"))]


class FromMessageIn(ApiModel):
    """The order's fields as for ``POST /api/work-orders``; the channel is the message's, the
    description defaults to its text and the caller's number to its sender (SMS)."""

    model_config = ConfigDict(extra="forbid")
    order_type: str = Field(max_length=20)
    description: str = Field(default="", max_length=4000)
    situation: str | None = Field(default=None, max_length=40)
    line_code: str | None = Field(default=None, max_length=40)
    category: str | None = Field(default=None, max_length=200)
    urgency: str = Field(default="normal", max_length=20)
    caller_name: str | None = Field(default=None, max_length=100)
    caller_number: str | None = Field(default=None, max_length=64)
    contact_consent: bool = True
    place: str | None = Field(default=None, max_length=4000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class AddIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    order_id: int = Field(ge=1, le=ID_MAX)


class AnswerIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500)
    article_id: int | None = Field(default=None, ge=1, le=ID_MAX)


class ReplyIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500)


class SmsIn(ApiModel):
    """One SMS, or one part of a long one, as the gateway received it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    message_id: str = Field(min_length=1, max_length=100)
    from_: str = Field(alias="from", min_length=1, max_length=32)
    to: str | None = Field(default=None, max_length=32)
    text: str = Field(max_length=2000)
    reference: str | None = Field(default=None, max_length=20)
    part: int | None = Field(default=None, ge=1, le=255)
    total: int | None = Field(default=None, ge=1, le=255)


def _settings(request: Request):
    return request.app.state.settings


@router.get("/api/intake/queue", openapi_extra={"x-refusals": {"line": "one of the user's lines"}})
def get_queue(user: Console, db: ReadDB, line: Annotated[str | None, Query(max_length=40)] = None) -> dict[str, Any]:
    """Waiting messages of the user's lines (and of none); ``line``: one line's only."""
    return {"items": queue.waiting(db, user, now=utcnow(), line=line or None),
            "lines": queue.lines_to_choose(db, user)}


@router.get("/api/intake/messages/{message_id}/candidates")
def get_candidates(message_id: IdPath, request: Request, user: Console, db: ReadDB) -> dict[str, Any]:
    return queue.candidates(db, user, message_id, _settings(request))


_ORDER_RULES = refusals(
    order_type="one of the order types", situation="one of the type's situations, required where it decides handling",
    category="a category of the catalogue", line_code="a line the user works on", urgency="one of the urgencies",
    description="not blank", caller_name="given when the caller agrees to be contacted",
    latitude="given with longitude", longitude="given with latitude", place="a place for an order that needs one",
    caller_number="a telephone number", details="the fields the type asks for",
    close_directly="only for a situation that closes directly", message_id="a waiting message")


@router.post("/api/intake/messages/{message_id}/order", status_code=201, openapi_extra=_ORDER_RULES)
def make_order(message_id: IdPath, body: FromMessageIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    s = _settings(request)
    row = queue.make_order(db, user, message_id, body.model_dump(), s)
    return detail.order_detail(db, row, Viewer.of(user), tz=s.tz)


@router.post("/api/intake/messages/{message_id}/add", openapi_extra=refusals(message_id="a waiting message",
                                                                             order_id="an order the user may see"))
def add_to_order(message_id: IdPath, body: AddIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    row = queue.add_to_order(db, user, message_id, body.order_id, _settings(request))
    return {"order_id": row.id, "number": row.number}


@router.post("/api/intake/messages/{message_id}/answer", openapi_extra=refusals(
    message_id="a waiting message", article_id="an article of the knowledge base", text="not blank"))
def answer(message_id: IdPath, body: AnswerIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    out = queue.answer(db, user, message_id, body.text, _settings(request), article_id=body.article_id)
    return {"reply_id": out.id, "state": out.state}


@router.get("/api/intake/orders/{order_id}/conversation")
def get_conversation(order_id: IdPath, user: Console, db: WriteDB) -> dict[str, Any]:
    return {"items": queue.conversation(db, user, order_id)}


@router.post("/api/intake/orders/{order_id}/conversation", status_code=201, openapi_extra=refusals(
    order_id="an order with a message to answer", text="not blank"))
def reply(order_id: IdPath, body: ReplyIn, user: Console, db: WriteDB) -> dict[str, Any]:
    out = queue.reply_on_order(db, user, order_id, body.text)
    return {"reply_id": out.id, "state": out.state}


@router.get("/api/intake/figures", openapi_extra=refusals(date_to="after date_from, at most 366 days later"))
def get_figures(request: Request, user: Console, db: ReadDB, date_from: dt.date,
                date_to: Annotated[dt.date, Query()]) -> dict[str, Any]:
    if not (date_from < date_to <= date_from + dt.timedelta(days=366)):
        raise Invalid("date_to must be after date_from and at most 366 days later", field="date_to")
    return {"items": figures.channel_figures(db, date_from, date_to, _settings(request).tz)}


@router.post("/api/v1/sms/inbound", tags=["SMS gateway (integration)"], responses={429: {
    "model": ErrorOut, "description": "More than INTAKE_SMS_MAX_PER_HOUR messages from this number within an "
                                      "hour: deliver it again after Retry-After seconds",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}}},
    openapi_extra=refusals(
    **{"from": "a telephone number", "part": "with total, at most total", "total": "with part",
       "reference": "given for a part of a long message", "text": "not blank, at most the configured length"}))
def sms_inbound(body: SmsIn, actor: SmsActor, request: Request, db: WriteDB) -> dict[str, Any]:
    r = sms.accept(db, _settings(request), sms.Inbound(
        message_id=body.message_id, sender=body.from_, text=body.text, to=body.to, reference=body.reference,
        part=body.part, total=body.total), now=utcnow())
    return {"accepted": True, "duplicate": r.duplicate, "complete": r.complete, "intake_message_id": r.intake_message_id,
            "answered": r.answered}


_WX_QUERY = {"signature": "sha1 of the sorted token, timestamp and nonce", "timestamp": "given", "nonce": "given"}


@router.get("/api/v1/wechat", tags=["WeChat Official Account (integration)"], response_class=PlainTextResponse,
            openapi_extra=refusals(**_WX_QUERY, echostr="given"))
def wechat_check(request: Request, signature: Annotated[str, Query(max_length=64)],
                 timestamp: Annotated[str, Query(max_length=20)], nonce: Annotated[str, Query(max_length=64)],
                 echostr: Annotated[str, Query(max_length=200)]) -> Response:
    """WeChat's server check: ``echostr`` back when the signature matches (docs/wechat.md)."""
    wechat.verify(_settings(request), signature=signature, timestamp=timestamp, nonce=nonce)
    return PlainTextResponse(echostr)


@router.post("/api/v1/wechat", tags=["WeChat Official Account (integration)"], response_class=PlainTextResponse,
             openapi_extra=refusals(**_WX_QUERY, body="one XML message", MsgId="a number",
                                    FromUserName="within its hourly limit"))
async def wechat_message(request: Request, db: WriteDB, signature: Annotated[str, Query(max_length=64)],
                         timestamp: Annotated[str, Query(max_length=20)],
                         nonce: Annotated[str, Query(max_length=64)]) -> Response:
    """One message (text, image, location) into the queue, idempotent on MsgId; ``success`` or a
    passive reply XML (a status query), well within WeChat's 5 s."""
    settings = _settings(request)
    wechat.verify(settings, signature=signature, timestamp=timestamp, nonce=nonce)
    body = await request.body()
    r = wechat.accept(db, settings, body, now=utcnow())
    if r.xml:
        return Response(r.body, media_type="application/xml")
    return PlainTextResponse(r.body)


class ClientIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)


@router.get("/api/open311/clients", tags=["Open311 administration"])
def list_clients(user: Console, db: ReadDB) -> dict[str, Any]:
    return {"items": open311.clients(db, user)}


@router.post("/api/open311/clients", status_code=201, tags=["Open311 administration"],
             openapi_extra=refusals(name="not blank"))
def issue_client(body: ClientIn, user: Console, db: WriteDB) -> dict[str, Any]:
    """A client application's api_key: in this answer only (its SHA-256 is stored)."""
    c, key = open311.issue_client(db, user, body.name)
    return {**open311.client_out(c), "api_key": key}


@router.post("/api/open311/clients/{client_id}/revoke", tags=["Open311 administration"])
def revoke_client(client_id: IdPath, user: Console, db: WriteDB) -> dict[str, Any]:
    return open311.client_out(open311.revoke_client(db, user, client_id))
