"""The knowledge base (知识库; issue 11). Everyone logged in reads and searches; the office
(supervisors, admins) edits and decides proposals; a handling unit proposes for its own unit.

- ``GET /api/knowledge/search?q=&line=&limit=``: published articles valid today, best first;
- ``GET /api/knowledge/articles?unit_id=&review_due=``: the list, with review flags;
- ``POST /api/knowledge/articles``: create (office) or propose (unit) — 201 with ``article`` or
  ``proposal``;
- ``GET|PUT /api/knowledge/articles/{id}``; ``GET /api/knowledge/articles/{id}/versions``;
- ``GET /api/knowledge/proposals?state=``; ``POST /api/knowledge/proposals/{id}/approve|reject``;
- ``GET|PUT /api/knowledge/synonyms`` (``{"lines": ["流浪狗 = 流浪犬只 = 野狗", …]}``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from pydantic import ConfigDict, Field

from zongji.api.deps import ID_MAX, CurrentUser, IdPath, IsoOnly, ReadDB, WriteDB
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.services import scope as scope_service
from zongji.services.knowledge import articles, search, synonyms

router = area_router(prefix="/api/knowledge", tags=["knowledge"], responses=error_responses({404: "No such record"}))

LineCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]


class ArticleIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    answer: str = Field(min_length=1, max_length=20000)
    keywords: list[Annotated[str, Field(max_length=60)]] = Field(default_factory=list, max_length=100)
    category: str = Field("", max_length=80)
    lines: list[LineCode] = Field(default_factory=list, max_length=50)
    unit_id: int | None = Field(None, ge=1, le=ID_MAX)
    valid_from: Annotated[dt.date | None, IsoOnly] = None
    valid_to: Annotated[dt.date | None, IsoOnly] = None
    next_review: Annotated[dt.date | None, IsoOnly] = None
    status: Literal["draft", "published", "archived"] = "draft"
    note: str = Field("", max_length=2000)


class ArticleUpdate(ArticleIn):
    version: int | None = Field(None, ge=1, le=ID_MAX, description="The version edited (409 if it changed)")


class DecisionIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=2000)


class SynonymsIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[Annotated[str, Field(max_length=500)]] = Field(max_length=5000)


def _today(request: Request) -> dt.date:
    return dt.datetime.now(request.app.state.settings.tz).date()


def _data(body: ArticleIn) -> dict[str, Any]:
    return body.model_dump(exclude={"version"})


def _result(db, request: Request, out: Any) -> dict[str, Any]:
    return articles.result_out(db, out, _today(request))


ARTICLE_REFUSALS = dict(
    title="not blank", answer="not blank",
    lines="each a line that exists", unit_id="a unit that exists; a unit user's own unit only",
    valid_to="not before valid_from", article_id="the office or the owning unit only",
    version="the article's current version",
)


def _organisations(db, user) -> frozenset[int] | None:
    """The organisations whose articles the user sees: those they work for (None: all)."""
    scope = scope_service.scope_of(db, user)
    return None if scope is None else scope.organisation_filter


@router.get("/search", summary="Search published articles valid today")
def search_articles(user: CurrentUser, request: Request, db: ReadDB,
                    q: Annotated[str, Query(min_length=1, max_length=500)],
                    line: Annotated[str | None, Query(max_length=40)] = None,
                    limit: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    today = _today(request)
    found = search.search(db, q, day=today, line=line or None, limit=limit,
                          max_share=request.app.state.settings.knowledge_common_term_share,
                          organisations=_organisations(db, user))
    return {"results": [articles.article_out(db, a, today) | {"score": score} for a, score in found]}


@router.get("/articles", summary="Articles, with review flags")
def list_articles(user: CurrentUser, request: Request, db: ReadDB,
                  unit_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
                  review_due: bool = False) -> dict[str, Any]:
    today = _today(request)
    rows = articles.listing(db, unit_id=unit_id, review_due_on=today if review_due else None,
                            organisations=_organisations(db, user))
    return {"articles": [articles.article_out(db, a, today) for a in rows]}


@router.post("/articles", status_code=201, summary="Create (office) or propose (unit) an article",
             openapi_extra=refusals(**ARTICLE_REFUSALS))
def create_article(body: ArticleIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    out = articles.create(db, user, _data(body))
    db.flush()
    return _result(db, request, out)


@router.get("/articles/{article_id}", summary="One article")
def get_article(article_id: IdPath, user: CurrentUser, request: Request, db: ReadDB) -> dict[str, Any]:
    return {"article": articles.article_out(db, articles.get(db, article_id), _today(request))}


@router.put("/articles/{article_id}", summary="Change (office) or propose a change (owning unit)",
            openapi_extra=refusals(**ARTICLE_REFUSALS))
def update_article(article_id: IdPath, body: ArticleUpdate, user: CurrentUser, request: Request,
                   db: WriteDB) -> dict[str, Any]:
    out = articles.update(db, user, article_id, _data(body), expected_version=body.version)
    db.flush()
    return _result(db, request, out)


@router.get("/articles/{article_id}/versions", summary="Every version, with who changed what")
def article_versions(article_id: IdPath, user: CurrentUser, db: ReadDB) -> dict[str, Any]:
    return {"versions": [articles.version_out(v) for v in articles.versions(db, article_id)]}


@router.get("/proposals", summary="Proposals: the office sees all, a unit its own")
def list_proposals(user: CurrentUser, db: ReadDB,
                   state: Literal["pending", "approved", "rejected"] | None = "pending") -> dict[str, Any]:
    return {"proposals": [articles.proposal_out(p) for p in articles.visible_proposals(db, user, state)]}


@router.post("/proposals/{proposal_id}/approve", summary="Approve a proposal (office)",
             openapi_extra=refusals(proposal_id="a pending proposal; the office only", **ARTICLE_REFUSALS))
def approve(proposal_id: IdPath, body: DecisionIn, user: CurrentUser, request: Request, db: WriteDB) -> dict[str, Any]:
    p = articles.decide(db, user, proposal_id, approve=True, reason=body.reason)
    return {"proposal": articles.proposal_out(p)}


@router.post("/proposals/{proposal_id}/reject", summary="Reject a proposal with a reason (office)",
             openapi_extra=refusals(proposal_id="a pending proposal; the office only", reason="required"))
def reject(proposal_id: IdPath, body: DecisionIn, user: CurrentUser, db: WriteDB) -> dict[str, Any]:
    p = articles.decide(db, user, proposal_id, approve=False, reason=body.reason)
    return {"proposal": articles.proposal_out(p)}


@router.get("/synonyms", summary="The synonym table")
def get_synonyms(user: CurrentUser, db: ReadDB) -> dict[str, Any]:
    return {"lines": synonyms.groups(db)}


@router.put("/synonyms", summary="Replace the synonym table (office); articles are re-indexed",
            openapi_extra=refusals(lines="the office only"))
def put_synonyms(body: SynonymsIn, user: CurrentUser, db: WriteDB) -> dict[str, Any]:
    return {"lines": synonyms.replace(db, user, body.lines)}
