"""Issue 8, point 9: no rule ids like "(R-S1)" and no internal words like "(lamp)" in what
operators read — the console's texts (both languages), its templates, and the texts the server
writes for them (transfer reasons, line rules, handover items, notifications)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import zongji

ROOT = Path(zongji.__file__).parent
RULE_ID = re.compile(r"R-[A-Z]{1,2}\d+")
INTERNAL = re.compile(r"\((?:lamp|sms|email|pager|console)\)|（(?:lamp|sms|email|pager|console)）")

# Modules whose string literals become operators' text (reasons, scripts, handover items,
# notification subjects and bodies, alerts).
SERVER_TEXTS = ["domain/transfer.py", "domain/lines.py", "domain/handover.py", "domain/greeting.py",
                "domain/wakeups.py", "domain/room_board.py",
                *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "services/switchboard").glob("*.py")),
                "services/wakeups.py", "services/handover.py", "services/notifications.py"]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_ui_texts_have_no_rule_ids_or_internal_words(locale):
    texts = json.loads((ROOT / "web/static/i18n" / f"{locale}.json").read_text("utf-8"))
    bad = {k: v for k, v in texts.items() if RULE_ID.search(v) or INTERNAL.search(v)}
    assert not bad


def test_templates_show_no_rule_ids():
    bad = []
    for p in sorted((ROOT / "web/templates").glob("*.html")):
        text = re.sub(r"\{#.*?#\}|<!--.*?-->", "", p.read_text("utf-8"), flags=re.S)
        bad += [f"{p.name}: {m.group(0)}" for m in RULE_ID.finditer(text)]
    assert not bad


def _texts(path: Path):
    """String literals of a module that are not docstrings, with their line numbers."""
    tree = ast.parse(path.read_text("utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


@pytest.mark.parametrize("module", SERVER_TEXTS)
def test_server_texts_for_operators_have_no_rule_ids(module):
    bad = [f"{module}:{line}: {text!r}" for line, text in _texts(ROOT / module)
           # a bare id is data (an audit record's "rule"); an id inside words is shown to people
           if (RULE_ID.search(text) and not RULE_ID.fullmatch(text)) or INTERNAL.search(text)]
    assert not bad
