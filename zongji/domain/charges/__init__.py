"""Call charges (issue 13 point 4, R-H10; R-H14): which calls are charged, at what amount, and the
life of a charge until it is on the guest's folio. Pure rules: ``destination`` (what a dialled
number is), ``rating`` (the amount) and ``posting`` (the charge's states)."""
