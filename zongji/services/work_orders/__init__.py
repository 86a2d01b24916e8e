"""Work orders (工单): create, act, list, show; duplicates, links, attachments; SLA timers (issue 4).

Every change goes through the domain state machine (``zongji.domain.work_orders.rules.apply``)
and, in the same transaction: stores the new state, appends the timeline entry, audits, writes a
``FeedItem(topic="work_order")`` for the consoles, notifies whom it concerns and reschedules the
order's SLA timers (``zongji.store.jobs``; keys ``wo:<id>:<clock>:<phase>:<due>`` so each
reminder fires once per deadline, and stale ones are cancelled).

Visibility: console roles see every order; a unit handler sees only orders whose main or
assisting unit is their own unit (``User.department_id``) — anything else is "not found".

Modules (import from the one that holds the idea; this package re-exports nothing):

- ``commands``: create an order, apply an action, correct its record;
- ``changes``: how one change is stored (state, timeline, audit, columns, units, feed, timers,
  notifications) — every write path ends here;
- ``change_notices``: who is told of a change, in what words;
- ``timers``: the SLA timers an order needs now (scheduled and cancelled);
- ``reminders``: what a due timer does (``run_timer``, the worker's job);
- ``links``: related and duplicate bindings, a duplicate following its primary (R-P8);
- ``calls``: the calls linked to an order, candidates, the form's prefill from a call;
- ``attachments``: files attached to an order;
- ``duplicates``: duplicate suggestions for the form;
- ``detail``: an order as the API shows it (summary, detail);
- ``listing``: the list views, filters and paging;
- ``form_meta``: what the forms need (types, guidance, units, categories, vocabularies);
- ``visibility``: ``Viewer`` and which orders a viewer sees;
- ``sla_context``: calendar and SLA policies loaded once per request or job;
- ``stored_state``: the domain state as the row's JSON and back;
- ``numbers``: order numbers from the per-day counter;
- ``categories``: the category tree and its import;
- ``units``: the units an order may be dispatched to;
- ``errors``: ``Invalid`` (422, naming the field).
"""
