"""Fast start (issue 18, point 5): importing the app loads no heavy dictionary, and a database
already at the newest revision is recognised without loading Alembic. Times are bench/startup.py's."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_importing_the_app_loads_no_heavy_dictionary():
    loaded = _run("import sys, zongji.api.app; "
                  "print(' '.join(m for m in ('pypinyin', 'rjieba', 'jieba', 'opencc') if m in sys.modules))")
    assert loaded == ""


def test_a_database_at_the_newest_revision_is_not_migrated_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'z.db'}"
    out = _run(f"import sys; from zongji.store.migrate import upgrade, current_revision, script_head; "
               f"upgrade({url!r}); first = 'alembic' in sys.modules; "
               f"print(first, current_revision({url!r}) == script_head())")
    assert out == "True True"  # a new database: Alembic made it
    out = _run(f"import sys; from zongji.store.migrate import upgrade; upgrade({url!r}); "
               "print('alembic' in sys.modules)")
    assert out == "False"
