"""The dispatch model (issue 11, point 5): features, learning, returns counting against."""

from zongji.domain.chinese_text import Analyzer, Synonyms
from zongji.domain.dispatch.features import order_features
from zongji.domain.dispatch.model import Example, Model, accuracy, train

A = Analyzer(Synonyms.from_lines(["流浪犬只 = 流浪狗 = 野狗"]), ["路灯"])
CITY, HOUSING, TRANSPORT = 1, 2, 3


def f(text, category=None, place=None):
    return order_features(A, text, category, place)


def test_the_place_and_a_notes_filler_are_not_features_but_the_district_is():
    feats = f("东区幸福路88号小区门口有野狗，希望尽快处理，麻烦了", place="东区幸福路88号")
    assert "W:流浪犬只" in feats and "D:东区" in feats and "C:none" in feats
    assert not any("幸福" in x for x in feats)
    assert not {"W:希望", "W:尽快", "W:处理", "W:麻烦"} & set(feats)
    assert {"C:city/stray_dogs", "P:city"} <= set(f("野狗", "city/stray_dogs"))


def test_a_catalogue_text_without_a_category_does_not_say_no_category_was_chosen():
    assert "C:none" in f("户口迁移要什么材料")
    as_matter = order_features(A, "户口迁移要什么材料", None, as_order=False)
    assert not any(x.startswith("C:") for x in as_matter)
    assert "C:city" in order_features(A, "野狗", "city", as_order=False)
    # Matters without a category (a third unit's) no longer pull every uncategorised order.
    examples = [Example(order_features(A, "户口 迁移 身份证", None, as_order=False), 3),
                Example(f("路灯 不亮", "city/street_lights"), CITY), Example(f("路灯坏了"), CITY)]
    assert train(examples, [CITY, 3]).rank(f("路灯坏了好几天"))[0].unit == CITY


CATALOGUE = [
    Example(f("流浪犬只收容 野狗 流浪狗 咬人", "city/stray_dogs"), CITY),
    Example(f("路灯不亮 路灯维修 灯杆", "city/street_lights"), CITY),
    Example(f("物业管理 物业费 业主委员会", "housing/property"), HOUSING),
    Example(f("住宅电梯故障 电梯困人", "housing/lifts"), HOUSING),
    Example(f("公交站点 公交线路 候车亭", "transport/bus_stops"), TRANSPORT),
    Example(f("出租车拒载 绕路", "transport/taxis"), TRANSPORT),
]


def test_the_catalogue_alone_ranks_the_responsible_unit_first():
    model = train(CATALOGUE, [CITY, HOUSING, TRANSPORT])
    ranked = model.rank(f("小区里好几条野狗晚上乱叫"))
    assert ranked[0].unit == CITY and "W:流浪犬只" in ranked[0].because
    assert model.rank(f("电梯又坏了，困了两个人"))[0].unit == HOUSING
    assert sum(r.probability for r in model.rank(f("野狗"), limit=3)) <= 1.0 + 1e-9


def test_history_teaches_words_the_catalogue_does_not_have():
    history = [Example(f(t), TRANSPORT) for t in ("共享单车乱停挡住路口", "共享单车扫码扣费不退", "共享单车坏了还在收费")]
    cold = train(CATALOGUE, [CITY, HOUSING, TRANSPORT])
    warm = train(CATALOGUE + history, [CITY, HOUSING, TRANSPORT])
    case = [(f("小区门口的共享单车堆成山"), TRANSPORT)]
    assert "W:共享单车" not in cold.weights
    assert accuracy(warm, case) == (1.0, 1.0)


def test_a_return_counts_against_the_unit_that_returned_it():
    text = "楼道里的声控灯坏了"
    kept = [Example(f(text), HOUSING)] * 3
    returned = [Example(f(text), HOUSING, returned_from=CITY)] * 3
    plain = train(CATALOGUE + kept, [CITY, HOUSING, TRANSPORT])
    taught = train(CATALOGUE + returned, [CITY, HOUSING, TRANSPORT])
    city = lambda m: next(r.probability for r in m.rank(f(text), limit=3) if r.unit == CITY)  # noqa: E731
    assert city(taught) < city(plain)


def test_training_is_deterministic_and_the_stored_rows_give_the_same_ranking():
    a = train(CATALOGUE, [CITY, HOUSING, TRANSPORT])
    b = train(CATALOGUE, [CITY, HOUSING, TRANSPORT])
    assert a.weights == b.weights
    # The order a database returns the rows in (and the order of a text's words) changes nothing.
    shuffled = [Example(list(reversed(e.features)), e.unit) for e in reversed(CATALOGUE)]
    assert train(shuffled, [TRANSPORT, CITY, HOUSING]).weights == a.weights
    again = Model.from_rows(a.units, a.rows())
    for text in ("野狗咬人", "物业不管事", "公交站牌倒了"):
        assert [r.unit for r in again.rank(f(text))] == [r.unit for r in a.rank(f(text))]


def test_no_units_no_suggestion():
    assert train([], []).rank(f("野狗")) == []
