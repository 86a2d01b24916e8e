"""Search text for the directory: what an operator types must find the record (R-H7, R-H2).

Pure functions. A record's ``search_text`` is a space-separated bag of lower-case tokens:

* Chinese text as written (``总经理``), its full pinyin without tones (``zongjingli``) and its
  pinyin initials (``zjl``), so ``zjl`` finds 总经理 and ``zhangwei`` finds 张伟；
* personal names read with the surname reading (曾 → zeng, 单 → shan, 解 → xie, 区 → ou,
  仇 → qiu, 查 → zha …) and, for those surnames, also the everyday reading, because an operator
  who only heard the name may type either;
* numbers as digits only (``020-8888 6666`` → ``02088886666``);
* English words as lower-case words and joined (``john smith`` → ``john smith johnsmith``).

Queries are normalised the same way: full-width → half-width (NFKC), trimmed, lower-cased;
a phone-like query becomes its digits.
"""

from __future__ import annotations

from functools import lru_cache

import re
import unicodedata
from collections.abc import Iterable

from zongji.domain.chinese_text import lazy_library

# Surnames whose reading differs from the character's everyday reading. Compound surnames first,
# their syllables separated by a space.
COMPOUND_SURNAMES: dict[str, str] = {
    "欧阳": "ou yang",
    "司马": "si ma",
    "诸葛": "zhu ge",
    "上官": "shang guan",
    "尉迟": "yu chi",
    "万俟": "mo qi",
    "长孙": "zhang sun",
    "单于": "chan yu",
    "澹台": "tan tai",
    "令狐": "ling hu",
    "皇甫": "huang fu",
    "公孙": "gong sun",
    "慕容": "mu rong",
    "夏侯": "xia hou",
    "东方": "dong fang",
    "西门": "xi men",
    "宇文": "yu wen",
    "独孤": "du gu",
    "轩辕": "xuan yuan",
    "司徒": "si tu",
    "司空": "si kong",
}
SURNAMES: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "查": "zha",
    "朴": "piao",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "翟": "zhai",
    "缪": "miao",
    "召": "shao",
    "秘": "bi",
    "种": "chong",
    "黑": "he",
    "过": "guo",
    "华": "hua",
    "任": "ren",
    "沈": "shen",
    "曲": "qu",
    "宁": "ning",
    "纪": "ji",
    "祭": "zhai",
    "重": "chong",
    "员": "yun",
    "句": "gou",
    "尉": "yu",
    "繁": "po",
    "万": "wan",
    "藏": "zang",
    "贲": "ben",
    "隗": "wei",
    "洗": "xian",
    "冼": "xian",
    "能": "nai",
    "阚": "kan",
    "都": "du",
    "薄": "bo",
    "柏": "bai",
    "瞿": "qu",
    "奇": "ji",
    "折": "she",
    "蕃": "pi",
    "訾": "zi",
}

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPLIT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Characters allowed in something that looks like a phone number.
_PHONE_LIKE = re.compile(r"^\+?[0-9 \-().]+$")


def normalize(text: str | None) -> str:
    """NFKC (full-width → half-width), trimmed, lower-case, inner whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"\s+", " ", text)


def digits_only(text: str | None) -> str:
    return re.sub(r"\D", "", normalize(text))


def is_phone_like(text: str) -> bool:
    """True for queries made only of digits and phone punctuation, with at least one digit."""
    t = normalize(text)
    return bool(t) and bool(_PHONE_LIKE.match(t)) and any(c.isdigit() for c in t)


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


@lru_cache(maxsize=65536)
def _pinyin_forms(segment: str) -> tuple[str, str]:
    pypinyin = lazy_library("pypinyin")  # loaded at first use, not at start-up
    full = "".join(pypinyin.lazy_pinyin(segment, errors="default"))
    initials = "".join(pypinyin.lazy_pinyin(segment, style=pypinyin.Style.FIRST_LETTER, errors="default"))
    return full, initials


def _name_pinyin_forms(name: str) -> list[tuple[str, str]]:
    """Pinyin readings (full, initials) of a Chinese personal name, surname reading first."""
    syllables: list[str] = []
    given = name
    for compound, reading in COMPOUND_SURNAMES.items():
        if name.startswith(compound):
            syllables, given = reading.split(), name[len(compound):]
            break
    else:
        if name[:1] in SURNAMES:
            syllables, given = [SURNAMES[name[0]]], name[1:]
    if not syllables:
        return [_pinyin_forms(name)]
    g_full, g_init = _pinyin_forms(given) if given else ("", "")
    forms = [("".join(syllables) + g_full, "".join(s[0] for s in syllables) + g_init)]
    everyday = _pinyin_forms(name)
    if everyday[0] != forms[0][0]:
        forms.append(everyday)
    return forms


def text_tokens(text: str | None, *, personal_name: bool = False) -> list[str]:
    """Tokens for one piece of text (see the module docstring)."""
    t = normalize(text)
    if not t:
        return []
    tokens: list[str] = []
    segments = [s for s in _SPLIT.split(t) if s]
    for seg in segments:
        tokens.append(seg)
        if has_han(seg):
            forms = _name_pinyin_forms(seg) if personal_name else [_pinyin_forms(seg)]
            for full, initials in forms:
                tokens.extend([full, initials])
    latin = [s for s in segments if not has_han(s) and not s.isdigit()]
    if len(latin) > 1:
        tokens.append("".join(latin))
    return tokens


def number_tokens(number: str | None) -> list[str]:
    """Digits of a phone number or extension; a +86/0086 mobile also without its prefix."""
    d = digits_only(number)
    if not d:
        return []
    tokens = [d]
    for prefix in ("0086", "86"):
        rest = d[len(prefix):]
        if d.startswith(prefix) and len(rest) == 11 and rest.startswith("1"):
            tokens.append(rest)
            break
    return tokens


def build_search_text(
    *,
    names: Iterable[str | None] = (),
    texts: Iterable[str | None] = (),
    numbers: Iterable[str | None] = (),
) -> str:
    """The ``search_text`` of a record: personal names, other text, phone numbers."""
    tokens: list[str] = []
    for n in names:
        tokens.extend(text_tokens(n, personal_name=True))
    for t in texts:
        tokens.extend(text_tokens(t))
    for n in numbers:
        tokens.extend(number_tokens(n))
    seen: set[str] = set()
    unique = [t for t in tokens if not (t in seen or seen.add(t))]
    return " ".join(unique)


def query_terms(query: str | None) -> list[str]:
    """The terms of a search query; every term must match (AND).

    A phone-like query (``138-0013-8000``, ``+86 138 0013 8000``, ``８３０１``) is one term of
    digits (a +86 mobile without its prefix). Otherwise the normalised text is split on
    whitespace and punctuation.
    """
    q = normalize(query)
    if not q:
        return []
    if is_phone_like(q):
        return number_tokens(q)[-1:]
    return [s for s in _SPLIT.split(q) if s]


def is_short_term(term: str) -> bool:
    """Short Latin or digit terms (1–2 characters) only match at the start of a token."""
    return len(term) <= 2 and not has_han(term)


def match_quality(term: str, search_text: str) -> int:
    """0 = a whole token equals the term, 1 = a token starts with it, 2 = contained, 3 = none."""
    tokens = search_text.split(" ")
    if term in tokens:
        return 0
    if any(tok.startswith(term) for tok in tokens):
        return 1
    if term in search_text:
        return 2
    return 3
