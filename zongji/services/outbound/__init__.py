"""Outbound call lists (issue 14 point 4): building a list (:mod:`.building`), operators working
through it and the results (:mod:`.working`)."""
