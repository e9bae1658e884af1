"""Content-word stems: the words that carry meaning, cut to five letters, shared by retrieval and verification."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
_STOP_WORDS = (
    "a an the of in on at for from by with to and or but is are was were be been being it its this that these "
    "those as into over under about after before than then so such not no has have had will would can could "
    "he she they we you i his her their our your them who which what when where why how all any some more most "
    "also just only said says say told according there here do does did up out if because while new one two "
    "и в на с по к из за от для о что как не это он она они мы вы его ее их а но же бы ли то так уже все "
    "был была были будет также при"
)
STOP = frozenset(_STOP_WORDS.split())


def stems(text: str) -> set[str]:
    """Content words cut to five letters: matches inflections (deployed/deploying, войска/войск)."""
    return {
        w[:5]
        for w in (x.lower() for x in _WORD.findall(text))
        if w not in STOP and len(w) > 1 and not w.isdigit()
    }
