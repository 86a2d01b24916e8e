"""The demo data as the PBX simulator's call mix (``zongji simulate calls``).

The simulator (:mod:`zongji.telephony.simulator`) plays calls into a running Zongji; the demo
data decides where they come in and who makes and answers them, so that callers are identified
and answers land on the demo's operators.
"""

from __future__ import annotations

from zongji.demo import data as d
from zongji.telephony.simulator import CallMix, LineSpec


def call_mix() -> CallMix:
    """The demo lines (hotel switchboard, 12345, 400), the numbers the demo directory knows
    (managers, VIP guests, customers, room extensions) and the demo operators' work numbers."""
    numbers = [d.DEMO_GM_MOBILE, d.DEMO_VIP_GUEST_MOBILE, d.DEMO_GM_EXTENSION]
    numbers += [c[2] for c in d.HOTEL_CUSTOMERS if c[2]]
    numbers += [v[3] for v in d.VIP_GUESTS if v[3]]
    return CallMix(
        lines=(LineSpec(d.HOTEL_LINE_NUMBER, d.HOTEL_LINE_CODE, 0.5),
               LineSpec(d.HOTLINE_12345_NUMBER, d.HOTLINE_12345_CODE, 0.3),
               LineSpec(d.COMPANY_400_NUMBER, d.COMPANY_400_CODE, 0.2)),
        known=tuple(dict.fromkeys(n for n in numbers if n)),
        # The demo operators' work numbers (answeringNumber resolves them to users).
        operators=("1001", "2001"))
