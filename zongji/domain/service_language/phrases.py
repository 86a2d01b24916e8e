"""A forbidden phrase and the safe pattern language it is written in (R-P10, R-S16).

A phrase is matched literally, except for two wildcards:

* ``*`` (or the requirements' placeholder ``XX``) — up to ``WILDCARD_MAX_CHARS`` characters
  that are not punctuation or a line break (``你自己去*部门问吧`` matches 你自己去民政部门问吧);
* ``?`` — exactly one such character.

Everything else is literal: a phrase can never be a general regular expression, so no phrase a
supervisor enters can be slow or match across sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from zongji.domain.chinese_text import fold

WILDCARD_MAX_CHARS = 8
MAX_PHRASE_CHARS = 60
# Characters a wildcard never spans: punctuation (both widths after folding) and whitespace.
_STOP = r"\s,.!?;:、,。!?;:…\"'“”‘’()()\[\]【】"
_WILDCARD_ANY = f"[^{_STOP}]{{0,{WILDCARD_MAX_CHARS}}}?"
_WILDCARD_ONE = f"[^{_STOP}]"
_TOKENS = re.compile(r"(\*|\?|XX|xx)")


class PhraseKind(StrEnum):
    """The five kinds of words never said (R-S16) and the fillers R-P10 names."""

    FILLER = "filler"  # 喂, 哦
    HURTFUL = "hurtful"
    BLAMING = "blaming"
    LECTURING = "lecturing"  # contradicting / lecturing / refusing
    VULGAR = "vulgar"
    PROVOKING = "provoking"


class PhraseError(ValueError):
    """A phrase that cannot be used; ``field`` names what is wrong."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class Phrase:
    """One forbidden phrase. ``exceptions``: longer words it is innocent inside."""

    text: str
    suggestion: str = ""
    kind: PhraseKind = PhraseKind.HURTFUL
    exceptions: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        validate_phrase(self.text)

    @property
    def is_pattern(self) -> bool:
        return bool(_TOKENS.search(self.text))

    def regex(self) -> re.Pattern[str]:
        return compile_phrase(self.text)


def validate_phrase(text: str) -> str:
    """The phrase as stored (trimmed); raises PhraseError for one that cannot be matched."""
    stripped = (text or "").strip()
    if not stripped:
        raise PhraseError("phrase", "the phrase is empty")
    if len(stripped) > MAX_PHRASE_CHARS:
        raise PhraseError("phrase", f"the phrase is longer than {MAX_PHRASE_CHARS} characters")
    literal = _TOKENS.sub("", stripped)
    if not fold(literal).replace(" ", ""):
        raise PhraseError("phrase", "the phrase has no literal characters, only wildcards")
    return stripped


def compile_phrase(text: str) -> re.Pattern[str]:
    """The phrase as a regular expression over folded, space-free text."""
    parts: list[str] = []
    for piece in _TOKENS.split(validate_phrase(text)):
        if piece in ("*", "XX", "xx"):
            parts.append(_WILDCARD_ANY)
        elif piece == "?":
            parts.append(_WILDCARD_ONE)
        elif piece:
            parts.append(re.escape(fold(piece).replace(" ", "")))
    return re.compile("".join(parts))
