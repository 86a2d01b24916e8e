"""Issue 8: every symbol the console shows is in the fonts it ships with (fonts-wqy-microhei,
README): an emoji such as ⏰ is an empty box there. The console's scripts, templates, styles and
texts may use letters, CJK and only the symbols listed here; the list is checked against the
font itself where it is installed."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

import zongji.web

WEB = Path(zongji.web.__file__).parent
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

# Symbols outside Latin-1 letters and CJK that the console uses, each in WenQuanYi Micro Hei.
SYMBOLS = set("¥·×–—“”…←↑→↓↗▲▼▶◀☎✓°")


def _ordinary(ch: str) -> bool:
    o = ord(ch)
    return (o < 0x80 or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
            or ch in "\u00a0")


def _console_files():
    """Zongji's own files; a vendored library (static/vendor: ECharts) draws only the text we give it."""
    for p in sorted(WEB.rglob("*")):
        if p.suffix in (".js", ".html", ".json", ".css") and "vendor" not in p.relative_to(WEB).parts:
            yield p


def test_the_console_uses_only_symbols_its_font_has():
    found: dict[str, set[str]] = {}
    for p in _console_files():
        for ch in p.read_text("utf-8"):
            if not _ordinary(ch) and ch not in SYMBOLS:
                found.setdefault(ch, set()).add(p.name)
    assert not found, {f"U+{ord(c):04X} {c} {unicodedata.name(c, '?')}": sorted(f) for c, f in found.items()}


def _charset(font: Path) -> set[int]:
    out = subprocess.run(["fc-query", "--format=%{charset}\n", str(font)], capture_output=True,
                         text=True, check=True).stdout.split("\n")[0]
    cps: set[int] = set()
    for part in out.split():
        lo, _, hi = part.partition("-")
        cps.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    return cps


@pytest.mark.skipif(not WQY.exists() or not shutil.which("fc-query"),
                    reason="fonts-wqy-microhei or fontconfig not installed")
def test_the_listed_symbols_are_in_wqy_microhei():
    have = _charset(WQY)
    assert 0x23F0 not in have  # ⏰: why the room board's alarm clock was an empty box
    missing = sorted(f"U+{ord(c):04X} {c}" for c in SYMBOLS if ord(c) not in have)
    assert not missing, missing
