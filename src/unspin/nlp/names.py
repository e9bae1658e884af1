"""Name matching across spellings and scripts: transliteration, a spelling skeleton, the variant gazetteer."""

from __future__ import annotations

import itertools
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


def transliterate(text: str) -> str:
    """Lowercase Latin rendering of Latin or Cyrillic text, without diacritics."""
    text = text.lower()
    text = "".join(_CYR.get(c, c) for c in text)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


@lru_cache(maxsize=1 << 15)  # a long article names the same people over and over
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


_GAZ_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_STEM_VOWELS = "аяоеьйыиі"
MAX_ENDING = 3  # Russian/Ukrainian case endings are at most three letters ('Киевом', 'Одессой')


def _key(words: list[str]) -> tuple[str, ...]:
    return tuple(w.replace("’", "'") for w in words)


@dataclass(frozen=True)
class Gazetteer:
    """Every place and person form from the variant tables, looked up by word n-grams."""

    exact: dict[tuple[str, ...], GazetteerEntry]
    stems: dict[tuple[str, ...], GazetteerEntry]  # Cyrillic forms with the last word cut to its stem
    max_words: int
    # First words of the forms of two or more words: a longer n-gram is tried only from one of these, so that
    # scanning a long article costs about one lookup per word.
    multi_firsts: frozenset[str] = frozenset()
    # The first characters of all forms: a word starting with another (most words: lower case) starts no name.
    first_chars: frozenset[str] = frozenset()

    def lookup(self, words: list[str]) -> tuple[GazetteerEntry, int] | None:
        """The entry these words spell, and how many characters of the last word belong to the name."""
        key = _key(words)
        if key in self.exact:
            return self.exact[key], len(words[-1])
        last = key[-1]
        for suffix in ("'s", "s'"):  # English possessive: "Kiev's"
            if last.endswith(suffix) and (*key[:-1], last[: -len(suffix)]) in self.exact:
                return self.exact[(*key[:-1], last[: -len(suffix)])], len(last) - len(suffix)
        if is_cyrillic(last):
            for cut in range(0, MAX_ENDING + 1):
                stem = last[: len(last) - cut] if cut else last
                if len(stem) >= 3 and last[len(stem) :].islower() and (*key[:-1], stem) in self.stems:
                    return self.stems[(*key[:-1], stem)], len(last)
        return None

    def find(self, text: str) -> list[tuple[int, int, GazetteerEntry]]:
        """Longest-first matches of table forms in ``text``, as (start, end, entry)."""
        words = [(m.start(), m.end(), m.group()) for m in _GAZ_WORD.finditer(text)]
        hits, i = [], 0
        while i < len(words):
            if words[i][2][0] not in self.first_chars:
                i += 1
                continue
            longest = (
                min(self.max_words, len(words) - i) if _key([words[i][2]])[0] in self.multi_firsts else 1
            )
            for n in range(longest, 0, -1):
                seg = words[i : i + n]
                if any(text[a[1] : b[0]].strip() for a, b in itertools.pairwise(seg)):
                    continue  # a name's words are separated by spaces only
                found = self.lookup([w[2] for w in seg])
                if found:
                    entry, last_len = found
                    hits.append((seg[0][0], seg[-1][0] + last_len, entry))
                    i += n
                    break
            else:
                i += 1
        return hits


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The variant tables as a lookup index; longer forms win because lookup tries longer n-grams first."""
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
    exact: dict[tuple[str, ...], GazetteerEntry] = {}
    stems: dict[tuple[str, ...], GazetteerEntry] = {}
    for e in entries:
        words = e.form.split()
        exact.setdefault(_key(words), e)
        if is_cyrillic(e.form):
            last = words[-1]
            stem = last[:-1] if last[-1] in _STEM_VOWELS else last
            stems.setdefault(_key([*words[:-1], stem]), e)
    multi_firsts = frozenset(k[0] for k in (*exact, *stems) if len(k) > 1)
    first_chars = frozenset(k[0][0] for k in (*exact, *stems))
    return Gazetteer(exact, stems, max(len(e.form.split()) for e in entries), multi_firsts, first_chars)


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
