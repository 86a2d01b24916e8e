"""The states of a call charge until it is on the guest's folio (R-H10), as a rule table.

``queued`` — to be posted to the folio of the guest who stayed in the room at the time;
``pending`` — handed to the PMS, waiting for its answer; ``posted``; ``refused`` — the PMS said
no (listed for a person); ``no_stay`` — nobody stayed in the room at that time (listed);
``account`` — a department's extension: charged to its account, nothing to post; ``free``;
``unrated`` — no rate for the number dialled (listed); ``by_hand`` — a person posted it at the front desk; ``written_off`` — a person decided not to
charge it (with a reason). A charge is never dropped: anything not posted stays listed in the
missed-charges report until a person settles it.
"""

from __future__ import annotations

from typing import Literal

State = Literal["queued", "pending", "posted", "refused", "no_stay", "unrated", "account", "free", "by_hand",
                "written_off"]
STATES: tuple[State, ...] = ("queued", "pending", "posted", "refused", "no_stay", "unrated", "account", "free",
                             "by_hand", "written_off")
# Not (yet) on a folio: the missed or skipped charges report.
NOT_POSTED: tuple[State, ...] = ("queued", "pending", "refused", "no_stay", "unrated")
SETTLED: tuple[State, ...] = ("posted", "account", "free", "by_hand", "written_off")

# action -> the states it applies to and the state it leads to (None: decided by the PMS's answer)
RULES: dict[str, tuple[tuple[State, ...], State | None]] = {
    "hand_over": (("queued",), "pending"),           # given to the PMS adapter
    "pms_posted": (("queued", "pending"), "posted"),
    "pms_refused": (("queued", "pending"), "refused"),
    "pms_unavailable": (("queued", "pending"), "queued"),  # link down: try again later
    "requeue": (("refused", "no_stay"), "queued"),    # a person fixed the cause (or found the stay)
    "post_by_hand": (("queued", "refused", "no_stay", "unrated"), "by_hand"),
    "write_off": (("queued", "refused", "no_stay", "unrated"), "written_off"),
}


class NotAllowed(ValueError):
    def __init__(self, action: str, state: str):
        super().__init__(f"a charge that is {state} cannot be {action}")
        self.action, self.state = action, state


def apply(state: str, action: str) -> State:
    """The state after ``action`` on a charge in ``state``; :class:`NotAllowed` otherwise."""
    if action not in RULES:
        raise NotAllowed(action, state)
    allowed, to = RULES[action]
    if state not in allowed or to is None:
        raise NotAllowed(action, state)
    return to
