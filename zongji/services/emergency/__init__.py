"""Emergency notification (issue 14, R-H11): plans (``plans``), incidents started, updated and
closed from the console (``incidents``), and the notification steps the worker runs
(``notifying``: waves, calls in two phases, SMS, deputies)."""
