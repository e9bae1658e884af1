"""Quotation marks: the stretches of a text between matching quote marks.

Shared by the quotes analyser (who says what) and the technique span model (Appeal to Authority and Doubt
live in and around quotations), so both see the same quotations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unspin.nlp.doc import Part

# Opening mark -> marks that close it. '“' closes '„' (German/Russian) but opens in English.
CLOSERS = {"“": "”", "„": "“”", "«": "»", '"': '"', "‹": "›"}
MIN_QUOTE_WORDS = 4  # shorter quoted strings are names or scare quotes, not quotations
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_SMALL_WORDS = {"the", "a", "an", "and", "of", "for", "in", "on", "de", "la", "le", "der", "die", "das"}


@dataclass
class Quoted:
    """A stretch of text between matching quote marks (``open`` and ``close`` are the marks' offsets)."""

    open: int
    close: int
    text: str

    @property
    def words(self) -> int:
        return len(WORD.findall(self.text))

    @property
    def is_name(self) -> bool:
        """A short quoted string that starts with a capital ("The Globe and Mail", «Первого канала») is a name.

        Scare quotes ('so-called "defenders"') start in lower case; Russian titles capitalise only the
        first word, so title case cannot be required.
        """
        words = WORD.findall(self.text)
        return (
            0 < len(words) < MIN_QUOTE_WORDS + 3
            and words[0][0].isupper()
            and (
                len(words) < MIN_QUOTE_WORDS
                or all(w[0].isupper() or w.lower() in _SMALL_WORDS or w[0].isdigit() for w in words)
            )
        )


def find_quoted(part: Part) -> list[Quoted]:
    """Top-level quoted stretches of a part; a quote may continue across paragraphs.

    Multi-paragraph quotations conventionally repeat the opening mark at the start of each paragraph and
    close only at the end, so an unclosed quote continues when the next paragraph opens with a quote mark.
    """
    text, out = part.text, []
    stack: list[tuple[str, int]] = []
    paras = part.paragraphs
    for pi, para in enumerate(paras):
        start = para.start
        if stack:
            start += 1  # the continuation mark
        for j in range(start, para.end):
            c = text[j]
            if stack and c in CLOSERS[stack[-1][0]]:
                _mark, pos = stack.pop()
                if not stack:
                    out.append(Quoted(pos, j, text[pos + 1 : j]))
                continue
            if c in CLOSERS and not (c == '"' and stack and stack[-1][0] == '"'):
                # A straight quote between two letters is not a quote mark (e.g. in a URL or 12"3).
                if c == '"' and 0 < j < len(text) - 1 and text[j - 1].isalnum() and text[j + 1].isalnum():
                    continue
                stack.append((c, j))
        if stack:
            nxt = paras[pi + 1] if pi + 1 < len(paras) else None
            if not (nxt and text[nxt.start] in CLOSERS and text[nxt.start] == stack[0][0]):
                stack = []
    return out
