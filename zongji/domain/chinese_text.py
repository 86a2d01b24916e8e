"""What a caller says, as terms a search can match (issue 11, point 3; R-P2, R-P12, R-H7). Pure.

An operator types what the caller says — 小区门口有流浪狗, 社保卡丢了, 樓上噪音 — and the
knowledge base, the responsibility catalogue, the dispatch suggestion and duplicate detection
must all find the same things for it. They share this one analyser:

* **folding**: full-width → half-width and compatibility forms (NFKC), case folded, traditional
  → simplified characters (``醫療保險`` → ``医疗保险``), whitespace collapsed;
* **segmentation** into words with rjieba's search mode, which also yields the words inside a
  long word (``社会保险`` → ``社会``, ``保险``, ``社会保险``), so a caller's short word finds an
  article's long one; the centre's own words (synonyms, keywords, matter names) are added to the
  dictionary so that ``流浪犬只`` is one word and not ``流浪`` + ``犬`` + ``只``;
* **synonyms**: groups of words that mean the same to the centre (``流浪狗 = 流浪犬只 = 野狗``,
  ``社保 = 社会保险``); every word of a group becomes the group's first word, the canonical term,
  in the index and in the query alike;
* **pinyin**: each Chinese word also as its full pinyin and its initials (``社保`` → ``shebao``,
  ``sb``), so an operator typing ``sb`` or ``liulanggou`` finds it;
* particles and fillers (的, 了, 吗, 请问, 怎么办 …) and punctuation are dropped.

The same text always gives the same terms; nothing here reads a database or a file of its own
(rjieba carries its dictionary, zhconv and pypinyin their tables).
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType


@lru_cache(maxsize=None)
def lazy_library(name: str) -> ModuleType:
    """rjieba, zhconv or pypinyin, imported at first use: their dictionaries and tables take
    seconds to load, which Zongji's start-up must not wait for (issue 18, point 5)."""
    return importlib.import_module(name)

# Words that carry no matter of their own in what callers say: particles, pronouns, fillers and
# the question words every inquiry has. Dropped from index and query alike.
STOP_WORDS: frozenset[str] = frozenset(
    """
    的 了 着 过 吗 呢 吧 啊 呀 嘛 哦 喔 哈 噢 么 之 与 及 和 跟 或 而 且 就 都 也 还 又 再 才 很 太 最
    在 是 有 没 没有 不 被 把 给 让 对 向 从 到 于 为 以 由 将 这 那 这个 那个 这里 那里 这边 那边 哪 哪里
    我 你 您 他 她 它 我们 你们 他们 她们 咱们 自己 大家 人家 个 些 一 一个 一下 一些 一点 点 下 上
    请 请问 想 想问 问 问一下 咨询 一下子 怎么 怎么办 怎么样 怎样 如何 什么 为什么 哪个 多少 几 能 能不能
    可以 可不可以 要 需要 应该 会 该 得 地 喂 嗯 呃 那么 然后 就是 还是 但是 可是 因为 所以 如果 现在
    今天 已经 一直 好 好的 谢谢 麻烦 你好 您好
    """.split()
)

def warm_up() -> None:
    """Load the dictionaries now (a server does it a few seconds after it starts answering, so
    that neither its start nor its first search waits for them)."""
    pinyin_forms("总机")
    fold("總機")
    lazy_library("rjieba").Jieba().cut_for_search("总机")


_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$", re.UNICODE)
_HAS_HAN = re.compile(r"[\u3400-\u9fff]")
_WHITESPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Full-width → half-width, case folded, traditional → simplified, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    if _HAS_HAN.search(text):
        text = lazy_library("zhconv").convert(text, "zh-hans")
    return _WHITESPACE.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def pinyin_forms(word: str) -> tuple[str, ...]:
    """A Chinese word's full pinyin without tones and its initials (``社保`` → shebao, sb).

    Only words of Chinese characters have them; a mixed word (``wifi密码``) has none.
    """
    if not word or not all(_HAS_HAN.match(ch) for ch in word):
        return ()
    pypinyin = lazy_library("pypinyin")
    full = "".join(pypinyin.lazy_pinyin(word))
    initials = "".join(pypinyin.lazy_pinyin(word, style=pypinyin.Style.FIRST_LETTER))
    if len(word) == 1:
        return (full,)
    return (full, initials)


