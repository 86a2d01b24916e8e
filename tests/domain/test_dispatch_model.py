"""The dispatch model (issue 11, point 5): features, learning, returns counting against."""

from zongji.domain.chinese_text import Analyzer, Synonyms
from zongji.domain.dispatch.features import order_features
from zongji.domain.dispatch.model import LOCAL, Example, Model, accuracy, train

A = Analyzer(Synonyms.from_lines(["流浪犬只 = 流浪狗 = 野狗"]), ["路灯"])
CITY, HOUSING, TRANSPORT = 1, 2, 3
EAST, WEST = 14, 15  # the district governments
DISTRICTS = ("东区", "西区")


def f(text, category=None, place=None, as_order=True):
    return order_features(A, text, category, place, districts=DISTRICTS, as_order=as_order)


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


def test_a_district_named_in_the_text_is_where_not_what():
    # An operator who writes the district into the note says where it is, as the place does:
    # the name is no word or character of the matter.
    feats = f("东区老小区改造把路挖开了不填")
    assert "D:东区" in feats and not any("东" in x for x in feats if not x.startswith("D:"))
    assert "W:改造" in feats
    # A catalogue matter of a district government names its district because it is that
    # government's, not because something happened there: no district feature.
    assert not any(x.startswith("D:") for x in f("东区老旧小区改造", as_order=False))
    assert not any(x.startswith("D:") for x in order_features(A, "东区老小区改造", place="东区幸福路"))


# The district governments handle the same matters each in its district; the city's housing
# bureau has more examples than either, fewer than both together.
TERRITORY = [
    Example(f("住宅电梯故障 电梯困人 物业不修电梯", as_order=False), HOUSING),
    Example(f("老楼加装电梯补贴 旧楼电梯", as_order=False), HOUSING),
    Example(f("房屋安全 外墙开裂", as_order=False), HOUSING),
    Example(f("东区老旧小区改造 加装电梯 旧改", as_order=False), EAST),
    Example(f("东区小区改造施工 老楼改造", as_order=False), EAST),
    Example(f("西区老旧小区改造 加装电梯 旧改", as_order=False), WEST),
    Example(f("西区小区改造施工 老楼改造", as_order=False), WEST),
    *CATALOGUE,
]
UNITS = [CITY, HOUSING, TRANSPORT, EAST, WEST]


def test_the_district_governments_are_learnt_together_and_the_orders_district_picks_one():
    text = "老楼改造加装电梯一楼不同意"
    separate = train(TERRITORY, UNITS)
    together = train(TERRITORY, UNITS, districts={EAST: "东区", WEST: "西区"})
    # Learnt apart, the model cannot tell the two governments apart by the place (the catalogue
    # names no place): the same one first wherever the order is, the other as likely.
    west_first = separate.rank(f(text, place="西区竹溪街道"))
    assert west_first[0].unit in (EAST, WEST)
    assert separate.rank(f(text, place="东区桂溪街道"))[0].unit == west_first[0].unit
    assert abs(west_first[0].probability - west_first[1].probability) < 0.05
    assert together.rank(f(text, place="西区竹溪街道"))[0].unit == WEST
    assert together.rank(f(text, place="东区桂溪街道"))[0].unit == EAST
    east = together.rank(f(text, place="东区桂溪街道"), limit=5)
    share = {r.unit: r.probability for r in east}
    assert share[EAST] > share[HOUSING] > share[WEST] > 0  # the other district keeps a little
    assert abs(sum(share.values()) - 1.0) < 1e-9
    # No district named: the two share it evenly; a city matter stays the city's.
    nowhere = {r.unit: r.probability for r in together.rank(f(text), limit=5)}
    assert abs(nowhere[EAST] - nowhere[WEST]) < 1e-12
    assert together.rank(f("路边有野狗咬人", place="西区竹溪街道"))[0].unit == CITY
    # The shared weights are kept once, under LOCAL, and come back from the stored rows.
    assert any(LOCAL in row for row in together.weights.values())
    assert not any(EAST in row or WEST in row for row in together.weights.values())
    again = Model.from_rows(UNITS, together.rows(), {EAST: "东区", WEST: "西区"})
    assert [r.unit for r in again.rank(f(text, place="西区竹溪街道"))] == \
        [r.unit for r in together.rank(f(text, place="西区竹溪街道"))]


def test_a_return_between_district_governments_does_not_count_against_their_matter():
    # An order the east's government returned because it is in the west is still a local matter.
    districts = {EAST: "东区", WEST: "西区"}
    moved = [Example(f("老楼改造加装电梯", place="西区竹溪街道"), WEST, returned_from=EAST)] * 3
    kept = [Example(f("老楼改造加装电梯", place="西区竹溪街道"), WEST)] * 3
    model = train(TERRITORY + moved, UNITS, districts=districts)
    assert model.weights == train(TERRITORY + kept, UNITS, districts=districts).weights
    assert model.rank(f("老楼改造加装电梯", place="西区白沙路"))[0].unit == WEST


def test_no_units_no_suggestion():
    assert train([], []).rank(f("野狗")) == []
