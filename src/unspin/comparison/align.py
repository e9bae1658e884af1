"""Align an article's quotes and sentences to the sentences of the source it cites, and say what changed.

Each unit (a direct quote's words inside the marks; a body sentence outside any direct quote) is matched to a
window of one to three consecutive source sentences:
1. lexically: the window holding the most of the unit's words in order (difflib); a unit that the window holds
   mostly (``CLOSE_MATCH``) gets the word-level diff: verbatim, trimmed, changed or reworded;
2. otherwise by meaning: the e5 sentence vectors (multilingual, so a Russian article can cite an English
   source); a unit close enough (``PARAPHRASE``) to its nearest source sentence is a paraphrase, checked for
   changed numbers, names, negations and hedges as sets; anything else is not in the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from unspin.comparison.cues import FUNCTION_WORDS, Token, tokens
from unspin.comparison.diff import CLOSE_MATCH, Difference, capitalised, close_diff, loose_diff

# e5 cosine of a unit to its nearest source sentence above which the unit says the same as the source
# (chosen on the dev pairs: faithful paraphrases against sentences from other articles on the same topic).
PARAPHRASE = 0.91
WINDOW_PENALTY = 0.15  # lexical match a window loses per sentence beyond the first
MAX_WINDOW = 3  # source sentences one unit may span (a quote of three sentences)
CANDIDATES = 4  # source sentences, by shared words, whose windows are diffed

Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Unit:
    start: int
    end: int
    kind: str  # quote | sentence


@dataclass
class Alignment:
    unit: Unit
    difference: Difference | None  # None: not in the source
    window: tuple[int, int] | None  # source offsets of the aligned passage
    semantic: float | None


def _content(toks: list[Token]) -> set[str]:
    return {t.norm for t in toks if t.norm not in FUNCTION_WORDS}


def _windows(sentences: list[tuple[int, int]], around: int) -> list[tuple[int, int]]:
    out = []
    for first in range(max(0, around - MAX_WINDOW + 1), around + 1):
        for last in range(around, min(len(sentences), first + MAX_WINDOW)):
            out.append((first, last))
    return out


def align(
    article: str,
    units: list[Unit],
    source: str,
    sentences: list[tuple[int, int]],
    embed: Embed | None,
) -> list[Alignment]:
    """One Alignment per unit, in the units' order."""
    sent_tokens = [tokens(source[s:e], s) for s, e in sentences]
    # Words either text writes in lower case somewhere: a capitalised "Because" or "Western" is no name.
    lowercase = frozenset(t.norm for t in tokens(article) + tokens(source) if not t.text[:1].isupper())
    sent_content = [_content(t) for t in sent_tokens]
    results: list[Alignment] = []
    loose: list[int] = []
    for unit in units:
        utoks = tokens(article[unit.start : unit.end], unit.start)
        ucontent = _content(utoks)
        ranked = sorted(range(len(sentences)), key=lambda i: -len(ucontent & sent_content[i]))[:CANDIDATES]
        best: tuple[float, int, tuple[int, int]] | None = None
        for i in ranked:
            if not ucontent & sent_content[i]:
                continue
            for first, last in _windows(sentences, i):
                window = [t for k in range(first, last + 1) for t in sent_tokens[k]]
                sm = SequenceMatcher(None, [t.norm for t in utoks], [t.norm for t in window], autojunk=False)
                matched = sum(m.size for m in sm.get_matching_blocks()) / max(len(utoks), 1)
                # Each extra sentence must earn its place: otherwise a window picks up a word the unit
                # changed ("the EU" -> "the UK") from a neighbouring sentence.
                matched -= WINDOW_PENALTY * (last - first)
                key = (matched, -(last - first), (first, last))
                if best is None or key[:2] > best[:2]:
                    best = key
        if best is not None and best[0] >= CLOSE_MATCH:
            first, last = best[2]
            window = [t for k in range(first, last + 1) for t in sent_tokens[k]]
            diff = close_diff(utoks, window, article, source, lowercase)
            results.append(Alignment(unit, diff, diff.covered, None))
        else:
            results.append(Alignment(unit, None, None, None))
            loose.append(len(results) - 1)
    if loose and embed is not None and sentences:
        vectors = embed([article[results[i].unit.start : results[i].unit.end] for i in loose])
        source_vectors = embed([source[s:e] for s, e in sentences])
        sims = vectors @ source_vectors.T
        names = (capitalised(tokens(article)), capitalised(tokens(source)))
        for row, i in enumerate(loose):
            j = int(np.argmax(sims[row]))
            sim = float(sims[row, j])
            results[i].semantic = round(sim, 4)
            if sim >= PARAPHRASE:
                unit = results[i].unit
                utoks = tokens(article[unit.start : unit.end], unit.start)
                results[i].difference = loose_diff(utoks, sent_tokens[j], article, source, names, lowercase)
                results[i].window = sentences[j]
    return results
