"""An order as the dispatch model's features (issue 11, point 5). Pure.

What decides the unit is what happened, not where or how it was said: the place is taken out
of the text (it names roads and estates, not matters) and stays only as its district, which
decides the local matters of a district government; the words every note has (希望尽快处理,
麻烦, 来电人 …) are dropped (``FILLER_WORDS``). What is left is given as

* ``W:<word>``: the analyser's words (synonyms folded to their canonical term),
* ``B:<two characters>``: each pair of adjacent Chinese characters, so a wording the model has
  not seen still shares something with one it has (流浪狗 / 流浪犬只 share 流浪),
* ``U:<character>``: each Chinese character alone but the particles (的, 了, 吗 …; 野狗 / 流浪狗
  share no pair but 狗; on the bench's validation of unseen wordings, +3 points top-1),
* ``T:<three characters>``: each run of three adjacent Chinese characters (乱收费, 没热水: a
  pair says less than the three together; on the bench, warm top-1 87.3 % → 88.3 %, validation
  96.1 % → 96.4 %),
* ``C:<category>`` and ``P:<parent category>`` (``C:none`` when the operator chose none; not
  for a catalogue matter or an article without a category, ``as_order=False``: that the
  catalogue gives a matter no category code says nothing of how often operators pick none, and
  the examples of the few matters without one taught the model that an order without a
  category belongs to their units — on the bench, +1 to +2 points top-1),
* ``D:<district>`` when the place or the text of an order names one of the centre's districts
  (the districts of its district governments, ``Department.district``). The district's name is
  taken out of the text like the place: it says where, not what. Not for a catalogue matter or
  an article (``as_order=False``): a district government's matters name their district because
  the matter is that government's, not because something happened there; the model learns the
  district governments together and the order's district picks one (``model.LOCAL``). The demo
  catalogue wrote the district into each of its district matters' examples and past orders
  (东区老小区改造…) while callers' notes name it only in the place: the name was the features'
  strongest sign of a district government, absent from what callers say — on the bench, 38 of
  the 61 misses were district governments' matters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from zongji.domain.chinese_text import STOP_WORDS, Analyzer, fold

# What operators write in every note whatever the matter: greetings, urgency, where the caller
# has already been. They say nothing of which unit is responsible. Only words of the centre's
# own notes (the history's openers and closings) and generic ones: an earlier list also held 33
# words found only in the bench's evaluation openers and closings (请给个说法, 来电人留了手机号,
# 前前后后找了好几个地方 …), a leak of the evaluation set into the features; removed.
FILLER_WORDS: frozenset[str] = frozenset(
    """
    反映 咨询 处理 好几天 尽快 居民 市民 希望 快 情况 意见 来电 来电人 没人管 电话 麻烦
    一直 有人 盼复 解决 请问 问题
    """.split()
)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def order_features(analyzer: Analyzer, text: str, category: str | None = None, place: str | None = None,
                   *, districts: Iterable[str] = (), as_order: bool = True) -> list[str]:
    """The features of one order (or, ``as_order=False``, of one catalogue matter, example or
    article given as text)."""
    folded = fold(text)
    where = fold(place or "")
    feats: list[str] = []
    if where:
        folded = folded.replace(where, " ")
    for district in districts:
        d = fold(district)
        if d and (d in folded or d in where):
            if as_order:
                feats.append("D:" + d)
            folded = folded.replace(d, " ")
    feats.extend("W:" + w for w in analyzer.words(folded) if w not in FILLER_WORDS)
    chars = [c for c in folded if _HAN.match(c)]
    feats.extend("B:" + a + b for a, b in zip(chars, chars[1:]))
    feats.extend("U:" + c for c in chars if c not in STOP_WORDS)
    feats.extend("T:" + a + b + c for a, b, c in zip(chars, chars[1:], chars[2:]))
    if category:
        feats.append("C:" + category)
        feats.append("P:" + category.split("/", 1)[0])
    elif as_order:
        feats.append("C:none")
    return feats
