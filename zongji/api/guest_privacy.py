"""Every JSON answer of a router that serves guests' records, as the caller's role may see it.

The decision is ``zongji.domain.guest_privacy.view``; this route class applies it once to whole
routers (wake-ups, switchboard), so no endpoint can forget it. The role comes from the session
(``deps.current_user`` keeps it on ``request.state``); answers to integrations (no session role)
are not changed.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Coroutine

from fastapi import Request, Response
from fastapi.routing import APIRoute

from zongji.domain import guest_privacy


class GuestPrivacyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            response = await handler(request)
            role = getattr(request.state, "user_role", None)
            if (role is None or guest_privacy.sees_both(role)
                    or not response.headers.get("content-type", "").startswith("application/json")):
                return response
            body = getattr(response, "body", None)
            if not body or b'"addressed"' not in body:
                return response
            data = guest_privacy.view_tree(role, json.loads(body))
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
            return Response(content=json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(),
                            status_code=response.status_code, headers=headers,
                            media_type="application/json", background=response.background)

        return handle
