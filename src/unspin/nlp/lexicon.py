"""Cue lexicons (resources/lexicons.json) compiled once per language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from unspin import resources

LEXICON_LANGUAGES = ("en", "ru")


@dataclass(frozen=True)
class Weighted:
    pattern: re.Pattern[str]
    source: str
    weight: float


def _alternation(words: list[str]) -> re.Pattern[str]:
    words = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class Lexicon:
    language: str
    speech_verbs: re.Pattern[str]
    according_to: re.Pattern[str]
    source_cues: re.Pattern[str]
    outlet_nouns: re.Pattern[str]
    document_nouns: re.Pattern[str]
    role_nouns: re.Pattern[str]
    pronouns: dict[str, str]
    unattributed: tuple[Weighted, ...]
    hedges: re.Pattern[str]
    vague: re.Pattern[str]
    intensifiers: re.Pattern[str]
    future_threat: tuple[Weighted, ...]
    rhetorical_starts: re.Pattern[str]


def _weighted(items: list[dict[str, object]]) -> tuple[Weighted, ...]:
    return tuple(
        Weighted(
            re.compile(rf"(?<![\w-]){it['pattern']}(?![\w-])", re.IGNORECASE),
            str(it["pattern"]),
            float(str(it["weight"])),
        )  # type: ignore[arg-type]
        for it in items
    )


@cache
def lexicon(language: str) -> Lexicon | None:
    """The lexicon for a language, or None when unspin has none for it."""
    if language not in LEXICON_LANGUAGES:
        return None
    d = resources.load("lexicons")[language]
    return Lexicon(
        language=language,
        speech_verbs=_alternation(d["speech_verbs"]),
        according_to=_alternation(d["according_to"]),
        source_cues=_alternation(d["source_cues"]),
        outlet_nouns=_alternation(d["outlet_nouns"]),
        document_nouns=_alternation(d["document_nouns"]),
        role_nouns=_alternation(d["role_nouns"]),
        pronouns=d["pronouns"],
        unattributed=_weighted(d["unattributed"]),
        hedges=_alternation(d["hedges"]),
        vague=_alternation(d["vague"]),
        intensifiers=_alternation(d["intensifiers"]),
        future_threat=_weighted(d["future_threat"]),
        rhetorical_starts=re.compile(
            rf"^\W*(?:(?:but|and|so|then|yet|а|но|и|так)\s+)?(?:{'|'.join(d['rhetorical_starts'])})(?![\w-])",
            re.IGNORECASE,
        ),
    )


@lru_cache(maxsize=1)
def outlets() -> re.Pattern[str]:
    """Known news outlets, as one case-sensitive pattern (names are proper nouns)."""
    names = sorted(resources.load("outlets")["outlets"], key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")
