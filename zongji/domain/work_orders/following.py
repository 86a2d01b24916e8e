"""Duplicates following a primary (R-P8).

Binding an order as a *duplicate* of another (the primary) is more than a label: while the
duplicate is still with the shift leader (created or returned) it is not dispatched or closed on
its own and its dispatch clock stops (``bound_at``); when the primary's unit replies, the reply is
copied to it (``follow_reply``) and it goes to the callback list for its own caller — "every
caller on a bound order still gets their own callback". Unbinding restores independence. These
are not ``Action``s (they are not posted to /actions): the service calls them when orders are
bound, unbound or the primary replied.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from zongji.domain.roles import Role
from zongji.domain.work_orders.errors import ActionForbidden, IllegalTransition, require_aware, require_text
from zongji.domain.work_orders.state import Actor, TimelineEntry, WorkOrderState, timeline_entry
from zongji.domain.roles import CONSOLE_ROLES
from zongji.domain.work_orders.words import FOLLOWING_STATUSES, Status

def bind_duplicate(
    state: WorkOrderState, primary_id: int, actor: Actor | Role | str, at: datetime, *, primary_number: str = ""
) -> tuple[WorkOrderState, TimelineEntry]:
    """Make ``state`` follow ``primary_id`` as its duplicate."""
    a = Actor.coerce(actor)
    require_aware(at, "at")
    if a.role not in CONSOLE_ROLES:
        raise ActionForbidden(f"Role {a.role} may not bind work orders", code="role_not_allowed")
    if state.status not in FOLLOWING_STATUSES:
        raise IllegalTransition(
            f"R-P8: only an order not yet with a unit can follow another as its duplicate; this one is "
            f"{state.status.replace('_', ' ')} — bind it as related instead",
            code="cannot_follow",
        )
    if state.duplicate_of == primary_id:
        raise IllegalTransition("The order already follows that order", code="already_bound")
    new = replace(state, duplicate_of=primary_id, bound_at=at)
    return new, timeline_entry(state, new, "bind_duplicate", a, at, {"primary_id": primary_id, "primary_number": primary_number})


def unbind_duplicate(state: WorkOrderState, actor: Actor | Role | str, at: datetime) -> tuple[WorkOrderState, TimelineEntry]:
    """The order no longer follows a primary. Still with the shift leader, it needs its own
    dispatch again: a fresh dispatch clock from now (R-P4)."""
    a = Actor.coerce(actor)
    require_aware(at, "at")
    if state.duplicate_of is None:
        raise IllegalTransition("The order does not follow another order", code="not_bound")
    if state.is_following:
        # Created or returned: it waits for its own dispatch again, a fresh clock from now.
        new = replace(state, duplicate_of=None, bound_at=None, dispatch_clock_from=at, dispatch_clock_to=None)
    else:  # it already got the primary's reply: its history stays as it was
        new = replace(state, duplicate_of=None)
    return new, timeline_entry(state, new, "unbind_duplicate", a, at, {"primary_id": state.duplicate_of})


def follow_reply(
    state: WorkOrderState, primary_id: int, reply_text: str, actor: Actor | Role | str, at: datetime, *,
    primary_number: str = "",
) -> tuple[WorkOrderState, TimelineEntry]:
    """The primary was replied: the duplicate gets the reply and waits for its own callback."""
    a = Actor.coerce(actor)
    require_aware(at, "at")
    if not state.is_following or state.duplicate_of != primary_id:
        raise IllegalTransition("The order does not follow that order", code="not_following")
    text = require_text(reply_text, "The reply", "text")
    new = replace(
        state, status=Status.REPLIED, replied_at=at, reply_text=text, callback=None, callback_started_at=None,
        callback_agreed_at=None, callback_attempts=0,
    )
    return new, timeline_entry(state, new, "follow_reply", a, at,
                               {"primary_id": primary_id, "primary_number": primary_number, "text": text})
