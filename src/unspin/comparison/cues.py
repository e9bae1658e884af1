"""The words whose change alters what a sentence asserts: negations, hedges, modals, numbers, dates (en, ru).

A comparison names a change only when one of these words (or a capitalised name) differs between the article
and its source: any other word difference is wording, which a faithful paraphrase is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unspin.analyzers.headline import STOP

# Word tokens with offsets: numbers keep their separators ("1,000", "2.5", "40%"), words their inner
# apostrophes and hyphens ("don't", "Russian-backed").
# ("200 000": a space groups thousands in Russian and French).
TOKEN = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d+(?:[.,]\d+)*%?|\w+(?:['’-]\w+)*", re.UNICODE)

NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "cannot",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "won't",
        "wouldn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "hasn't",
        "haven't",
        "hadn't",
        "shouldn't",
        "couldn't",
        "mustn't",
        "n't",
        "deny",
        "denies",
        "denied",
        "denying",
        "refuse",
        "refuses",
        "refused",
        "rejects",
        "reject",
        "rejecting",
        "rejected",
        "не",
        "нет",
        "никогда",
        "ни",
        "никто",
        "ничто",
        "ничего",
        "отрицает",
        "отрицал",
        "отрицали",
        "отказался",
        "отказались",
        "без",
    ]
)
# Russian modal and adverbial hedges: both hedge lists hold them.
RU_MODAL_HEDGES = frozenset(
    [
        "может",
        "могут",
        "мог",
        "могла",
        "могли",
        "возможно",
        "вероятно",
        "видимо",
        "якобы",
        "предположительно",
        "по-видимому",
        "наверное",
    ]
)
# Words that carry no content: the headline check's stopwords, pronouns, auxiliaries and verbs of saying. The
# aligner ranks candidate sentences by the other words; the name check never takes them for names.
FUNCTION_WORDS = STOP | frozenset(
    [
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "has",
        "have",
        "had",
        "will",
        "would",
        "said",
        "says",
    ]
)
# Words that negate without "not": counted on both sides of a replacement, so that a paraphrase "lacks" for
# "does not include" is no change; a word only cut out of the source is read for explicit negations alone.
IMPLICIT_NEGATIONS = frozenset(
    [
        "lack",
        "lacks",
        "lacked",
        "lacking",
        "unaware",
        "unfamiliar",
        "unable",
        "fail",
        "fails",
        "failed",
        "failing",
        "avoid",
        "avoids",
        "avoided",
        "avoiding",
        "discourage",
        "discourages",
        "discouraged",
        "without",
        "absent",
        "absence",
        "dismissed",
        "dismisses",
        "avert",
        "averts",
        "averted",
        "prevent",
        "prevented",
    ]
)
# Hedges that a distortion deletes to turn a possibility or a report into a fact. The modals among them are
# in MODAL_STRENGTH as well: "may" -> "will" is a strengthened modal, "may" deleted is a removed hedge.
HEDGES = (
    frozenset(
        [
            "may",
            "might",
            "could",
            "possible",
            "possibly",
            "probably",
            "likely",
            "unlikely",
            "perhaps",
            "maybe",
            "reportedly",
            "allegedly",
            "apparently",
            "seemingly",
            "presumably",
            "supposedly",
            "purportedly",
            "appears",
            "appear",
            "appeared",
            "seems",
            "seem",
            "seemed",
            "suggest",
            "suggests",
            "suggested",
            "potential",
            "potentially",
            "probable",
            "conceivably",
            "expected",
            "estimated",
            "believed",
            "believe",
            "believes",
            "think",
            "thinks",
            "thought",
            "arguably",
            "often",
            "approximately",
            "roughly",
            "nearly",
            "indicate",
            "indicates",
            "indicated",
            "unclear",
            "uncertain",
            "unconfirmed",
            "alleged",
            "rumoured",
            "rumored",
            "whether",
            "if",
            "кажется",
        ]
    )
    | RU_MODAL_HEDGES
)
# The hedges a paraphrase is compared on: adverbs and modals. A paraphrase rewords verbs of saying and
# thinking freely ("suggested" -> "argued", "believed" -> "thought"), so those are read only word by word.
LOOSE_HEDGES = (
    frozenset(
        [
            "may",
            "might",
            "could",
            "possibly",
            "probably",
            "perhaps",
            "maybe",
            "reportedly",
            "allegedly",
            "apparently",
            "seemingly",
            "presumably",
            "supposedly",
            "purportedly",
            "potentially",
            "conceivably",
            "arguably",
            "approximately",
            "roughly",
        ]
    )
    | RU_MODAL_HEDGES
)
HEDGE_PHRASES = (
    "it is possible that",
    "it is likely that",
    "it is unclear whether",
    "according to some",
    "is thought to",
    "are thought to",
    "is said to",
    "are said to",
    "amid reports",
    "reported to",
    "believed to",
    "thought to",
    "speculation that",
    "fear that",
    "fears that",
    "feared that",
    "reports that",
    "according to reports",
)
# How strongly a modal commits to the event: "could" -> "would" and "may" -> "will" are strengthened modals.
MODAL_STRENGTH = {
    "might": 1, "may": 1, "could": 2, "can": 3, "should": 3, "plans": 2, "plan": 2, "planned": 2, "intends": 2,
    "intend": 2, "wants": 2, "want": 2, "hopes": 2, "hoped": 2, "likely": 2, "expected": 2, "would": 4,
    "will": 5, "shall": 5, "going": 5,
    "definitely": 6, "certainly": 6, "surely": 6, "must": 6, "может": 1, "могут": 1, "мог": 1, "могли": 1,
    "будет": 5, "будут": 5, "должен": 6, "должны": 6,
}  # fmt: skip

MONTH_NUMBER_REACH = 3  # "September 13 to 17": day numbers up to this many words after a month are dates
MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
        "январе",
        "феврале",
        "марте",
        "апреле",
        "мае",
        "июне",
        "июле",
        "августе",
        "сентябре",
        "октябре",
        "ноябре",
        "декабре",
    ]
)
WEEKDAYS = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "yesterday",
        "today",
        "tomorrow",
        "tonight",
        "понедельник",
        "вторник",
        "среду",
        "среда",
        "четверг",
        "пятницу",
        "пятница",
        "субботу",
        "суббота",
        "воскресенье",
        "вчера",
        "сегодня",
        "завтра",
    ]
)
RELATIVE_TIME = frozenset(
    [
        "week",
        "month",
        "year",
        "decade",
        "century",
        "weeks",
        "months",
        "years",
        "decades",
        "ago",
        "last",
        "next",
    ]
)
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "dozen": 12, "dozens": 12,
    "hundreds": 100, "thousands": 1000, "millions": 10**6, "billions": 10**9, "half": 0.5, "couple": 2,
    "several": 3, "few": 3, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "один": 1, "два": 2, "три": 3, "тысяч": 1000, "тысячи": 1000, "миллион": 10**6,
    "сотни": 100, "десятки": 10, "тысяча": 1000, "сто": 100,
}  # fmt: skip
YEAR = re.compile(r"^(1[89]\d\d|20\d\d)s?$")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    norm: str
    capital: bool  # capitalised and not the first word of its text: a name
    timepoint: bool = False  # a number that places an event in time ("11am", "three years ago"): a date

    def __repr__(self) -> str:
        return self.text


TIME_AFTER = frozenset(
    ["am", "pm", "a.m", "p.m", "gmt", "utc", "bst", "cet", "msk", "ago", "o'clock", "назад"]
)
TIME_WORD = re.compile(r"^\d{1,2}(?:[:.]\d\d)?(?:am|pm)$")
# "three years later", "six months before the election": a count of time units that places an event.
TIME_ANCHORS = frozenset(["ago", "later", "earlier", "before", "after", "since"])


def tokens(text: str, offset: int = 0) -> list[Token]:
    found = list(TOKEN.finditer(text))
    norms = [m.group(0).lower().replace("’", "'") for m in found]
    out = []
    for i, m in enumerate(found):
        word, norm = m.group(0), norms[i]
        after = norms[i + 1 : i + 3]
        before = norms[max(0, i - MONTH_NUMBER_REACH) : i]
        timepoint = (
            bool(TIME_WORD.match(norm))
            or ((norm[:1].isdigit() or norm in NUMBER_WORDS) and any(w in TIME_AFTER for w in after))
            or (
                (norm[:1].isdigit() or norm in NUMBER_WORDS)
                and len(norms) > i + 2
                and norms[i + 1].rstrip("s")
                in ("second", "minute", "hour", "day", "week", "month", "year", "decade")
                and norms[i + 2] in TIME_ANCHORS
            )
            or (
                norm.isdigit()
                and int(norm) <= 31
                and any(w in MONTHS and w != "may" for w in before + after[:1])
            )
        )
        out.append(
            Token(offset + m.start(), offset + m.end(), word, norm, word[:1].isupper() and i > 0, timepoint)
        )
    return out


def number_value(norm: str) -> float | None:
    """The quantity a token denotes ("1,000" -> 1000.0, "five" -> 5.0, "five-hour" -> 5.0), None for a year
    or a non-number."""
    if "-" in norm and not norm[:1].isdigit():
        head = norm.split("-")[0]
        return float(NUMBER_WORDS[head]) if head in NUMBER_WORDS else None
    if YEAR.match(norm):
        return None
    if norm[:1].isdigit():
        try:
            return float(re.sub(r"[,\s]", "", norm.rstrip("%")))
        except ValueError:
            return None
    value = NUMBER_WORDS.get(norm)
    return float(value) if value is not None else None


def is_date(norm: str) -> bool:
    return bool(YEAR.match(norm)) or norm in MONTHS or norm in WEEKDAYS


def is_negation(norm: str) -> bool:
    return norm in NEGATIONS or norm.endswith("n't")


def hedge_count(words: list[str]) -> int:
    """Hedge words, plus hedge phrases, in a run of normalised words ("may" as a month excluded by context)."""
    text = " " + " ".join(words) + " "
    return sum(1 for w in words if w in HEDGES) + sum(text.count(f" {p} ") for p in HEDGE_PHRASES)
