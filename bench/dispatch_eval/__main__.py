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
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from zongji.demo.work_orders import CATEGORIES_12345
from zongji.domain.chinese_text import Analyzer, Synonyms
from zongji.domain.dispatch.features import order_features
from zongji.domain.dispatch.model import Example, accuracy, train

HERE = Path(__file__).parent
CONTENT = HERE.parent.parent / "zongji" / "demo" / "content"


def load() -> tuple[list[dict], list[dict], list[dict], Synonyms]:
    matters = json.loads((CONTENT / "matters.json").read_text("utf-8"))
    articles = json.loads((CONTENT / "articles.json").read_text("utf-8"))
    requests = [json.loads(line) for line in (HERE / "requests.jsonl").read_text("utf-8").splitlines() if line.strip()]
    synonyms = Synonyms.from_lines(line for line in (CONTENT / "synonyms.txt").read_text("utf-8").splitlines()
                                   if not line.lstrip().startswith("#"))
    return matters, articles, requests, synonyms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=20)
    args = ap.parse_args()
    matters, articles, requests, synonyms = load()
    names = sorted({m["unit"] for m in matters} | {r["unit"] for r in requests})
    uid = {n: i + 1 for i, n in enumerate(names)}
    analyzer = Analyzer(synonyms, [k for m in matters for k in m["keywords"]] + [m["matter"] for m in matters])

    def feats(text: str, category: str | None = None, place: str | None = None) -> list[str]:
        return order_features(analyzer, text, category, place)

    cold_examples: list[Example] = []
    for m in matters:
        for text in [m["matter"], *m["examples"], " ".join(m["keywords"])]:
            cold_examples.append(Example(feats(text, m.get("category")), uid[m["unit"]]))
    for a in articles:
        if a["scope"] == "city" and a.get("unit") in uid:
            cold_examples.append(Example(feats(a["title"]), uid[a["unit"]]))
            cold_examples.append(Example(feats(" ".join(a["keywords"])), uid[a["unit"]]))
    history = [r for r in requests if r["set"] == "history"]
    evaluation = [r for r in requests if r["set"] == "eval"]
    warm_examples = cold_examples + [
        Example(feats(r["text"], r["category"], r["place"]), uid[r["unit"]],
                uid.get(r["returned_from"]) if r.get("returned_from") else None) for r in history]
    cases = [(feats(r["text"], r["category"], r["place"]), uid[r["unit"]]) for r in evaluation]

    default_unit = {code: unit for code, _zh, _en, unit in CATEGORIES_12345}
    base1 = sum(1 for r in evaluation if r["category"] and default_unit.get(r["category"]) == r["unit"])

    print(f"eval set: {len(evaluation)} requests, {len(names)} units; history: {len(history)} "
          f"({sum(1 for r in history if r.get('returned_from'))} returned once); catalogue: "
          f"{len(matters)} matters; articles: {sum(1 for a in articles if a['scope'] == 'city')}")
    print(f"{'':34}{'top-1':>8}{'top-3':>8}{'train s':>9}")
    print(f"{'baseline: category default unit':34}{base1 / len(evaluation):>8.1%}{'—':>8}{'—':>9}")
    for label, examples in (("cold: catalogue + articles", cold_examples),
                            ("warm: + history", warm_examples)):
        t0 = time.process_time()
        model = train(examples, uid.values(), epochs=args.epochs)
        took = time.process_time() - t0
        top1, top3 = accuracy(model, cases)
        print(f"{label:34}{top1:>8.1%}{top3:>8.1%}{took:>9.1f}")
    # Speed: the whole path of one suggestion (features from the raw text, then the ranking).
    t0 = time.process_time()
    n = 0
    while time.process_time() - t0 < 2.0:
        for r in evaluation:
            model.rank(feats(r["text"], r["category"], r["place"]), limit=3)
            n += 1
    per_s = n / (time.process_time() - t0)
    print(f"suggestions per second on one core (features + ranking): {per_s:,.0f}")


if __name__ == "__main__":
    main()
