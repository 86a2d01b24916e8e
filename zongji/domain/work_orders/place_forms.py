"""Places as callers say them, in one form (issue 11 point 5; R-P8). Pure.

Two callers name the same place in different words: ``幸福路88号小区东门`` and
``幸福路八十八号东门那边``. ``place_parts`` reads the parts a hotline needs to compare:

* **numbers** before a place word (号, 栋, 单元, 楼, 室, 弄, 巷 …) are digits, whatever the
  caller said: full-width ``８８`` (folded), Chinese numerals ``八十八`` / ``一百零五`` and
  digit by digit ``一零五``;
* **building words** in one form: ``号楼`` / ``幢`` / ``座`` → ``栋``;
* **road**: the two characters before 路/街/大道/大街/巷/弄/胡同 (``人民路``, ``建设大道``),
  with its house number (``88号``) when one follows; words that only look like roads
  (马路, 路灯, 道路 …) are not roads;
* **community**: a name ending in 小区/花园/家园/新村/公寓/大厦/苑, with building and unit.

``place_similarity`` compares two sets of parts: same road and number 1.0, same road without a
number on one side 0.6, same road but another number 0.1 (a near miss, not the same place),
another road 0; the same community counts 0.8, the same building on the same road or in the
same community 1.0, another building there 0.1. Places without any part fall back to the
similarity of their folded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zongji.domain.chinese_text import fold

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9}
_SCALE = {"十": 10, "百": 100, "千": 1000}
# Words a number stands before when it is part of a place.
_PLACE_UNIT = r"(?:号楼|号院|号|栋|幢|座|单元|楼|层|室|弄|巷|排|组|期)"
_CN_NUMBER = re.compile(r"([零〇一二两三四五六七八九十百千]+)(?=" + _PLACE_UNIT + ")")


def chinese_number(text: str) -> int | None:
    """``八十八`` → 88, ``一百零五`` → 105, ``十二`` → 12, ``一零五`` → 105; None if not a number."""
    if not text or any(ch not in _DIGIT and ch not in _SCALE for ch in text):
        return None
    if not any(ch in _SCALE for ch in text):  # said digit by digit
        return int("".join(str(_DIGIT[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGIT:
            current = _DIGIT[ch]
        else:
            total += (current or 1) * _SCALE[ch]
            current = 0
    return total + current


def digits_for_numerals(text: str) -> str:
    """The folded text with Chinese numerals before place words as digits, building words in one
    form (号楼/幢/座 → 栋)."""
    t = _CN_NUMBER.sub(lambda m: str(chinese_number(m.group(1))), fold(text))
    return re.sub(r"(\d+)\s*(?:号楼|幢|座)", r"\1栋", t)


_ROAD = re.compile(r"([\u4e00-\u9fff]{2})(大道|大街|路|街|巷|弄|胡同)(?![灯面线段牌标基由费况人口子边上])"
                   r"(?:\s*(\d+)\s*号(?!楼))?")
_NOT_ROADS = frozenset({"马路", "道路", "公路", "线路", "门路", "出路", "水路", "电路", "走路", "小路", "大路",
                        "过街", "上街", "逛街", "沿街", "临街", "满街", "老街", "条路", "段路"})
_COMMUNITY = re.compile(r"([\u4e00-\u9fff]{2,4}?)(小区|花园|家园|新村|公寓|大厦|苑)")
_BUILDING = re.compile(r"(\d+)\s*栋")
_UNIT = re.compile(r"(\d+)\s*单元")


@dataclass(frozen=True)
class PlaceParts:
    road: str | None = None  # "幸福路"
    number: str | None = None  # house number on the road, "88"
    community: str | None = None  # "阳光小区"
    building: str | None = None  # "3"
    unit: str | None = None  # "2"
    spans: tuple[tuple[int, int], ...] = ()  # where the parts are in the normalised text
    text: str = ""  # the normalised text

    @property
    def empty(self) -> bool:
        return not (self.road or self.community or self.building)

    def merged(self, other: "PlaceParts") -> "PlaceParts":
        """These parts, with the missing ones taken from ``other``."""
        same_road = not self.road or self.road == other.road
        return PlaceParts(self.road or other.road, self.number or (other.number if same_road else None),
                          self.community or other.community, self.building or other.building,
                          self.unit or other.unit, self.spans, self.text)


def place_parts(text: str | None) -> PlaceParts:
    """The road, number, community, building and unit found in ``text`` (each the first found)."""
    t = digits_for_numerals(text or "")
    road = number = community = building = unit = None
    spans: list[tuple[int, int]] = []
    for m in _ROAD.finditer(t):
        name = m.group(1) + m.group(2)
        if m.group(1)[1] + m.group(2) in _NOT_ROADS or name in _NOT_ROADS:
            continue
        road, number = name, m.group(3)
        spans.append(m.span())
        break
    m = _COMMUNITY.search(t)
    if m:
        community = m.group(0)
        spans.append(m.span())
    for rx in (_BUILDING, _UNIT):
        m = rx.search(t)
        if m:
            spans.append(m.span())
            if rx is _BUILDING:
                building = m.group(1)
            else:
                unit = m.group(1)
    return PlaceParts(road, number, community, building, unit, tuple(spans), t)


def without_place(parts: PlaceParts) -> str:
    """The normalised text with the place parts cut out: what is left is the matter."""
    t = parts.text
    for start, end in sorted(parts.spans, reverse=True):
        t = t[:start] + " " + t[end:]
    return t


def place_similarity(a: PlaceParts, b: PlaceParts) -> float | None:
    """How surely two places are the same (0…1), or None when they name no road or community
    both can be compared on (the caller then compares the texts). Another number or building on
    the same road or in the same community is another place (0.1: a near miss, not a match)."""
    best: float | None = None
    if a.road and b.road:
        if a.road != b.road:
            best = 0.0
        elif a.number and b.number:
            best = 1.0 if a.number == b.number else 0.1
        else:
            best = 0.6
    if a.community and b.community:
        if a.community == b.community:
            best = max(best or 0.0, 0.8)
        elif best is None:
            best = 0.0
    same_site = (a.road and a.road == b.road) or (a.community and a.community == b.community)
    if same_site and a.building and b.building:
        best = 1.0 if a.building == b.building else min(best or 0.1, 0.1)
    return best
