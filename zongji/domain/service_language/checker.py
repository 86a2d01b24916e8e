"""Find forbidden phrases in what an agent types (R-P10, R-S16).

The text is folded character by character through ``chinese_text.fold`` (full-width →
half-width, traditional → simplified, case) with whitespace dropped, so ``喂 ,`` ``說完了沒有``
and ``ＸＸ`` are seen as typed in plain simplified Chinese; each hit's ``start``/``end`` are
positions in the original text, so a page can underline them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zongji.domain.chinese_text import fold
from zongji.domain.service_language.phrases import Phrase


@dataclass(frozen=True)
class Hit:
    phrase: str
    kind: str
    suggestion: str
    start: int
    end: int
    matched: str

    def as_dict(self) -> dict[str, object]:
        return {
            "phrase": self.phrase,
            "kind": self.kind,
            "suggestion": self.suggestion,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
        }


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text without whitespace and, per folded character, its original index."""
    out: list[str] = []
    where: list[int] = []
    for index, ch in enumerate(text):
        folded = fold(ch)
        for piece in folded:
            if piece.isspace():
                continue
            out.append(piece)
            where.append(index)
    return "".join(out), where


def _spans(folded: str, word: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    needle = fold(word).replace(" ", "")
    if not needle:
        return spans
    start = folded.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = folded.find(needle, start + 1)
    return spans


def check(text: str, phrases: Iterable[Phrase]) -> list[Hit]:
    """Every hit of ``phrases`` in ``text``, in order of position; none inside an exception."""
    if not text:
        return []
    folded, where = _folded_with_positions(text)
    hits: list[Hit] = []
    for phrase in phrases:
        innocent = [span for word in phrase.exceptions for span in _spans(folded, word)]
        for match in phrase.regex().finditer(folded):
            a, b = match.span()
            if a == b:
                continue
            if any(s <= a and b <= e for s, e in innocent):
                continue
            start, end = where[a], where[b - 1] + 1
            hits.append(
                Hit(
                    phrase=phrase.text,
                    kind=str(phrase.kind),
                    suggestion=phrase.suggestion,
                    start=start,
                    end=end,
                    matched=text[start:end],
                )
            )
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    return hits
