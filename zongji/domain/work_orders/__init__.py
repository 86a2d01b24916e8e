"""Work orders (工单): types, urgency, the lifecycle state machine, per-type guidance, order
numbers, callback outcomes and duplicate suggestions (R-P1…R-P12, R-S8…R-S12, R-G5; issue 4).

Pure: no I/O, no framework. The store keeps a ``WorkOrderState`` per order and its timeline;
every change goes through ``rules.apply``, which either returns the new state and one
``TimelineEntry`` to append, or raises a ``WorkOrderError`` (``code`` + English
``message``; ``status_code`` 409 for an illegal transition, 403 for a wrong role or unit, 400 for
a bad action).

Lifecycle (statuses ``Status``)::

    created ──close_directly──▶ closed_directly ──reopen──▶ review
       │
       └─dispatch─▶ dispatched ──accept──▶ accepted ──start/progress──▶ in_progress
                        │                                                    │
                        └──return (reason)──▶ returned ──dispatch──▶ …       │
                                              accepted/in_progress ──reply──▶ replied
    replied ──start_callback / callback_attempt──▶ callback
    replied|callback ──record_callback(satisfied | basically satisfied)──▶ closed
    replied|callback ──record_callback(dissatisfied or a problem) / reject_reply──▶ review
                                               (back to the shift leader, supervised)
    review ──dispatch──▶ dispatched   review|replied ──send_back──▶ in_progress (same unit)
    replied|callback|review ──close──▶ closed      closed ──reopen──▶ review

Side actions that keep the status: remind (催办), supervise / unsupervise (督办), pause and resume
the SLA clock (waiting for the caller; the console pauses, a unit only asks — pause request /
grant / refuse by the office, like an extension), status update to the caller (R-S10, R-G5),
assisting units, extension request / grant / refuse, reclassify, note.

Roles (``zongji.domain.roles.Role``): the hotline office is the *supervisor* role (admin has the
same powers); ``"system"`` is the timer worker (automatic reminders). A unit handler must act
for the order's main unit (or an assisting unit, for progress and notes): pass an
``Actor`` with ``unit_id``; with a bare role the unit is not checked — the API must always
pass the unit.

Modules (import from the one that holds the idea; this package re-exports nothing):

- ``words``: the closed vocabularies — types (per line kind), urgency, complexity, statuses and
  their groups, callback outcomes and problems, extension and link kinds, the role groups;
- ``errors``: ``WorkOrderError`` and its kinds (409, 403, 400), the required-text and aware-time
  checks;
- ``state``: ``WorkOrderState``, ``Actor``, pauses, extension and pause requests, the callback
  record, ``TimelineEntry``;
- ``actions``: the actions and their inputs, ``action_from_dict``;
- ``rules``: the ``RULES`` table, ``allowed_actions``, ``apply`` and its handlers,
  ``close_directly_with_guidance``;
- ``guidance``: per-type guidance (situations, handlings, referrals, required fields);
- ``following``: a duplicate bound to and following its primary (R-P8);
- ``calendar_deadline``: a deadline computed again when the business calendar changes;
- ``numbering``: order numbers;
- ``duplicates``: duplicate suggestions — named, weighted components (caller, place, category or
  unit, matter words through the shared analyser, time), also across different callers;
- ``place_forms``: places in one form (八十八号 = 88号, 号楼 = 栋, road + number, community +
  building) and how surely two are the same;
- ``phone_digits``: the digits a caller's number is matched on.
"""
