"""What the "millions of rows" benches share: a fresh database per run, and the table of figures.

``fresh_database`` gives the address of a new, empty SQLite file (in a temporary folder) or a new
PostgreSQL database (created through the admin address), and removes it afterwards unless
``keep`` (then its address is printed, to look at it with ``--explain`` queries or psql).
``growth_table`` prints the medians per size, Zongji's beside the baseline's, and how each grows
from the smallest size to the largest.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

DEFAULT_PG_ADMIN_URL = os.environ.get("ZONGJI_TEST_POSTGRES_URL",
                                      "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(backend: str, name: str, pg_admin_url: str = DEFAULT_PG_ADMIN_URL, *,
                   keep: bool = False) -> Iterator[str]:
    """The address of a new empty database of ``backend`` ("sqlite" or "postgresql")."""
    folder = tempfile.mkdtemp(prefix=f"zongji-{name}-")
    pg_name = f"zongji_bench_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    admin = None
    if backend == "sqlite":
        url = f"sqlite:///{folder}/bench.db"
    else:
        admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{pg_name}"'))
        url = pg_admin_url.rsplit("/", 1)[0] + "/" + pg_name
    try:
        yield url
    finally:
        if keep:
            print(f"[{backend}] kept: {url}", flush=True)
        else:
            if admin is not None:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            for p in Path(folder).glob("*"):
                p.unlink()
            os.rmdir(folder)
        if admin is not None:
            admin.dispose()


def growth_table(backend: str, results: dict[int, dict], sizes: list[int], width: int, out) -> None:
    """Median ms per look-up and size, "zongji / baseline", and the growth from the first size
    to the last; ``results[size][name]`` starts with (zongji ms, baseline ms)."""
    print(f"\n{backend}: median ms (zongji / baseline)", file=out)
    print(f"{'look-up':<{width}}" + "".join(f"{s:>22,}" for s in sizes)
          + (f"{'growth':>22}" if len(sizes) > 1 else ""), file=out)
    for name in results[sizes[0]]:
        cells = "".join(f"{results[s][name][0]:>10.1f} / {results[s][name][1]:>9.1f}" for s in sizes)
        growth = ""
        if len(sizes) > 1:
            a, b = results[sizes[0]][name], results[sizes[-1]][name]
            growth = f"{b[0] / a[0]:>10.1f}x / {b[1] / a[1]:>8.1f}x"
        print(f"{name:<{width}}{cells}{growth}", file=out)
