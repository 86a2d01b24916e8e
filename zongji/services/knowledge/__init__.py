"""The knowledge base's use cases (issue 11, points 1–3), one transaction each.

- ``indexing``: the analyser built from the synonym table and the articles' keywords, an
  article's pre-segmented terms, and the re-index job after a synonym change.
- ``search``: candidates from the database's full-text index, ranked by the domain.
- ``articles``: create, change, propose, approve and reject, versions, the review flag.
- ``synonyms``: the office's synonym table.
- ``review``: the daily notification of articles past their review date.
"""