def parse_synonym_group(line: str) -> tuple[str, ...]:
    """``流浪狗 = 流浪犬只 = 野狗`` (or separated by ``,``, ``，``, ``、``) → the folded words, in order.

    The first word is the group's canonical term. Blank parts are dropped; one word alone is no
    group (an empty tuple).
    """
    parts = [fold(p) for p in re.split(r"[=＝,，、;；|]", line)]
    words: list[str] = []
    for p in parts:
        if p and p not in words:
            words.append(p)
    return tuple(words) if len(words) > 1 else ()


@dataclass(frozen=True)
class Synonyms:
    """Groups of words the centre treats as one; each maps to its group's first word."""

    groups: tuple[tuple[str, ...], ...] = ()
    _canonical: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, str] = {}
        for group in self.groups:
            head = group[0]
            for word in group:
                # A word in two groups keeps its first group: the table is the centre's to fix.
                table.setdefault(word, table.get(head, head))
        object.__setattr__(self, "_canonical", table)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> "Synonyms":
        return cls(tuple(g for g in (parse_synonym_group(line) for line in lines) if g))

    def canonical(self, word: str) -> str:
        return self._canonical.get(word, word)

    def words(self) -> frozenset[str]:
        return frozenset(self._canonical)


class Analyzer:
    """Text → terms, with the centre's synonyms and words. Build one per synonym table and reuse it:
    building adds the words to a private rjieba dictionary (about a millisecond per 100 words)."""

    def __init__(self, synonyms: Synonyms | None = None, words: Iterable[str] = ()) -> None:
        self.synonyms = synonyms or Synonyms()
        self._jieba = lazy_library("rjieba").Jieba()
        for word in sorted(set(self.synonyms.words()) | {fold(w) for w in words}):
            if len(word) > 1 and _HAS_HAN.search(word) and " " not in word:
                self._jieba.add_word(word, None, None)

    def _tokens(self, text: str) -> list[tuple[str, str]]:
        """(word as said, its canonical term) for each word of the folded text, search mode,
        punctuation and stop words dropped."""
        out: list[tuple[str, str]] = []
        for token in self._jieba.cut_for_search(fold(text)):
            token = token.strip()
            if not token or _PUNCT_OR_SPACE.match(token) or token in STOP_WORDS:
                continue
            out.append((token, self.synonyms.canonical(token)))
        return out

    def words(self, text: str) -> list[str]:
        """The folded text's words in order, search mode (long words and the words inside them),
        punctuation and stop words dropped, synonyms mapped to their canonical term."""
        return [canonical for _, canonical in self._tokens(text)]

    def terms(self, text: str) -> list[str]:
        """``words`` plus the pinyin and initials of each Chinese word, both as said and as its
        canonical term (``社保卡`` → 社会保障卡, shehuibaozhangka, shbzk, shebaoka, sbk): what an
        index stores and what a query is matched with. Duplicates are kept (a term said twice
        counts twice)."""
        out: list[str] = []
        for said, canonical in self._tokens(text):
            out.append(canonical)
            forms = pinyin_forms(canonical)
            out.extend(forms)
            if said != canonical:
                out.extend(f for f in pinyin_forms(said) if f not in forms)
        return out

    def query_terms(self, text: str) -> list[str]:
        """The distinct terms of what the operator typed, in order. A query typed in Latin letters
        (``sb``, ``liulanggou``) is matched against the pinyin forms as it stands."""
        seen: dict[str, None] = {}
        for word in self.words(text):
            seen.setdefault(word, None)
        return list(seen)


@lru_cache(maxsize=16)
def _built(groups: tuple[tuple[str, ...], ...], words: frozenset[str]) -> Analyzer:
    return Analyzer(Synonyms(groups), words)


def analyzer_for(synonyms: Synonyms, words: Iterable[str] = ()) -> Analyzer:
    """The analyser for a synonym table and a word list, built once per distinct content: building
    one loads a dictionary into a new segmenter (a few hundred milliseconds), reusing one costs
    nothing, and an analyser never changes once built."""
    return _built(synonyms.groups, frozenset(words))


def term_text(terms: Iterable[str]) -> str:
    """Terms as one space-separated string, the form a full-text index (SQLite FTS5, PostgreSQL
    ``to_tsvector('simple', …)``) stores: each term one token, nothing split again."""
    return " ".join(t.replace(" ", "") for t in terms if t)
