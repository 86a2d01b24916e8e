"""Build zongji/demo/content/matters.json and bench/dispatch_eval/requests.jsonl.

Deterministic (fixed seeds). History lines are built from the history phrasings of spoken.py
(written apart from the catalogue examples); eval lines from separately written phrasings, other places, other openers and closings, so eval texts are not
copies of history lines or catalogue examples. Run: python -m bench.dispatch_eval.make_content
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench.dispatch_eval.catalogue_source import LAWS, ROWS, UNITS
from bench.dispatch_eval.spoken import SPOKEN

ROOT = Path(__file__).resolve().parents[2]
MATTERS_PATH = ROOT / "zongji" / "demo" / "content" / "matters.json"
REQUESTS_PATH = ROOT / "bench" / "dispatch_eval" / "requests.jsonl"

# Relative call volume per unit (城管、住建、交通、人社 most frequent).
WEIGHTS = {"城管": 16, "住建": 14, "交通": 14, "人社": 12, "市场": 8, "生态": 4, "水务": 5,
           "民政": 4, "医保": 5, "供电": 4, "卫健": 4, "公安": 5, "东区": 4, "西区": 4, "热线": 2}

# Invented places; history and eval use disjoint pools.
HIST_PLACES = {
    "东": ["东区青枫路", "东区青枫苑小区", "东区桂溪街道", "东区桂溪社区", "东区望江路118号", "东区明湖花园",
           "东区锦鲤巷", "东区长乐北路", "东区鹭岛新城", "东区金沙农贸市场", "东区翠屏社区", "东区滨江大道",
           "东区晨光里", "东区和平新村", "东区梧桐路与松涛街交叉口"],
    "西": ["西区柳塘社区", "西区白沙路", "西区枫林湾小区", "西区南门外街", "西区石榴巷", "西区西岭镇",
           "西区龙泉路66号", "西区杏花村", "西区红砖厂宿舍", "西区翠湖公园", "西区朝阳新村", "西区学府路",
           "西区兴业工业园", "西区竹溪街道", "西区金穗小区"],
}
EVAL_PLACES = {
    "东": ["东区云杉路", "东区海棠湾小区", "东区荷塘街道", "东区星河社区", "东区观澜路27号", "东区紫荆苑",
           "东区银杏大街", "东区东风岭", "东区渔港新村", "东区凤凰广场", "东区玉兰里", "东区东湾工业区",
           "东区福寿巷", "东区临江路与新港路路口"],
    "西": ["西区桃源社区", "西区青石板街", "西区秀水家园", "西区北坡村", "西区芦苇荡路", "西区西山大道",
           "西区丰收路9号", "西区橘园小区", "西区老粮站宿舍", "西区月牙湖", "西区苗圃路", "西区新材料产业园",
           "西区双井街道", "西区槐荫巷"],
}

HIST_OPEN = ["{p}，", "家住{p}，", "{p}这边", "我是{p}的居民，", "反映{p}的情况：", "在{p}，", "{p}附近"]
HIST_OPEN_NO_PLACE = ["市民来电：", "来电人称", "来电反映", ""]
HIST_CLOSE = ["", "。", "，希望尽快处理。", "，麻烦派人看看。", "，已经好几天了。", "，请相关部门管一管。",
              "，之前打过电话没人管。", "，要求处理。"]
EVAL_OPEN = ["您好，{p}那里", "我住{p}，", "{p}那块儿", "打扰一下，{p}", "关于{p}：", "我们{p}", "市民说{p}"]
EVAL_OPEN_NO_PLACE = ["想问一下，", "来电人讲", "有个事儿，", "咨询："]
HIST_DETAIL = ["，家里有老人和小孩", "，这种情况持续一个多月了", "，来电人要求处理后回电", "，周围邻居意见都很大",
               "，社区说管不了", "，来电人情绪比较激动"]
EVAL_DETAIL = ["，我们整栋楼的人都有意见", "，前前后后找了好几个地方", "，老人晚上都睡不踏实", "，物业和社区都说不归他们",
               "，来电人留了手机号", "，打了几次电话都没结果"]
HIST_ASK_CLOSE = ["", "？", "，麻烦告知。", "，想咨询一下。", "，请回电。"]
EVAL_ASK_CLOSE = ["？", "，请告诉我", "，谢谢", "，谁能答复下", "？挺急的"]
ASK_MARKS = ("吗", "怎么", "什么", "哪", "多久", "几点", "能不能", "有没有", "多少", "啥", "是啥", "算不算")
EVAL_CLOSE = ["，谁来管一下？", "，能不能处理下", "，拖了快一个月了", "，急！", "。谢谢", "，盼回复",
              "，请给个说法", ""]


def parse_spoken() -> dict[str, tuple[list[str], list[str], list[str]]]:
    """matter -> (more examples, more keywords, history phrasings), from spoken.SPOKEN."""
    out = {}
    for line in SPOKEN.strip().splitlines():
        name, examples, keywords, history = line.split("|")
        out[name] = (examples.split("；"), keywords.split(), history.split("；"))
    return out


def _merged(first: list[str], more: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *(x for x in more if x)]))


def parse_rows():
    spoken = parse_spoken()
    matters = []
    for line in ROWS.strip().splitlines():
        f = line.split("|")
        assert len(f) == 11, line
        name, unit, assist, cat, law, art, duty, examples, keywords, evals, flags = f
        wrong = None
        for flag in flags.split():
            if flag.startswith("W="):
                wrong = UNITS[flag[2:]]
        more_examples, more_keywords, history = spoken[name]
        first_examples = examples.split("；")
        matters.append({
            "matter": name, "unit": UNITS[unit],
            "assisting": [UNITS[a] for a in assist.split(",") if a],
            "basis": f"《{LAWS[law]}》第{art}条：{duty}",
            "examples": _merged(first_examples, more_examples),
            "keywords": _merged(keywords.split(), more_keywords),
            "category": None if cat in ("", "-") else cat,
            "_first_examples": first_examples, "_history": history,
            "_key": unit, "_eval": evals.split("；"), "_boundary": "B" in flags.split(), "_wrong": wrong,
        })
    return matters


def district_of(m, rnd):
    if m["_key"] == "东区":
        return "东"
    if m["_key"] == "西区":
        return "西"
    return rnd.choice("东西")


def pick_category(m, rnd):
    cat = m["category"]
    r = rnd.random()
    if r < 0.2:
        return None
    if cat is None:
        return None
    if "/" in cat and r < 0.35:
        return cat.split("/")[0]
    return cat


def is_question(phrase: str) -> bool:
    return any(mark in phrase for mark in ASK_MARKS)


def build_line(m, phrase, places, opens, opens_np, closes, rnd, ask_closes, details):
    if is_question(phrase):
        closes = ask_closes
    elif rnd.random() < 0.3:
        phrase += rnd.choice(details)
        closes = [c for c in closes if "天" not in c and "月" not in c]
    for _ in range(50):
        if rnd.random() < 0.1 and m["_key"] not in ("东区", "西区"):
            place = ""
            text = rnd.choice(opens_np) + phrase + rnd.choice(closes)
        else:
            place = rnd.choice(places[district_of(m, rnd)])
            text = rnd.choice(opens).format(p=place) + phrase + rnd.choice(closes)
        text = text.replace("。。", "。").replace("，，", "，")
        if 15 <= len(text) <= 80:
            return text, place
    return None, None


def choose_matter(matters, rnd):
    boundary = [m for m in matters if m["_boundary"]]
    if rnd.random() < 0.11:
        return rnd.choice(boundary)
    keys = list(WEIGHTS)
    key = rnd.choices(keys, weights=[WEIGHTS[k] for k in keys])[0]
    return rnd.choice([m for m in matters if m["_key"] == key and not m["_boundary"]]
                      or [m for m in matters if m["_key"] == key])


def wrong_unit(m, rnd):
    if m["_wrong"]:
        return m["_wrong"]
    others = m["assisting"] or [u for u in UNITS.values() if u != m["unit"] and u != "热线办公室"]
    return rnd.choice(others)


def generate(n_history=2000, n_eval=480, seed=11, history_seed=29, n_first_history=700):
    """The public matters, the history rows and the eval rows.

    The eval rows are drawn exactly as in the first version of this file, from the random
    stream ``seed`` after a first history of ``n_first_history`` rows built from the catalogue's
    first two examples per matter; that first history is drawn again (and only used to keep the
    eval draw as it was: the eval rows stay byte-identical) but not kept, so its size stays 700
    whatever ``n_history`` is. The history kept (``n_history`` rows; a centre learns from
    thousands of past orders) is drawn from a second stream, ``history_seed``, out of the
    separately written history phrasings of spoken.py.
    """
    rnd = random.Random(seed)
    matters = parse_rows()
    first_examples = {e for m in matters for e in m["_first_examples"]}
    all_examples = {e for m in matters for e in m["examples"]}
    first_history, eval_ = [], []
    seen = set()

    def add(target, m, hist, rnd, history, phrases=None, examples=first_examples):
        if hist:
            phrase = rnd.choice(phrases or m["_first_examples"])
            text, place = build_line(m, phrase, HIST_PLACES, HIST_OPEN, HIST_OPEN_NO_PLACE, HIST_CLOSE, rnd,
                                     HIST_ASK_CLOSE, HIST_DETAIL)
        else:
            phrase = rnd.choice(m["_eval"])
            text, place = build_line(m, phrase, EVAL_PLACES, EVAL_OPEN, EVAL_OPEN_NO_PLACE, EVAL_CLOSE, rnd,
                                     EVAL_ASK_CLOSE, EVAL_DETAIL)
        if text is None or text in seen:
            return
        if not hist and (text in examples or any(text in h["text"] for h in history)):
            return
        seen.add(text)
        returned = None
        if hist and rnd.random() < 0.1:
            returned = wrong_unit(m, rnd)
        target.append({"text": text, "category": pick_category(m, rnd), "place": place, "unit": m["unit"],
                       "set": "history" if hist else "eval", "returned_from": returned})

    def draw(hist, target, n, rnd, phrases_of=lambda m: None):
        # Every unit at least a few times, then weighted sampling.
        for m in matters:
            if rnd.random() < 0.3:
                add(target, m, hist, rnd, first_history, phrases_of(m))
        while len(target) < n:
            m = choose_matter(matters, rnd)
            add(target, m, hist, rnd, first_history, phrases_of(m))
        rnd.shuffle(target)

    draw(True, first_history, n_first_history, rnd)
    draw(False, eval_, n_eval, rnd)
    eval_texts = [r["text"] for r in eval_]
    history: list[dict] = []
    hrnd = random.Random(history_seed)
    while len(history) < n_history:
        draw(True, history, n_history, hrnd, lambda m: m["_history"])
        # A history text never equals or holds an eval text, nor is an eval text a catalogue example.
        history[:] = [h for h in history if not any(e in h["text"] for e in eval_texts)]
    assert not set(eval_texts) & all_examples
    public = [{k: v for k, v in m.items() if not k.startswith("_")} for m in matters]
    return public, history, eval_


def main() -> None:
    public, history, eval_ = generate()
    MATTERS_PATH.parent.mkdir(parents=True, exist_ok=True)
    MATTERS_PATH.write_text(json.dumps(public, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with REQUESTS_PATH.open("w", encoding="utf-8") as fh:
        # History first, then eval, so a reader can take a prefix.
        for row in history + eval_:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(public), "matters;", len(history), "history;", len(eval_), "eval")


if __name__ == "__main__":
    main()
