"""Chinese text the console shows or operators read aloud uses full-width punctuation (，！？：；)."""

import datetime as dt
import json
import re
from pathlib import Path

import zongji.web
from zongji.domain import greeting, transfer

ASCII_NEXT_TO_CJK = re.compile(r"[\u4e00-\u9fff][,!?;:]|[,!?;][\u4e00-\u9fff]")


def _bad(texts):
    return [t for t in texts if ASCII_NEXT_TO_CJK.search(t)]


def test_console_strings_use_full_width_punctuation():
    zh = json.loads((Path(zongji.web.__file__).parent / "static/i18n/zh-CN.json").read_text("utf-8"))
    values = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, str):
            values.append(v)

    walk(zh)
    assert values and not _bad(values)


def test_scripts_and_greetings_use_full_width_punctuation():
    scripts = [s.zh for s in transfer.SCRIPTS.values()]
    lines = [
        greeting.LineInfo(kind="switchboard", organisation_name="示例大酒店", organisation_kind="hotel"),
        greeting.LineInfo(kind="switchboard", organisation_name="示例科技公司", organisation_kind="company"),
        greeting.LineInfo(kind="hotline_400", organisation_name="示例科技公司"),
        greeting.LineInfo(kind="hotline_12345", organisation_name="示例市", organisation_kind="city_hotline"),
        None,
    ]
    greetings = [
        greeting.greeting_for(line, dt.time(hour), internal=internal).zh
        for line in lines for hour in (7, 12, 15, 21) for internal in (False, True)
    ]
    assert len(set(greetings)) > 5
    assert scripts and not _bad(scripts + greetings), _bad(scripts + greetings)
