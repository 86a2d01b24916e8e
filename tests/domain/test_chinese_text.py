"""The analyser every Chinese search shares (issue 11, point 3)."""

from zongji.domain.chinese_text import Analyzer, Synonyms, fold, parse_synonym_group, term_text

SYNONYMS = Synonyms.from_lines(["流浪狗 = 流浪犬只 = 野狗", "社保，社会保险", "噪音=噪声"])


def test_folding_full_width_case_and_traditional_characters():
    assert fold("ＷＩＦＩ　密碼") == "wifi 密码"
    assert fold("醫療保險") == "医疗保险"
    assert fold("  社保\t卡 ") == "社保 卡"


def test_a_synonym_group_maps_every_word_to_its_first():
    a = Analyzer(SYNONYMS)
    assert "流浪狗" in a.words("小区门口有流浪犬只咬人")
    assert "流浪犬只" not in a.words("小区门口有流浪犬只咬人")
    assert "社保" in a.words("社會保險怎麼交")
    assert "噪音" in a.words("楼上噪声扰民")


def test_a_synonym_group_needs_two_words():
    assert parse_synonym_group("社保") == ()
    assert parse_synonym_group("社保 = 社保") == ()
    assert parse_synonym_group("A = ａ = b") == ("a", "b")


def test_stop_words_and_punctuation_are_dropped():
    words = Analyzer().words("请问，我家里的蟑螂很多怎么办？")
    assert "蟑螂" in words
    assert not {"请问", "我", "的", "怎么办", "，", "？"} & set(words)


def test_chinese_words_are_also_indexed_by_pinyin_and_initials():
    terms = Analyzer(SYNONYMS).terms("社会保险")
    assert {"社保", "shebao", "sb"} <= set(terms)
    assert Analyzer().query_terms("SB") == ["sb"]


def test_query_terms_are_distinct_and_in_order():
    assert Analyzer().query_terms("停水 停水 水费") == ["停水", "水费"]


def test_the_centres_words_are_kept_whole():
    plain = Analyzer().words("井盖丢失")
    taught = Analyzer(words=["井盖丢失"]).words("井盖丢失")
    assert "井盖丢失" in taught
    assert "井盖丢失" not in plain or plain == taught


def test_term_text_is_one_token_per_term():
    assert term_text(["流浪狗", "liu lang", ""]) == "流浪狗 liulang"


def test_pinyin_initials_of_the_word_as_said_find_its_synonym():
    a = Analyzer(Synonyms.from_lines(["社会保障卡 = 社保卡"]))
    terms = a.terms("社保卡丢了")
    assert "社会保障卡" in terms and "shbzk" in terms and "sbk" in terms
