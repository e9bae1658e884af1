"""Name matching across spellings and scripts: transliteration, a spelling skeleton, the variant gazetteer."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from unspin import resources

_CYR = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "є": "ye",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "'": "",
    "’": "",
}
# Spelling differences that transliteration conventions disagree on, folded to one letter each.
_FOLDS = [
    ("shch", "sh"),
    ("sch", "sh"),
    ("kh", "h"),
    ("ch", "c"),
    ("ck", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("ph", "f"),
    ("j", "y"),
    ("g", "h"),
    ("c", "k"),
    ("ł", "l"),
]
_CYRILLIC_ENDING = r"(?:[а-яёіїєґ]{0,3})"


def transliterate(text: str) -> str:
    """Lowercase Latin rendering of Latin or Cyrillic text, without diacritics."""
    text = text.lower()
    text = "".join(_CYR.get(c, c) for c in text)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def skeleton(text: str) -> str:
    """A spelling-insensitive key: transliterated consonants, folded, de-duplicated, one word per token.

    'Oleksiy', 'Alexei' and 'Алексей' all give 'lks'; 'Zelenskyy' and 'Zelensky' give 'zlnsk'.
    """
    words = []
    for word in re.findall(r"[^\W\d_]+", transliterate(text)):
        for a, b in _FOLDS:
            word = word.replace(a, b)
        word = re.sub(r"[aeiouy]", "", word)
        word = re.sub(r"(.)\1+", r"\1", word)
        if word:
            words.append(word)
    return " ".join(words)


def is_cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


@dataclass(frozen=True)
class GazetteerEntry:
    form: str
    canonical: str
    type: str  # PER or LOC
    convention: str | None  # for places: russian-derived, ukrainian-derived or neutral
    first_name: str | None = None  # for people: the first-name group


def _form_pattern(form: str) -> str:
    body = re.escape(form).replace("\\ ", r"\s+").replace("'", "['’]?")
    if is_cyrillic(form):
        stem = re.escape(form[:-1]) if form[-1] in "аяоеьйыиі" else body
        return rf"(?<![\w-]){stem}{_CYRILLIC_ENDING}(?![\w-])"
    return rf"(?<![\w-]){body}(?![\w])"


@lru_cache(maxsize=1)
def gazetteer() -> tuple[re.Pattern[str], dict[str, GazetteerEntry]]:
    """One compiled alternation over every place and person form, and the entry for each group name."""
    data = resources.load("variants")
    entries: list[GazetteerEntry] = []
    for place in data["places"]:
        for conv, key in (
            ("ukrainian-derived", "ukrainian_derived"),
            ("russian-derived", "russian_derived"),
            ("neutral", "neutral"),
        ):
            entries += [GazetteerEntry(f, place["canonical"], "LOC", conv) for f in place[key]]
    first = data["first_names"]
    for person in data["people"]:
        for surname in person["surnames"]:
            for given in first[person["first_name"]]:
                if is_cyrillic(given) == is_cyrillic(surname):
                    entries.append(
                        GazetteerEntry(
                            f"{given} {surname}", person["canonical"], "PER", None, person["first_name"]
                        )
                    )
            entries.append(GazetteerEntry(surname, person["canonical"], "PER", None, person["first_name"]))
    # Longest forms first so that 'Oleksiy Reznikov' wins over 'Reznikov' inside the alternation.
    entries.sort(key=lambda e: -len(e.form))
    groups = {f"g{i}": e for i, e in enumerate(entries)}
    pattern = "|".join(f"(?P<{g}>{_form_pattern(e.form)})" for g, e in groups.items())
    return re.compile(pattern), groups


@lru_cache(maxsize=1)
def first_name_groups() -> dict[str, str]:
    """Skeleton of each known first-name spelling -> its group id ('Alexei' -> 'oleksii')."""
    out: dict[str, str] = {}
    for group, names in resources.load("variants")["first_names"].items():
        for name in names:
            out[skeleton(name)] = group
            out[name.lower()] = group
    return out


def first_name_key(name: str) -> str:
    """A key under which all spellings of one first name meet."""
    groups = first_name_groups()
    return groups.get(name.lower()) or groups.get(skeleton(name)) or skeleton(name)


def is_first_name(word: str) -> bool:
    groups = first_name_groups()
    return word.lower() in groups
