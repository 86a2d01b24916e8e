"""Forbidden phrases (R-P10, R-S16): what the checker finds and what it leaves alone."""

import pytest

from zongji.domain.service_language.checker import check
from zongji.domain.service_language.defaults import DEFAULT_PHRASES
from zongji.domain.service_language.phrases import Phrase, PhraseError, PhraseKind


def phrases_hit(text):
    return [h.phrase for h in check(text, DEFAULT_PHRASES)]


def test_literal_phrase_is_named_with_position_and_script():
    [hit] = check("好的,我不知道这个。", DEFAULT_PHRASES)
    assert hit.phrase == "我不知道"
    assert (hit.start, hit.end, hit.matched) == (3, 7, "我不知道")
    assert hit.suggestion.startswith("请您稍等")


def test_pattern_matches_any_department_but_not_across_a_sentence():
    assert phrases_hit("你自己去民政部门问吧") == ["你自己去*部门问吧"]
    assert phrases_hit("你自己去住建部门问吧") == ["你自己去*部门问吧"]
    assert phrases_hit("你自己去吧。部门问吧") == []


def test_full_width_traditional_and_spaces_are_folded_positions_stay_original():
    [hit] = check("先生, 說完了 沒有?", DEFAULT_PHRASES)
    assert hit.phrase == "说完了没有"
    assert hit.matched == "說完了 沒有"
    [hit] = check("ＯＫ,你自己去ＸＸ部門問吧", DEFAULT_PHRASES)
    assert hit.matched == "你自己去ＸＸ部門問吧"


def test_no_hit_inside_a_longer_innocent_word():
    assert phrases_hit("小区有人投喂流浪狗,喂养宠物要登记") == []
    assert phrases_hit("喂,听得到吗") == ["喂"]


def test_several_hits_in_order():
    assert phrases_hit("喂?我已经说过了,你听不懂吗") == ["喂", "我已经说过了", "你听不懂吗"]


def test_custom_phrase_with_one_character_wildcard():
    phrase = Phrase("找?局", "我帮您转给负责的部门。", PhraseKind.BLAMING)
    assert [h.matched for h in check("你找城局吧,找住建局", [phrase])] == ["找城局"]


@pytest.mark.parametrize("bad", ["", "   ", "*", "XX?", "长" * 61])
def test_phrase_that_cannot_be_matched_is_refused(bad):
    with pytest.raises(PhraseError) as error:
        Phrase(bad)
    assert error.value.field == "phrase"


def test_defaults_cover_the_requirements_list_each_with_a_script():
    texts = {p.text for p in DEFAULT_PHRASES}
    assert {"喂", "哦", "我不知道", "说完了没有", "你自己去*部门问吧"} <= texts
    assert all(p.suggestion for p in DEFAULT_PHRASES)
    assert phrases_hit("这是规定我没办法") == ["这是规定*没办法"]
