"""Article-level evidence for naming a span's technique, which the span's encoder window cannot see.

Repetition needs the whole article (does the span's wording recur?); Appeal to Authority and Doubt live in
and around quotations and attributions ("experts say", "according to", a quoted sentence, scare quotes). The
quotations are found by the quotes analyser's own quote finder (unspin.nlp.quotes), the attribution and hedge
cues come from its lexicon. Computed once per text; the same code serves training and inference.
"""

from __future__ import annotations

import bisect
import math
import re
from functools import cached_property
from typing import TYPE_CHECKING

from unspin.nlp.doc import Part
from unspin.nlp.parse import paragraphs_of
from unspin.nlp.quotes import MIN_QUOTE_WORDS, find_quoted

if TYPE_CHECKING:
    from unspin.nlp.lexicon import Lexicon

FEATURES = (
    "repetition",  # log(1 + other occurrences of the span's wording in the article)
    "length",  # log(1 + tokens in the span)
    "in_quotation",  # share of the span inside a quotation of MIN_QUOTE_WORDS words or more
    "scare_quote",  # the span overlaps a short quoted phrase that is not a name
    "attributed",  # its sentence has a speech verb or 'according to'
    "hedged",  # its sentence has a hedge (may, reportedly, allegedly …)
    "question",  # its sentence is a question
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)]*(?=\s)|\n")


class SpanContext:
    """Evidence around spans of one text: ``features(start, end, n_tokens, count)`` gives the first ``count``
    of FEATURES. Quotations, sentence bounds and the lexicon are found on first use only: the shipped head
    reads repetition and length, and the hot path should not pay for the rest."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = text.lower()

    @cached_property
    def _quoted(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(quotations of MIN_QUOTE_WORDS words or more, short quoted phrases that are not names)."""
        quoted = find_quoted(Part("body", self.text, paragraphs_of(self.text)))
        return (
            [(q.open, q.close) for q in quoted if q.words >= MIN_QUOTE_WORDS and not q.is_name],
            [(q.open, q.close) for q in quoted if 0 < q.words < MIN_QUOTE_WORDS and not q.is_name],
        )

    @cached_property
    def _ends(self) -> list[int]:
        return [m.end() for m in _SENTENCE_END.finditer(self.text)]

    @cached_property
    def _lexicon(self) -> Lexicon | None:
        from unspin.nlp.lexicon import (
            lexicon,
        )  # imported late: the analysers package imports the models

        return lexicon("en")

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """From the end of the sentence before ``start`` to the end of the one holding ``end``."""
        ends = self._ends
        i = bisect.bisect_right(ends, start)
        s = ends[i - 1] if i > 0 else 0
        j = bisect.bisect_left(ends, end)
        e = ends[j] if j < len(ends) else len(self.text)
        return s, e

    def features(self, start: int, end: int, n_tokens: int, count: int = len(FEATURES)) -> list[float]:
        needle = " ".join(self.text[start:end].lower().split())
        repeats = self.lower.count(needle) if len(needle) >= 3 else 1
        out = [math.log1p(max(0, repeats - 1)), math.log1p(n_tokens)]
        if count <= 2:
            return out[:count]
        quotations, scare = self._quoted
        inside = sum(max(0, min(end, c) - max(start, o + 1)) for o, c in quotations) / max(1, end - start)
        s, e = self.sentence(start, end)
        sent = self.text[s:e]
        lex = self._lexicon
        out += [
            min(1.0, inside),
            float(any(o < end and start <= c for o, c in scare)),
            float(bool(lex and (lex.speech_verbs.search(sent) or lex.according_to.search(sent)))),
            float(bool(lex and lex.hedges.search(sent))),
            float("?" in sent),
        ]
        return out[:count]
