"""A headline element (an actor, a number, a purpose) looked up in the cited source.

- **found**: one source sentence holds every content word of the element (five-letter stems, so inflections
  and transliterations such as Donbass/Donbas match), with the same polarity and no hedge the element lacks;
- **different**: a sentence holds the element's words but negated or hedged, or its head word with another
  number or without the rest (both are shown);
- **absent**: no source sentence holds the element's head word. Said only then, since it is the strong verdict.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from unspin.analyzers.headline import STOP, stem
from unspin.comparison.cues import hedge_count, is_negation
from unspin.nlp.names import skeleton

_WORD = re.compile(r"\w+", re.UNICODE)
# e5 cosine of an element to a source sentence from which on the source is taken to speak of it (every gold
# element of the dev pairs is at least 0.806 from its nearest sentence).
NOT_ABSENT = 0.8
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


@dataclass(frozen=True)
class ElementResult:
    status: str  # found | different | absent
    sentence: tuple[int, int] | None
    explanation: str


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _content_stems(text: str) -> list[str]:
    out: list[str] = []
    for w in _words(text):
        s = stem(w)
        if w not in STOP and not w.isdigit() and s not in out:
            out.append(s)
    return out


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def _find_name(element: str, source: str, sentences: list[tuple[int, int]]) -> ElementResult:
    """An actor or name: found where a sentence names it in any spelling (Kiev/Kyiv, Aleksey/Oleksii)."""
    key = skeleton(element)
    for s, e in sentences:
        words = _WORD.findall(source[s:e])
        keys = {skeleton(w) for w in words}
        pairs = {skeleton(f"{a} {b}") for a, b in itertools.pairwise(words)}
        if (
            key in keys
            or key in pairs
            or set(_content_stems(element)) <= {stem(w) for w in _words(source[s:e])}
        ):
            return ElementResult("found", (s, e), f"The source names '{element}': “{source[s:e].strip()}”")
    return ElementResult("absent", None, f"The source never names '{element}', in any spelling.")


def check_element(
    element: str,
    source: str,
    sentences: list[tuple[int, int]],
    kind: str = "",
    nearest: tuple[float, tuple[int, int]] | None = None,
) -> ElementResult:
    """Where the source says ``element``, says it otherwise, or never mentions it (``kind``: the headline
    analyser's element kind; an actor or a name is looked up by name alone). ``nearest``: the e5 cosine of the
    element to its nearest source sentence, and that sentence: a source that speaks of the element in other
    words ("the West vows sanctions" for "western leaders vowed a barrage of sanctions") is not silent on it,
    so such an element is never called absent, only different (both shown)."""
    result = (
        _find_name(element, source, sentences)
        if kind in ("actor", "name")
        else _check(element, source, sentences)
    )
    if result.status == "absent" and nearest is not None and nearest[0] >= NOT_ABSENT:
        s, e = nearest[1]
        return ElementResult(
            "different",
            nearest[1],
            f"The source speaks of it in other words: “{source[s:e].strip()}” (headline: '{element}').",
        )
    return result


def check_elements(
    elements: list[tuple[str, str]],
    source: str,
    sentences: list[tuple[int, int]],
    embed: Callable[[list[str]], np.ndarray] | None,
) -> list[ElementResult]:
    """``check_element`` for each (text, kind), with the nearest source sentence by meaning when ``embed``."""
    if not elements:
        return []
    nearest: list[tuple[float, tuple[int, int]] | None] = [None] * len(elements)
    if embed is not None and sentences:
        sims = embed([t for t, _ in elements]) @ embed([source[s:e] for s, e in sentences]).T
        nearest = [(float(row.max()), sentences[int(row.argmax())]) for row in sims]
    return [check_element(t, source, sentences, k, n) for (t, k), n in zip(elements, nearest, strict=True)]


def _check(element: str, source: str, sentences: list[tuple[int, int]]) -> ElementResult:
    stems = _content_stems(element)
    numbers = _numbers(element)
    if not stems and not numbers:
        return ElementResult("absent", None, f"'{element}' has no content word to look for.")
    element_words = _words(element)
    neg = sum(is_negation(w) for w in element_words)
    hedges = hedge_count(element_words)
    best: tuple[int, int] | None = None
    best_share = 0.0
    partial: tuple[int, int] | None = None
    for s, e in sentences:
        text = source[s:e]
        sent_stems = {stem(w) for w in _words(text)}
        shared = [x for x in stems if x in sent_stems]
        share = len(shared) / max(len(stems), 1)
        if numbers and not numbers <= _numbers(text):
            if share and (not stems or stems[0] in sent_stems) and partial is None and _numbers(text):
                partial = (s, e)
            continue
        if share == 1.0 and best is None:
            words = _words(text)
            if sum(is_negation(w) for w in words) != neg or hedge_count(words) > hedges:
                partial = partial or (s, e)
                continue
            best = (s, e)
        elif stems and stems[0] in sent_stems and share > best_share:
            best_share = share
            partial = partial or (s, e)
    if best is not None:
        s, e = best
        return ElementResult("found", best, f"The source states '{element}': “{source[s:e].strip()}”")
    if partial is not None:
        s, e = partial
        return ElementResult(
            "different",
            partial,
            f"The source says it otherwise: “{source[s:e].strip()}” (headline: '{element}').",
        )
    return ElementResult("absent", None, f"The source never mentions '{element}'.")
