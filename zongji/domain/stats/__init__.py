"""Statistics (issue 10): one pure definition per figure (``kpi``), the staffing model
(``erlang``). No I/O: the services count, these decide what the counts mean."""
