"""Dispatch suggestion accuracy and speed (issue 11, point 6): ``python -m bench.dispatch_eval``.

The labelled requests (``requests.jsonl``, written for the project) are split in two: ``history``
(the orders a centre has dispatched; ~10 % first went to a unit that returned them) and
``eval`` (never used to build the catalogue or to train). It prints, on the eval set only:

* the baseline measured in the same run: today's behaviour, the category's default unit (the
  unit field is prefilled from the category the operator picked; no category, no unit);
* cold: the model trained from the responsibility catalogue (matters, examples, keywords) and
  the knowledge base's city articles alone — a new centre;
* warm: the same plus the history set;
* top-1 and top-3 accuracy, training time, and suggestions per second on one core.

``--validate`` measures on the history set alone, never on eval, what a change of features or
learner does to wordings the model has not seen (the eval set's difficulty): each history
request was written from one of its matter's history phrasings (``spoken.py``, written apart
from the catalogue examples), so for each phrasing index k the history loses the requests
written from the k-th phrasings, the model is trained on the catalogue and the rest and scored
on those requests. Tune with this, then run the eval
once. ``--misses`` prints the eval set's confusions (right unit → suggested unit, count): for
error analysis of kinds of mistakes, not for tuning on rows.
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path

from bench.dispatch_eval.make_content import parse_spoken
from zongji.demo.work_orders import CATEGORIES_12345
from zongji.domain.chinese_text import Analyzer, Synonyms
from zongji.domain.dispatch.catalogue_match import CatalogueIndex, MatterWords, order_words
from zongji.domain.dispatch.features import order_features
from zongji.domain.dispatch.model import Example, accuracy, train
from zongji.settings import Settings

HERE = Path(__file__).parent
CONTENT = HERE.parent.parent / "zongji" / "demo" / "content"


def load() -> tuple[list[dict], list[dict], list[dict], Synonyms]:
    matters = json.loads((CONTENT / "matters.json").read_text("utf-8"))
    articles = json.loads((CONTENT / "articles.json").read_text("utf-8"))
    requests = [json.loads(line) for line in (HERE / "requests.jsonl").read_text("utf-8").splitlines() if line.strip()]
    synonyms = Synonyms.from_lines(line for line in (CONTENT / "synonyms.txt").read_text("utf-8").splitlines()
                                   if not line.lstrip().startswith("#"))
    return matters, articles, requests, synonyms


def source_phrasing(text: str) -> int | None:
    """The index of the history phrasing (spoken.py) a history request was written from, if any."""
    for _examples, _keywords, phrasings in parse_spoken().values():
        for k, phrasing in enumerate(phrasings):
            if phrasing in text:
                return k
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--validate", action="store_true", help="score on held-out wordings of the history set only")
    ap.add_argument("--misses", action="store_true", help="print the eval set's confusions")
    ap.add_argument("--catalogue-weight", type=float, default=Settings().dispatch_catalogue_weight,
                    help="the setting dispatch_catalogue_weight (0: the linear model alone)")
    args = ap.parse_args()
    matters, articles, requests, synonyms = load()
    names = sorted({m["unit"] for m in matters} | {r["unit"] for r in requests})
    uid = {n: i + 1 for i, n in enumerate(names)}
    analyzer = Analyzer(synonyms, [k for m in matters for k in m["keywords"]] + [m["matter"] for m in matters])

    def feats(text: str, category: str | None = None, place: str | None = None, as_order: bool = True) -> list[str]:
        return order_features(analyzer, text, category, place, as_order=as_order)

    def cold_examples(held_out: int | None = None) -> list[Example]:
        out: list[Example] = []
        for m in matters:
            texts = [m["matter"], *(e for k, e in enumerate(m["examples"]) if k != held_out), " ".join(m["keywords"])]
            for text in texts:
                out.append(Example(feats(text, m.get("category"), as_order=False), uid[m["unit"]]))
        for a in articles:
            if a["scope"] == "city" and a.get("unit") in uid:
                out.append(Example(feats(a["title"], as_order=False), uid[a["unit"]]))
                out.append(Example(feats(" ".join(a["keywords"]), as_order=False), uid[a["unit"]]))
        return out

    def history_example(r: dict) -> Example:
        return Example(feats(r["text"], r["category"], r["place"]), uid[r["unit"]],
                       uid.get(r["returned_from"]) if r.get("returned_from") else None)

    history = [r for r in requests if r["set"] == "history"]
    evaluation = [r for r in requests if r["set"] == "eval"]
    index = CatalogueIndex([MatterWords(uid[m["unit"]],
                                        [w for t in (m["matter"], *m["examples"], " ".join(m["keywords"]))
                                         for w in analyzer.words(t)], frozenset(analyzer.words(m["matter"])))
                            for m in matters])
    weight = args.catalogue_weight

    def boost(f: list[str]) -> dict[int, float]:
        return dict(index.boost(order_words(f), weight))

    if args.validate:
        sources = [source_phrasing(r["text"]) for r in history]
        top1 = top3 = n = 0
        for k in sorted({s for s in sources if s is not None}):
            examples = cold_examples() + [history_example(r) for r, s in zip(history, sources) if s != k]
            cases = [(feats(r["text"], r["category"], r["place"]), uid[r["unit"]])
                     for r, s in zip(history, sources) if s == k]
            a1, a3 = accuracy(train(examples, uid.values(), epochs=args.epochs), cases, boost)
            top1, top3, n = top1 + a1 * len(cases), top3 + a3 * len(cases), n + len(cases)
        print(f"validation (history only, wordings held out; catalogue weight {weight}): {n} requests, "
              f"top-1 {top1 / n:.1%}, top-3 {top3 / n:.1%}")
        return

    cold = cold_examples()
    warm = cold + [history_example(r) for r in history]
    cases = [(feats(r["text"], r["category"], r["place"]), uid[r["unit"]]) for r in evaluation]

    default_unit = {code: unit for code, _zh, _en, unit in CATEGORIES_12345}
    base1 = sum(1 for r in evaluation if r["category"] and default_unit.get(r["category"]) == r["unit"])

    print(f"eval set: {len(evaluation)} requests, {len(names)} units; history: {len(history)} "
          f"({sum(1 for r in history if r.get('returned_from'))} returned once); catalogue: "
          f"{len(matters)} matters; articles: {sum(1 for a in articles if a['scope'] == 'city')}")
    print(f"catalogue weight (dispatch_catalogue_weight): {weight}")
    print(f"{'':42}{'top-1':>8}{'top-3':>8}{'train s':>9}")
    print(f"{'baseline: category default unit':42}{base1 / len(evaluation):>8.1%}{'—':>8}{'—':>9}")
    for label, examples in (("cold: catalogue + articles", cold), ("warm: + history", warm)):
        t0 = time.process_time()
        model = train(examples, uid.values(), epochs=args.epochs)
        took = time.process_time() - t0
        if weight:
            top1, top3 = accuracy(model, cases)
            print(f"{label + ' (model alone)':42}{top1:>8.1%}{top3:>8.1%}{took:>9.1f}")
        top1, top3 = accuracy(model, cases, boost)
        print(f"{label:42}{top1:>8.1%}{top3:>8.1%}{took:>9.1f}")
    if args.misses:
        name_of = {i: n for n, i in uid.items()}
        confusions: collections.Counter[tuple[str, str]] = collections.Counter()
        for (f, unit), r in zip(cases, evaluation):
            best = model.rank(f, limit=1, boost=boost(f))[0].unit
            if best != unit:
                confusions[(r["unit"], name_of[best])] += 1
        print("warm misses (right unit → suggested):")
        for (right, got), count in confusions.most_common():
            print(f"  {count:3}  {right} → {got}")
    # Speed: the whole path of one suggestion (features from the raw text, the catalogue match,
    # then the ranking).
    t0 = time.process_time()
    n = 0
    while time.process_time() - t0 < 2.0:
        for r in evaluation:
            f = feats(r["text"], r["category"], r["place"])
            model.rank(f, limit=3, boost=boost(f))
            n += 1
    per_s = n / (time.process_time() - t0)
    print(f"suggestions per second on one core (features + ranking): {per_s:,.0f}")


if __name__ == "__main__":
    main()
