"""Switchboard operations (issue 3): transfers, messages, do-not-disturb, lines, faults, alerts.

Rules come from ``zongji.domain`` (transfer, messages, dnd, lines); these modules load what they
need, store what they decide, audit every change, and publish on the live feed
(``zongji.services.live_feed``) in the same transaction everything operators must see at once
(topics ``transfer``, ``message``, ``dnd``, ``alert``, ``fault``, ``line_violation``).

Telephony commands (transfer, message lamp, line lock) are queued as jobs (kind
``switchboard.pbx``) in the same transaction as the change that needs them — an outbox: the
worker sends them once the change is committed, retrying while the PBX is unavailable.

Guest privacy (R-H4): nothing served from here carries a guest's room number or room extension,
except the DND list for roles in ``ROOM_NUMBER_ROLES``. Every read of guest data is audited.

What lives where (each module imports only modules listed before it; ``zongji.services.handover``
reads ``dnd``, ``line_faults`` and ``message_records``, and ``messages`` and ``transfers`` note VIP
guests in it):

* ``rooms`` — who is in house: a guest's current stay, a room's occupant, the room addressed;
* ``hours`` — working hours as stored, public holidays and adjusted working days;
* ``contacts`` — a person as a transfer contact; a department's after-hours contact (and setting it);
* ``line_config`` — a line by its code, its settings row, its configuration for the rules;
* ``message_records`` — a message's domain form, policy, published form (sends included),
  recording a delivery, the re-raise schedule (shared by messages, sending, the lamp, the handover);
* ``pbx`` — the PBX outbox: ``queue_pbx`` and ``run_pbx_command`` (the ``switchboard.pbx`` job);
* ``dnd`` — do-not-disturb: set, cancel, end (timer, check-out), list, the handover's rows;
* ``check_out`` — a guest's check-out from the PMS; the stay in a room by its number;
* ``line_faults`` — line faults: open, close, list;
* ``silence`` — line silence: the periodic check, alerts, test calls;
* ``lines`` — the lines page: a line's facts, greetings, settings; the inbound-only rule and its
  violations;
* ``message_sending`` — sending a message by SMS, e-mail or pager (request, the job, channels);
* ``messages`` — taking, delivering, acknowledging, voiding, raising and listing messages;
* ``transfer_targets`` — a directory entry as the transfer rules' target;
* ``transfers`` — deciding and recording transfer attempts, the no-answer timer, the PBX's and
  CTI's results, a VIP's transfer noted in the handover;
"""
