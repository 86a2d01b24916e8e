"""The responsibility catalogue (事项 → responsible unit; issue 11, point 2; R-P12).

- ``access``: whose catalogue a user works with (their hotline organisation) and who edits it;
- ``synonyms``: the centre's synonym table and the analyser built with it;
- ``matters``: list, read, create, update, deactivate a matter (audited);
- ``search``: candidates by the database, ranked in Python (BM25-weighted term overlap);
- ``workbook``: the XLSX import (row-by-row report) and export, one column layout.
"""
