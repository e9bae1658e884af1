"""Quotation marks: the stretches of a text between matching quote marks.

Shared by the quotes analyser (who says what) and the technique span model (Appeal to Authority and Doubt
live in and around quotations), so both see the same quotations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unspin.nlp.doc import Part

# Opening mark -> marks that close it. '“' closes '„' (German/Russian) but opens in English. Translated and
# hand-typed texts mix curly and straight marks ('“…"', '"…”'), so a straight mark closes a curly one and back.
# "''" (two apostrophes, as some newspapers' feeds type a double quote) and "``" open like '"'.
CLOSERS = {
    "“": '”"',
    "„": '“”"',
    "«": "»",
    '"': '"”',
    "‹": "›",
    "‚": "‘’",
    "''": "''",
    "``": "''\"",
}
MIN_QUOTE_WORDS = 4  # shorter quoted strings are names or scare quotes, not quotations
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_SMALL_WORDS = {"the", "a", "an", "and", "of", "for", "in", "on", "de", "la", "le", "der", "die", "das"}


@dataclass
class Quoted:
    """A stretch of text between matching quote marks (``open`` and ``close`` are the marks' offsets)."""

    open: int
    close: int
    text: str
    width: int = 1  # characters of each mark ("''" is two)

    @property
    def words(self) -> int:
        return len(WORD.findall(self.text))

    @property
    def is_utterance(self) -> bool:
        """Someone's words: a quotation of four words or more that is no name, or a shorter one that ends
        with its own punctuation ('"It's finished," she said'), unlike a title or scare quotes."""
        if self.words >= MIN_QUOTE_WORDS:
            return not self.is_name
        return self.words > 0 and self.text.rstrip()[-1:] in ",.!?…"

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


# Every mark _mark_at knows (two-character marks first), to jump from one to the next.
_MARK = re.compile("''|``|[“„«\"‹‚”»›‘’]")


def _mark_at(text: str, j: int) -> str:
    """The quote mark starting at ``j`` ('' when there is none)."""
    two = text[j : j + 2]
    if two in ("''", "``"):
        return two
    c = text[j]
    if c in CLOSERS or c in "”»›‘’":
        return c
    return ""


def find_quoted(part: Part) -> list[Quoted]:
    """Top-level quoted stretches of a part; a quote may continue across paragraphs.

    Multi-paragraph quotations conventionally repeat the opening mark at the start of each paragraph and
    close only at the end, so an unclosed quote continues when the next paragraph opens with a quote mark.
    A mark closes the innermost open quote when it can ('“…"' included); otherwise an opening mark opens a
    nested one. A straight '"' between two letters (a URL, 12"3) is no mark.
    """
    text, out = part.text, []
    stack: list[tuple[str, int]] = []
    paras = part.paragraphs
    for pi, para in enumerate(paras):
        j = para.start
        if stack:
            j += len(_mark_at(text, j)) or 0  # the continuation mark
        while j < para.end:
            found = _MARK.search(text, j, para.end)
            if found is None:
                break
            j, mark = found.start(), found.group()
            between_letters = j > 0 and j + len(mark) < len(text) and text[j - 1].isalnum()
            if mark in ('"', "''") and between_letters and text[j + len(mark)].isalnum():
                j += len(mark)
                continue
            if stack and mark in CLOSERS[stack[-1][0]]:
                opener, pos = stack.pop()
                if not stack:
                    out.append(Quoted(pos, j, text[pos + len(opener) : j], len(opener)))
                j += len(mark)
                continue
            if mark in CLOSERS:
                stack.append((mark, j))
            j += len(mark)
        if stack:
            nxt = paras[pi + 1] if pi + 1 < len(paras) else None
            # Only the opening mark repeated (a paragraph that opens with another kind of mark is a new quote).
            if not (nxt and _mark_at(text, nxt.start) == stack[0][0]):
                stack = []
    return out
