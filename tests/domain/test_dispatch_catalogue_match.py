"""The catalogue match added to the dispatch model's scores (issue 11, point 5)."""

from zongji.domain.chinese_text import Analyzer, Synonyms
from zongji.domain.dispatch.catalogue_match import CatalogueIndex, MatterWords, order_words
from zongji.domain.dispatch.features import order_features
from zongji.domain.dispatch.model import Example, accuracy, train

A = Analyzer(Synonyms.from_lines(["特困人员 = 特困户 = 特困老人"]), ["特困", "低保", "老旧小区", "改造"])
CIVIL, HOUSING, DISTRICT = 1, 2, 3


def words(text):
    return A.words(text)


INDEX = CatalogueIndex([
    MatterWords(CIVIL, words("特困供养 特困人员 供养金 孤寡老人"), frozenset(words("特困供养"))),
    MatterWords(CIVIL, words("低保申请 低保 最低生活保障"), frozenset(words("低保申请"))),
    MatterWords(HOUSING, words("房屋安全 外墙 开裂 承重墙"), frozenset(words("房屋安全"))),
    MatterWords(DISTRICT, words("老旧小区改造 改造 脚手架 外墙刷新"), frozenset(words("老旧小区改造"))),
])


def test_each_unit_scores_its_best_fitting_matter_and_rare_words_weigh_more():
    scores = INDEX.unit_scores(words("特困户的供养金这个月没到"))
    assert set(scores) == {CIVIL}
    both = INDEX.unit_scores(words("老旧小区改造外墙刷新脚手架不拆"))
    assert both[DISTRICT] > both.get(HOUSING, 0.0) > 0
    assert INDEX.unit_scores(["没有的词"]) == {}
    assert INDEX.boost(words("低保"), 0.0) == {} and CatalogueIndex([]).boost(["低保"], 1.0) == {}
    assert INDEX.boost(words("低保"), 0.5)[CIVIL] == 0.5 * INDEX.unit_scores(words("低保"))[CIVIL]


def test_the_boost_turns_a_close_call_of_the_model_into_the_catalogues_unit():
    def f(text, category=None):
        return order_features(A, text, category, as_order=False)
    # The model has only seen the housing words; an order about the district's renovation
    # shares 外墙 with housing, the catalogue knows its matter.
    model = train([Example(f("外墙开裂 房屋安全"), HOUSING), Example(f("外墙掉块"), HOUSING),
                   Example(f("改造"), DISTRICT), Example(f("特困 低保"), CIVIL)], [CIVIL, HOUSING, DISTRICT])
    feats = order_features(A, "外墙刷新的脚手架一直不拆")
    assert model.rank(feats)[0].unit == HOUSING
    boosted = model.rank(feats, boost=INDEX.boost(order_words(feats), 1.0))
    assert boosted[0].unit == DISTRICT and abs(sum(r.probability for r in model.rank(feats, limit=3)) - 1) < 1e-9
    assert accuracy(model, [(feats, DISTRICT)]) == (0.0, 1.0)
    assert accuracy(model, [(feats, DISTRICT)], lambda fs: INDEX.boost(order_words(fs), 1.0)) == (1.0, 1.0)
