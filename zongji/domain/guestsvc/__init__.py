"""The guest-service centre's rules (客房服务中心, issue 13; R-G1, R-G2, R-G4, R-G6). Pure.

- ``catalogue``: the teams, the kinds of request and a catalogue item's checks;
- ``requests``: a service request's states, its actions and its timing against the target;
- ``roster``: the centre's three shifts and which attendant covers which floors;
- ``loans``: borrowed items — due time, the return check, what is still out at check-out;
- ``records``: the centre's other records — work keys at shift end, lost and found's disposal;
- ``privacy``: what a viewer sees of a request (a guest's room never shown to a caller, R-H4).
"""
