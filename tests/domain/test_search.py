"""What an operator types finds the record: Chinese, pinyin, initials, numbers (R-H7)."""

from zongji.domain.search import build_search_text, normalize, query_terms


def _finds(query: str, text: str) -> bool:
    return all(t in text for t in query_terms(query))


def test_initials_and_full_pinyin_find_chinese_text():
    text = build_search_text(names=["张伟"], texts=["总经理"])
    assert _finds("zjl", text)
    assert _finds("zhangwei", text)
    assert _finds("ZhangWei", text)
    assert _finds("zw", text)
    assert _finds("张伟", text)
    assert _finds("zhang wei", text)
    assert not _finds("lisi", text)


def test_polyphonic_surnames_use_the_surname_reading_and_the_everyday_one():
    for name, surname_reading in [("曾国藩", "zengguofan"), ("单雄信", "shanxiongxin"),
                                  ("解缙", "xiejin"), ("区志强", "ouzhiqiang"),
                                  ("仇海军", "qiuhaijun"), ("查玉兰", "zhayulan"),
                                  ("欧阳娜娜", "ouyangnana")]:
        text = build_search_text(names=[name])
        assert surname_reading in text, name
    # Someone who only heard "单" may type the everyday reading.
    assert "danxiongxin" in build_search_text(names=["单雄信"])
    # Compound surname initials: 欧阳娜娜 → oynn.
    assert " oynn" in " " + build_search_text(names=["欧阳娜娜"])


def test_numbers_are_digits_only_and_mobiles_without_country_code():
    text = build_search_text(numbers=["+86 138-0013-8000", "020-8888 6666", "８３０１"])
    assert "13800138000" in text.split()
    assert "02088886666" in text.split()
    assert "8301" in text.split()


def test_english_names_lower_case_and_joined():
    text = build_search_text(names=["John Smith"])
    assert {"john", "smith", "johnsmith"} <= set(text.split())


def test_query_normalisation_full_width_trim_lower():
    assert normalize("  ＺＪＬ ") == "zjl"
    assert query_terms("８３０１") == ["8301"]
    assert query_terms("+86 138 0013 8000") == ["13800138000"]
    assert query_terms("张 经理") == ["张", "经理"]
    assert query_terms("   ") == []
