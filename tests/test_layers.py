"""The layers' rules, checked by a machine (issue 9, point 3; README "Architecture").

- ``zongji/domain`` (every module, packages included) imports only the standard library, other
  domain modules, the error classes (``zongji.errors``) and the pure data libraries listed here;
- ``telephony`` never imports ``services``;
- routers and page shells build no SQL (no ``sqlalchemy``) and take from the store only the
  user's type and the clock (sessions come from the shared dependencies), apart from the app
  factory, the shared dependencies and the error handlers;
- no import circle between Zongji's modules, counting imports inside functions;
- no import of Zongji's modules inside functions (they hide circles), except in the CLI.

What still breaks a rule today is listed (KNOWN_…) and is the debt issue 9 pays down: a new
breach fails, and so does a listed one that is gone (so the lists stay true).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import zongji

ROOT = Path(zongji.__file__).parent
PURE_LIBRARIES = {"pypinyin", "holidays", "chinese_calendar", "rjieba", "zhconv"}  # data and pure functions, no I/O
SQL_ALLOWED = {"zongji.api.app", "zongji.api.deps", "zongji.api.errors"}

KNOWN_SQL_IN_API_OR_WEB: set[str] = set()
# Routers and pages reach the store only for the logged-in user's type and the clock; sessions
# come from the shared dependencies, everything else from services.
STORE_NAMES_FOR_API_AND_WEB = {"User", "utcnow"}
KNOWN_STORE_IN_API_OR_WEB = {
    "zongji.api.routers.cti", "zongji.api.routers.live", "zongji.api.routers.users",
    "zongji.web.pages", "zongji.web.switchboard_pages", "zongji.web.work_order_pages",
}
# Imports of Zongji's own modules inside functions: only the CLI, whose commands load their area
# when they run (``zongji --help`` stays fast). Elsewhere such an import hides a circle or a
# wrong layer; what is left of them is listed.
LAZY_IMPORTS_ALLOWED = {"zongji.cli"}
KNOWN_LAZY_IMPORTS = {
    "zongji.api.app", "zongji.demo.data", "zongji.services.wakeups", "zongji.web.pages",
    "zongji.worker.registry",
}
KNOWN_TELEPHONY_TO_SERVICES: set[str] = set()
KNOWN_CYCLES = [
    # The models' module imports each area's models at its end so that Base.metadata holds them.
    {"zongji.store.knowledge_models", "zongji.store.models", "zongji.store.presence_models",
     "zongji.store.roster_models", "zongji.store.stats_models",
     "zongji.store.switchboard_models", "zongji.store.wakeup_models", "zongji.store.work_order_models"},
    # pages.install includes the other page modules, which use its helpers.
    {"zongji.web.line_pages", "zongji.web.pages", "zongji.web.room_board_pages", "zongji.web.stats_pages",
     "zongji.web.switchboard_pages", "zongji.web.work_order_pages"},
]


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(ROOT.rglob("*.py")):
        name = ".".join(("zongji", *p.relative_to(ROOT).with_suffix("").parts))
        out[name.removesuffix(".__init__")] = p
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES)
    return names


IMPORTS = {m: _imports(p) for m, p in MODULES.items()}


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_the_domain_imports_only_the_standard_library_and_pure_libraries():
    bad = {}
    for m, names in IMPORTS.items():
        if not _under(m, "zongji.domain"):
            continue
        wrong = sorted(n for n in names if not _under(n, "zongji.domain") and not _under(n, "zongji.errors")
                       and n.split(".")[0] != "__future__"
                       and n.split(".")[0] not in sys.stdlib_module_names and n.split(".")[0] not in PURE_LIBRARIES)
        if wrong:
            bad[m] = wrong
    assert not bad, bad
    assert "zongji.domain.stats.kpi" in IMPORTS  # packages inside the domain are checked too


def test_telephony_never_imports_services():
    breaches = {m for m, names in IMPORTS.items()
                if _under(m, "zongji.telephony") and any(_under(n, "zongji.services") for n in names)}
    assert breaches == KNOWN_TELEPHONY_TO_SERVICES


def test_routers_and_pages_build_no_sql():
    breaches = {m for m, names in IMPORTS.items()
                if (_under(m, "zongji.api") or _under(m, "zongji.web")) and m not in SQL_ALLOWED
                and any(_under(n, "sqlalchemy") for n in names)}
    assert breaches - KNOWN_SQL_IN_API_OR_WEB == set(), "new SQL in a router or page"
    assert breaches == KNOWN_SQL_IN_API_OR_WEB, "a listed breach is gone: take it off the list"


def _store_names(path: Path) -> set[str]:
    """What a module takes from ``zongji.store``: ``module.name`` for each imported name."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and _under(node.module, "zongji.store"):
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if _under(a.name, "zongji.store"))
    return out


def test_routers_and_pages_reach_the_store_only_through_services():
    allowed = {f"zongji.store.models.{n}" for n in STORE_NAMES_FOR_API_AND_WEB}
    breaches = {m for m, p in MODULES.items()
                if (_under(m, "zongji.api") or _under(m, "zongji.web")) and m not in SQL_ALLOWED
                and _store_names(p) - allowed}
    assert breaches - KNOWN_STORE_IN_API_OR_WEB == set(), "a router or page uses the store directly"
    assert breaches == KNOWN_STORE_IN_API_OR_WEB, "a listed breach is gone: take it off the list"


def _lazy_imports(path: Path) -> list[str]:
    found = []
    for fn in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and node.module and _under(node.module, "zongji"):
                    found.append(node.module)
                elif isinstance(node, ast.Import):
                    found += [a.name for a in node.names if _under(a.name, "zongji")]
    return found


def test_no_imports_of_zongji_inside_functions():
    breaches = {m for m, p in MODULES.items() if m not in LAZY_IMPORTS_ALLOWED and _lazy_imports(p)}
    assert breaches - KNOWN_LAZY_IMPORTS == set(), {m: _lazy_imports(MODULES[m]) for m in breaches - KNOWN_LAZY_IMPORTS}
    assert breaches == KNOWN_LAZY_IMPORTS, "a listed module has none left: take it off the list"


def _cycles() -> list[set[str]]:
    graph = {m: {n for n in names if n in MODULES and n != m} for m, names in IMPORTS.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(comp)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for v in graph:
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_new_import_circle():
    cycles = _cycles()
    new = [sorted(c) for c in cycles if not any(c <= known for known in KNOWN_CYCLES)]
    assert not new, new
    assert len(cycles) == len(KNOWN_CYCLES), "a listed circle is gone: take it off the list"
