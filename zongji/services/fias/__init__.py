"""The hotel PMS link over FIAS (issue 16): use cases, one transaction each.

- ``outbox``: records for the PMS, queued in the transaction of the change they report, sent in
  order and marked sent (the link reads and marks them).
- ``link_status``: the link's status row (the admin view) and the down alert.
- ``inbound``: one record received from the PMS, applied in one transaction (the link
  acknowledges a record — reads the next — only after its commit): dispatches to
- ``guests``: GI / GC / GO → guests and stays; ``resync``: DS … DE reconciliation;
- ``wakeups``: WR / WC → wake-ups, and the WA answers of ended wake-ups;
- ``equipment``: RE → DND and the message lamp, and Zongji's own changes as RE;
- ``postings``: charges queued for the guest's folio, sent as PS, answered by PA.
"""
