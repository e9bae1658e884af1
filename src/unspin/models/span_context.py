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

from unspin.nlp.doc import Part
from unspin.nlp.parse import paragraphs_of
from unspin.nlp.quotes import MIN_QUOTE_WORDS, find_quoted

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
    """Quotations, scare quotes and sentence bounds of one text, for ``features(start, end, n_tokens)``."""

    def __init__(self, text: str) -> None:
        from unspin.analyzers.lexicon import (
            lexicon,  # imported late: the analysers package imports the models
        )

        self.text = text
        self.lower = text.lower()
        quoted = find_quoted(Part("body", text, paragraphs_of(text)))
        self.quotations = [(q.open, q.close) for q in quoted if q.words >= MIN_QUOTE_WORDS and not q.is_name]
        self.scare = [(q.open, q.close) for q in quoted if 0 < q.words < MIN_QUOTE_WORDS and not q.is_name]
        self.ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        self.lex = lexicon("en")

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """From the end of the sentence before ``start`` to the end of the one holding ``end``."""
        i = bisect.bisect_right(self.ends, start)
        s = self.ends[i - 1] if i > 0 else 0
        j = bisect.bisect_left(self.ends, end)
        e = self.ends[j] if j < len(self.ends) else len(self.text)
        return s, e

    def features(self, start: int, end: int, n_tokens: int) -> list[float]:
        needle = " ".join(self.text[start:end].lower().split())
        count = self.lower.count(needle) if len(needle) >= 3 else 1
        width = max(1, end - start)
        inside = sum(max(0, min(end, c) - max(start, o + 1)) for o, c in self.quotations) / width
        scare = any(o < end and start <= c for o, c in self.scare)
        s, e = self.sentence(start, end)
        sent = self.text[s:e]
        lex = self.lex
        attributed = bool(lex and (lex.speech_verbs.search(sent) or lex.according_to.search(sent)))
        hedged = bool(lex and lex.hedges.search(sent))
        return [
            math.log1p(max(0, count - 1)),
            math.log1p(n_tokens),
            min(1.0, inside),
            float(scare),
            float(attributed),
            float(hedged),
            float("?" in sent),
        ]
