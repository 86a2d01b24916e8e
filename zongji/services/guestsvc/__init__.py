"""The guest-service centre's use cases (客房服务中心, issue 13):

- ``centre``: the centre's department and staff, the catalogue, the roster of attendants;
- ``requests``: service requests — made from a guest's call or the centre's page, routed to the
  floor's attendant, accepted and done, followed up; loans returned, laundry, room service; the
  timers' work (alert before late, loans due, dishes to collect);
- ``records``: staff sign-in, work keys, lost and found, and the handover's section;
- ``departure``: at check-out, the guest's loans still out flagged to the front desk (called by
  ``zongji.services.stay_departure``, which orchestrates the check-out).
"""
