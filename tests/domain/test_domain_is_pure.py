"""zongji/domain holds pure rules: no database, web framework, network or file I/O imports."""

import ast
from pathlib import Path

import pytest

import zongji.domain

DOMAIN = Path(zongji.domain.__file__).parent
FORBIDDEN = ("sqlalchemy", "fastapi", "starlette", "httpx", "psycopg", "sqlite3", "socket",
             "requests", "pjsua2", "subprocess", "zongji.store", "zongji.services", "zongji.api",
             "zongji.web", "zongji.worker", "zongji.telephony")


# rglob: the modules of the domain's packages (work_orders/, stats/) are checked too.
@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: p.relative_to(DOMAIN).as_posix())
def test_domain_module_imports_nothing_with_io(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
    bad = [m for m in imported if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert not bad, f"{path.relative_to(DOMAIN)} imports {bad}"
