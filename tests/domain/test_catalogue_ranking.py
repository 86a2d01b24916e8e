"""Catalogue ranking (issue 11, point 2; R-P12): BM25, the matter's name counting more, and the
cut-off under which a matter is noise — the numbers are settings."""

from __future__ import annotations

from zongji.domain.catalogue.ranking import Matter, Ranking, rank
from zongji.services.catalogue.search import ranking_of
from zongji.settings import Settings

DOGS = Matter(1, "流浪犬只 收容 小区 门口 犬只 追 孩子".split(), frozenset({"流浪犬只", "收容"}))
LIGHTS = Matter(2, "路灯 不亮 维修 小区 门口 晚上".split(), frozenset({"路灯", "维修"}))
NOISE = Matter(3, "噪声 扰民 晚上 唱歌 流浪犬只 叫".split(), frozenset({"噪声", "扰民"}))


def test_a_word_of_the_matters_name_ranks_it_first():
    ranked = rank(["流浪犬只"], [NOISE, DOGS, LIGHTS], total=3)
    assert [i for i, _ in ranked] == [1, 3]  # both hold it; the one named after it first
    flat = rank(["流浪犬只"], [NOISE, DOGS, LIGHTS], total=3, ranking=Ranking(name_weight=0))
    assert [i for i, _ in flat] == [3, 1]  # without the name's weight: the shorter document


def test_a_matter_far_under_the_best_is_left_out_unless_the_cut_off_is_lowered():
    query = ["路灯", "不亮", "维修", "小区"]
    assert [i for i, _ in rank(query, [DOGS, LIGHTS, NOISE], total=100)] == [2]
    kept = rank(query, [DOGS, LIGHTS, NOISE], total=100, ranking=Ranking(min_share_of_best=0.0))
    assert [i for i, _ in kept] == [2, 1]  # 小区 alone: kept only with no cut-off


def test_the_settings_defaults_are_the_rankings_and_reach_it():
    assert ranking_of(Settings()) == Ranking(k1=1.2, b=0.75, name_weight=1.0, min_share_of_best=0.35)
    assert ranking_of(Settings(catalogue_min_share_of_best=0.5, catalogue_bm25_k1=2.0)) == Ranking(
        k1=2.0, b=0.75, name_weight=1.0, min_share_of_best=0.5)
