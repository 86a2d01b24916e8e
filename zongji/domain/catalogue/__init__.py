"""The responsibility catalogue's rules (issue 11, point 2; R-P12). Pure: no I/O, no database.

- ``ranking``: BM25 relevance of the candidate matters to what the caller says, a term in the
  matter's name counting once more, and the cut-off under which a matter is noise.
"""
