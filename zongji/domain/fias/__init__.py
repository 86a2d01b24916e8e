"""FIAS, the hotel PMS interface (Oracle Hospitality's Fidelio Interface Application
Specification; issue 16): the pure rules of the link. No I/O.

- ``framing``: STX … ETX frames on a byte stream, the deframer that survives partial reads.
- ``records``: a record ``RI|FNvalue|FNvalue|``: parse, format, dates and times, yes/no.
- ``link``: the link description Zongji announces (LD, one LR per record type, LA) and how it
  answers the link records LS, LA, LE.
- ``guests``: GI / GC / GO as a change to a guest and a stay; privacy flags (R-H4).
- ``wakeups``: WR / WC as wake-ups, and the WA answer for a wake-up's result (R-H9).
- ``equipment``: RE room-equipment records for DND (R-H8) and the message lamp (R-H5).
- ``postings``: PS postings of charges to a guest's folio (R-H10) and the PA answer.
"""
