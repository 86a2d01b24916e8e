"""The character pairs behind the order search (issue 18, point 1): a text that contains a query,
in any letter case, holds every pair of the query, so the index never hides an order the
``LIKE`` would find."""

from __future__ import annotations

import random

from zongji.domain.substring_index import index_text, pairs, query_terms


def test_pairs_of_letters_and_digits_lowercased_and_broken_by_punctuation():
    assert pairs("幸福小区3号楼") == ["幸福", "福小", "小区", "区3", "3号", "号楼"]
    assert pairs("WiFi，连不上") == ["wi", "if", "fi", "连不", "不上"]
    assert pairs("狗") == [] and pairs("") == [] and pairs(None) == []
    assert pairs("哈哈哈哈") == ["哈哈"]  # distinct
    assert index_text(["张先生", None, "东区 幸福路"]) == "张先 先生 东区 幸福 福路 张 先 生 东 区 幸 福 路"
    assert index_text(["3号楼 A座"]) == "3号 号楼 a座 号 楼 a 座"  # no single digits


def test_a_text_holds_every_pair_of_any_piece_of_it_in_any_case():
    rnd = random.Random(11)
    alphabet = "流浪狗幸福小区路灯不亮ABCabc123１２３，、 -%_"
    for _ in range(2000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        i, j = sorted(rnd.sample(range(len(text) + 1), 2)) if len(text) > 1 else (0, len(text))
        piece = text[i:j]
        query = "".join(c.upper() if rnd.random() < 0.5 else c for c in piece)
        held = set(index_text([text]).split())
        assert set(query_terms(query, limit=100)) <= held, (text, query)


def test_one_character_and_characters_apart_are_looked_up_too():
    assert query_terms("狗") == ["狗"] and query_terms("王 五") == ["王", "五"]
    assert query_terms("流浪狗") == ["流浪", "浪狗"]  # the pairs hold its letters
    assert query_terms("A座 B") == ["a座", "b"] and query_terms("Ａ") == ["ａ"]
    assert query_terms("3") == [] and query_terms("，%") == []  # a number search; nothing to look up


def test_a_long_query_asks_for_a_dozen_pairs_spread_over_it():
    q = "小区门口的路灯已经坏了一个多月晚上出行很不方便"
    chosen = query_terms(q)
    assert len(chosen) == 12 and set(chosen) <= set(pairs(q))
    assert chosen[0] == pairs(q)[0] and chosen[-1] in pairs(q)[-3:]
