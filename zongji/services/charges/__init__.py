"""Call charges (issue 13 point 4, R-H10, R-H14): ``rating`` turns ended outgoing calls into
charges, ``folio`` is the contract of the PMS posting adapter and its implementations,
``posting`` hands queued charges to the adapter and settles them, ``reports`` lists them (the
missed-charges report) and counts them per day (IDD/DDD statistics)."""
