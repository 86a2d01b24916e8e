"""Retention (issue 18 point 3, R-S17): how long each kind of record is kept and what happens to
it when it expires. Pure: no I/O.

- ``policy``: the kinds of record, their periods (settings) and the cut-off instants of a run;
- ``anonymise``: the personal fields of calls and work orders and the keyed stand-in that
  replaces a telephone number, so statistics (counts, distinct callers, callbacks) stay equal.
"""
