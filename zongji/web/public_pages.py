"""The citizens' pages, without login (issue 15, point 4): ``/report`` files a request (type,
place with an optional map point, description, photos) and returns a tracking number;
``/track`` shows its progress by number and telephone. zh-CN and English; laid out for a phone."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request) -> Response:
    s = request.app.state.settings
    return shell.render(request, "report.html", None, config={"report_photos_max": s.intake_web_photos_max,
                                                              "report_photo_max_bytes": s.attachment_max_bytes})


@router.get("/track", response_class=HTMLResponse)
def track_page(request: Request) -> Response:
    return shell.render(request, "track.html", None, config={})
