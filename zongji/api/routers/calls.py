"""Call records for the switchboard console (R-C3, R-S4, R-H1, R-H2).

- ``GET /api/calls``: the call log, filtered by local dates, line, operator, outcome, number.
- ``GET /api/calls/active``: the calls the console shows now, of the lines the user works for.
- ``GET /api/calls/categories``: the categories of a line kind (zh and en); without a kind, those
  of the lines the user works for (``zongji.domain.scope``).
- ``GET /api/calls/{id}``: a call with the caller card (identity, earlier calls, greeting).
- ``POST /api/calls/{id}/take``, ``PATCH /api/calls/{id}``, ``POST /api/calls/{id}/close``.
- ``POST /api/calls/supplementary``: a record written afterwards for an after-hours call.

Console roles only. Every change is audited and pushed to the live feed.

Dependency order matters: the user is checked (its own short transaction) before the request's
writing transaction is opened, so SQLite never waits on itself.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request
from pydantic import ConfigDict, Field

from zongji.api.deps import ID_MAX, ReadDB, WriteDB, actor_of, require_roles
from zongji.api.models import ApiModel
from zongji.api.errors import area_router, error_responses, refusals
from zongji.domain import calls as rules
from zongji.domain.roles import CONSOLE_ROLES
from zongji.domain import quality as quality_rules
from zongji.domain import scope as scope_rules
from zongji.services import calls as service
from zongji.services import scope as scope_service
from zongji.services.stats import quality
from zongji.store.models import User

_ID_MAX = ID_MAX
_TEXT = r"^[^\x00]*$"
_CATEGORY_CODES = sorted({c.code for kind in rules.CATEGORIES.values() for c in kind})


_ERRORS = error_responses({404: "No such call", 409: "Conflicts with the call's current state"})

Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
CallId = Annotated[int, Path(ge=1, le=_ID_MAX, description="Call id")]

router = area_router(prefix="/api/calls", tags=["calls"], responses=_ERRORS)


# --------------------------------------------------------------------------- shapes


class LineRef(ApiModel):
    code: str
    name: str
    kind: str


class UserRef(ApiModel):
    id: int
    display_name: str


class CallerOut(ApiModel):
    kind: str
    ref_id: int | None = None
    label: str | None = None
    title: str | None = None
    vip: bool = False


class CategoryOut(ApiModel):
    code: str
    zh: str
    en: str


class CallOut(ApiModel):
    id: int
    external_id: str | None = None
    line: LineRef | None = None
    direction: str
    calling_number: str
    called_number: str
    queue: str | None = None
    state: str
    ringing_at: str | None = None
    answered_at: str | None = None
    ended_at: str | None = None
    ring_seconds: int | None = None
    talk_seconds: int | None = None
    answered_by: UserRef | None = None
    answering_number: str | None = None
    outcome: str | None = None
    hangup_cause: str | None = None
    transfer_target: str | None = None
    caller: CallerOut
    category: str | None = None
    category_label: CategoryOut | None = None
    notes: str | None = None
    closed_at: str | None = None
    supplementary: bool = False
    recorded_by_id: int | None = None
    # Forbidden phrases found in the notes just saved (R-P10): warnings, the save went through.
    phrase_warnings: list[dict[str, Any]] = []


class CallPage(ApiModel):
    items: list[CallOut]
    total: int = Field(description="Calls matching the filter, counted up to 10,000")
    total_exact: bool = Field(description="False: there are more than ``total`` (shown as 10,000+)")
    page: int | None = Field(description="The page asked for by number; null when paged by cursor")
    page_size: int
    next_cursor: str | None = Field(description="``cursor`` of the next (older) page; null on the last")
    prev_cursor: str | None = Field(description="``cursor`` of the previous (newer) page; null on the first")


class ActiveCalls(ApiModel):
    items: list[CallOut]


class CategoriesOut(ApiModel):
    line_kind: str | None
    categories: list[CategoryOut]


class GreetingOut(ApiModel):
    zh: str
    en: str
    script_key: str


class HistoryItem(ApiModel):
    id: int
    line: LineRef | None = None
    direction: str
    ringing_at: str | None = None
    state: str | None = None  # ringing, answered (talking) or ended: a live call has no outcome
    outcome: str | None = None
    talk_seconds: int | None = None
    answered_by: UserRef | None = None
    category: str | None = None
    notes: str | None = None
    supplementary: bool = False


class CardOut(ApiModel):
    model_config = ConfigDict(extra="allow")

    identity: dict[str, Any]
    history: list[HistoryItem]
    greeting: GreetingOut
    internal: bool


class CallDetail(CallOut):
    card: CardOut


class CallUpdateIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(default=None, max_length=60, pattern=_TEXT)
    notes: str | None = Field(default=None, max_length=service.NOTES_MAX, pattern=_TEXT)


class SupplementaryRecordIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    occurred_at: str = Field(
        min_length=1, max_length=40, pattern=_TEXT,
        description="When the call happened: ISO-8601 (local time if no offset)",
    )
    calling_number: str = Field(min_length=1, max_length=64, pattern=_TEXT)
    line: str | None = Field(default=None, max_length=40, pattern=_TEXT, description="Line code")
    called_number: str | None = Field(default=None, max_length=64, pattern=_TEXT)
    direction: Literal["in", "out", "internal"] = "in"
    talk_seconds: int = Field(default=0, ge=0, le=86400)
    outcome: str = Field(default="answered", max_length=30, pattern=_TEXT)
    category: str | None = Field(default=None, max_length=60, pattern=_TEXT)
    notes: str | None = Field(default=None, max_length=service.NOTES_MAX, pattern=_TEXT)
    answered_by: str | None = Field(default=None, max_length=64, pattern=_TEXT,
                                    description="Operator who handled it (id or username)")


# --------------------------------------------------------------------------- endpoints


def _tz(request: Request):
    return request.app.state.settings.tz




@router.get("", response_model=CallPage, summary="Call log",
            openapi_extra=refusals(date_from="an ISO-8601 date or time in the years Zongji keeps",
                                   date_to="an ISO-8601 date or time, not before date_from",
                                   line="a line code Zongji knows", number="digits of a telephone number",
                                   cursor="a next_cursor or prev_cursor this call log gave", operator="a user's id, username or work number",
                                   outcome="one of the outcomes of a call", category="a category of the call log"))
def list_calls(
    user: Console,
    request: Request,
    db: ReadDB,
    date_from: Annotated[str | None, Query(max_length=40, pattern=_TEXT,
                                           description="Local date YYYY-MM-DD or ISO time")] = None,
    date_to: Annotated[str | None, Query(max_length=40, pattern=_TEXT,
                                         description="Local date (inclusive) or ISO time")] = None,
    line: Annotated[str | None, Query(max_length=40, pattern=_TEXT)] = None,
    operator: Annotated[str | None, Query(max_length=64, pattern=_TEXT,
                                          description="User id, username or work number")] = None,
    outcome: Annotated[str | None, Query(max_length=30, pattern=_TEXT)] = None,
    number: Annotated[str | None, Query(
        max_length=64, pattern=_TEXT,
        description="The calling or called number: all of it, its first digits or its last digits "
                    "(digits only; +86/0086 ignored; a fragment from the middle finds nothing)")] = None,
    category: Annotated[str | None, Query(max_length=60, json_schema_extra={"enum": _CATEGORY_CODES})] = None,
    supplementary: bool | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number (an offset: prefer cursor)")] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.PAGE_SIZE_MAX)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, pattern=r"^[A-Za-z0-9_-]*$",
                                        description="next_cursor or prev_cursor of a page (then page is ignored)")] = None,
) -> dict[str, Any]:
    f = service.CallFilter(date_from=date_from, date_to=date_to, line=line, operator=operator,
                           outcome=outcome, number=number, category=category,
                           supplementary=supplementary)
    out = service.list_calls(db, f, tz=_tz(request), page=page, page_size=page_size, cursor=cursor or None,
                             user=user)
    service.audit_guest_callers(request.app.state.session_factory, out["items"], user=user,
                                via="call_log")
    return out


@router.get("/active", response_model=ActiveCalls, summary="Calls the console shows now")
def active_calls(user: Console, request: Request, db: ReadDB) -> dict[str, Any]:
    out = service.active_calls(db, tz=_tz(request), user=user)
    service.audit_guest_callers(request.app.state.session_factory, out["items"], user=user,
                                via="active_calls")
    return out


@router.get("/categories", response_model=CategoriesOut, summary="Call categories of a line kind")
def categories(
    user: Console,
    db: ReadDB,
    line_kind: Annotated[Literal["switchboard", "hotline_400", "hotline_12345"] | None,
                         Query()] = None,
) -> dict[str, Any]:
    # Without a line kind (a call without a line, e.g. from a room): the categories of the
    # kinds of the lines the user works for (issue 8, point 5).
    offered = scope_rules.categories_offered(line_kind, scope_service.scope_of(db, user))
    return {"line_kind": line_kind, "categories": [c.to_dict() for c in offered]}


@router.post("/supplementary", response_model=CallOut, status_code=201,
             openapi_extra=refusals(occurred_at="an ISO-8601 date or time in the years Zongji keeps",
                                    category="one of the categories of the call's line",
                                    line="a line code the user works on",
                                    answered_by="an operator of the organisation",
                                    outcome="one of the outcomes of a call"),
             summary="Record an after-hours call afterwards (R-S4)")
def supplementary(user: Console, body: SupplementaryRecordIn, request: Request,
                  db: WriteDB) -> dict[str, Any]:
    data = service.SupplementaryIn(**body.model_dump())
    return service.record_supplementary(db, data, user, tz=_tz(request))


CriterionKey = Annotated[str, Field(pattern=quality_rules.KEY_PATTERN.pattern)]


class ReviewIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    scores: dict[CriterionKey, Annotated[int, Field(ge=0, le=100)]] = Field(
        description="Points per criterion (GET …/review lists them with their maximum)")
    fatal: bool = Field(False, description="A fatal error: the call scores 0")
    comment: str = Field("", max_length=quality.COMMENT_MAX, pattern=r"^[^\x00]*$")
    item_comments: dict[CriterionKey, Annotated[str, Field(max_length=quality_rules.ITEM_COMMENT_MAX)]] = Field(
        default_factory=dict, max_length=quality_rules.ITEMS_MAX, description="A comment per item")


@router.get("/reviews", summary="Quality scores of some calls (the log's column)")
def review_totals(user: Console, db: ReadDB,
                  call_ids: Annotated[str, Query(max_length=2000, pattern=r"^[0-9]{1,15}(,[0-9]{1,15}){0,199}$",
                                                 description="Comma-separated call ids, at most 200")]) -> dict[str, Any]:
    totals = quality.totals_for(db, user, [int(x) for x in call_ids.split(",")])
    return {"totals": {str(k): v for k, v in totals.items()}}


@router.get("/{call_id}/review", summary="A call's quality review and the criteria",
            openapi_extra=refusals(call_id="a call of the user's lines, answered by them unless they review"))
def get_review(user: Console, call_id: CallId, request: Request, db: ReadDB) -> dict[str, Any]:
    return quality.get_review(db, user, call_id, _tz(request))


@router.put("/{call_id}/review", summary="Score an answered call (shift leader, supervisor, admin)",
            openapi_extra=refusals(call_id="an answered call of the user's lines that they did not answer",
                                   scores="every active evaluation item, within its points",
                                   item_comments="keys of active evaluation items"))
def put_review(user: Console, call_id: CallId, body: ReviewIn, request: Request, db: WriteDB) -> dict[str, Any]:
    return quality.review(db, user, call_id, scores=dict(body.scores), fatal=body.fatal, comment=body.comment,
                          tz=_tz(request), item_comments=dict(body.item_comments))


@router.get("/{call_id}", response_model=CallDetail, summary="A call with the caller card")
def call_detail(user: Console, call_id: CallId, request: Request, db: WriteDB) -> dict[str, Any]:
    settings = request.app.state.settings
    return service.call_detail(db, call_id, tz=settings.tz,
                               history_limit=settings.caller_history_limit,
                               actor=actor_of(user), user_id=user.id)


@router.post("/{call_id}/take", response_model=CallOut, summary="Take the call (it is yours)")
def take(user: Console, call_id: CallId, request: Request, db: WriteDB) -> dict[str, Any]:
    return service.take_call(db, call_id, user, tz=_tz(request))


@router.patch("/{call_id}", response_model=CallOut, summary="Set the category and notes")
def patch(user: Console, call_id: CallId, body: CallUpdateIn, request: Request,
          db: WriteDB) -> dict[str, Any]:
    return service.update_call(db, call_id, user, tz=_tz(request),
                               fields=body.model_dump(exclude_unset=True))


@router.post("/{call_id}/close", response_model=CallOut, summary="Close the call after wrap-up")
def close(user: Console, call_id: CallId, request: Request, db: WriteDB,
          body: CallUpdateIn | None = None) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=True) if body is not None else {}
    return service.update_call(db, call_id, user, tz=_tz(request), fields=fields, close=True)


@asynccontextmanager
async def running(app):
    yield
