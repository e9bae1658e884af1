"""What differs between an article's unit (a quote, a sentence) and the source passage it was aligned to.

Two paths, chosen by how much of the unit's wording the source passage holds:
- **close** (most words shared): a word-level diff (difflib over normalised tokens). Deletions inside the passage
  are cuts; a cut, insertion or replacement that touches a negation, a hedge, a modal, a number, a date or a
  name is a change of that kind. At the unit's ends, short runs on both sides replace each other ("Von der
  Leyen said" -> "Baerbock said"); the rest of a source sentence beyond the unit is a cut unless a clause
  boundary (a comma, a dash) or scrape debris separates it: a quote may take one clause of a sentence.
- **loose** (a paraphrase): the same kinds compared as sets over the unit and the passage: a number, date or
  name of one that the other lacks, a negation or hedge in one only, a weaker modal made stronger.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from unspin.comparison.cues import (
    HEDGES,
    IMPLICIT_NEGATIONS,
    LOOSE_HEDGES,
    MODAL_STRENGTH,
    RELATIVE_TIME,
    Token,
    hedge_count,
    is_date,
    is_negation,
    number_value,
)
from unspin.nlp.names import skeleton

# Unit words the source passage must hold, in order, for the word-level diff to describe it (below: a
# paraphrase, compared as sets). Chosen on the dev pairs.
CLOSE_MATCH = 0.6
EDGE_WORDS = 1  # source words next to the covered part that are read for a cut negation or hedge
END_RUN = 4  # words at an end of both unit and passage that are read as one replacing the other
MAX_TRIM_WORDING = 3  # reworded words a trimmed unit may also have
END_CUT = 3  # passage words beyond an end of the unit that make a cut (the sentence's rest)
REST_WORDS = 8  # a rest of the sentence this short is read whole for a cut negation or hedge


@dataclass(frozen=True)
class Change:
    kind: str
    article: tuple[int, int] | None  # offsets in the article text
    source: tuple[int, int] | None  # offsets in the source text
    article_text: str
    source_text: str


@dataclass
class Difference:
    kind: str  # verbatim | trimmed | paraphrase | changed
    matched: float  # share of the unit's words found, in order, in the passage
    changes: list[Change] = field(default_factory=list)
    cuts: list[tuple[int, int]] = field(default_factory=list)  # source offsets of words cut inside the unit
    covered: tuple[int, int] | None = None  # the part of the source passage the unit covers


def _span(toks: list[Token]) -> tuple[int, int] | None:
    return (toks[0].start, toks[-1].end) if toks else None


def _text(toks: list[Token]) -> str:
    return " ".join(t.text for t in toks)


def _hedges(toks: list[Token], modals: bool = True) -> int:
    """Hedge words and phrases; ``modals=False`` leaves out the modals (counted as strength instead)."""
    # "May" with a capital is the month; only the lower-case modal hedges.
    return hedge_count(
        [
            t.norm
            for t in toks
            if not (t.norm == "may" and t.text[0].isupper()) and (modals or t.norm not in MODAL_STRENGTH)
        ]
    )


# A number's multiplier written after it: "£25m" and "25 million" are one quantity.
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9,
                "tn": 1e12, "trillion": 1e12}  # fmt: skip


def _numbers(toks: list[Token]) -> set[float]:
    out: set[float] = set()
    skip = False
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if skip:
            skip = False
            continue
        if t.timepoint or (v := number_value(t.norm)) is None:
            continue
        if nxt is not None and t.norm[:1].isdigit() and nxt.norm in _MULTIPLIERS:
            v, skip = v * _MULTIPLIERS[nxt.norm], True
        out.add(round(v, 6))
    return out


def _dates(toks: list[Token]) -> set[str]:
    out = set()
    for t in toks:
        parts = t.norm.split("-")  # "mid-2024", "late-March"
        dated = t.timepoint or t.norm in RELATIVE_TIME or any(is_date(p) for p in parts)
        if dated and not (t.norm == "may" and not t.text[0].isupper()):  # the modal, not the month
            out.add(t.norm.rstrip("s"))
    return out


def _name_key(word: str) -> str:
    # Spelling-insensitive (Kyiv/Kiev and Oleksii/Aleksey are one actor), possessive dropped (Ukraine's).
    return skeleton(word.removesuffix("'s").removesuffix("’s"))


NOT_NAMES = frozenset(
    [
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "its",
        "their",
        "our",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "but",
        "and",
        "or",
        "so",
        "yet",
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "for",
        "as",
        "if",
        "when",
        "while",
        "after",
        "before",
        "however",
        "meanwhile",
        "also",
        "western",
        "eastern",
    ]
)


def _names(toks: list[Token], lowercase: frozenset[str] = frozenset()) -> set[str]:
    """Capitalised words that name someone. A capitalised first word counts too ("Germany leads ..." for
    "Canada leads ..."), unless it opens sentences (NOT_NAMES) or either text also writes it in lower case
    (``lowercase``: "Because", "Off", "Western" are words, not names)."""
    return {
        _group(_name_key(t.text))
        for t in toks
        if t.text[:1].isupper()
        and t.norm not in NOT_NAMES
        and t.norm not in lowercase
        and not is_negation(t.norm)
        and t.norm not in HEDGES
        and not is_date(t.norm)
        and number_value(t.norm) is None
    }


def capitalised(toks: list[Token]) -> set[str]:
    """Every capitalised word, the first included: what a name of the other side may be found among."""
    return {_group(_name_key(t.text)) for t in toks if t.text[:1].isupper()}


# A capital stands for its government ("Berlin" for "the German government", "Washington" for "the US"): one
# actor, not a change of actor. Keys are name skeletons.
_METONYMS = {
    "Berlin": "Germany", "German": "Germany", "Washington": "US", "America": "US", "American": "US",
    "Moscow": "Russia", "Kremlin": "Russia", "Russian": "Russia", "Kyiv": "Ukraine", "Kiev": "Ukraine",
    "Ukrainian": "Ukraine", "London": "UK", "Britain": "UK", "British": "UK", "Downing": "UK", "Paris": "France",
    "French": "France", "Beijing": "China", "Chinese": "China", "Ankara": "Turkey", "Turkish": "Turkey",
    "Brussels": "EU", "European": "EU", "Warsaw": "Poland", "Polish": "Poland", "Minsk": "Belarus",
    "Belarusian": "Belarus", "Helsinki": "Finland", "Finnish": "Finland", "Stockholm": "Sweden",
    "Swedish": "Sweden", "Tehran": "Iran", "Iranian": "Iran", "Москва": "Россия", "Кремль": "Россия",
    "Киев": "Украина", "Вашингтон": "США",
}  # fmt: skip
_GROUPS = {skeleton(a): skeleton(b) for a, b in _METONYMS.items()}


def _group(key: str) -> str:
    return _GROUPS.get(key, key)


def _unmatched(names: set[str], others: set[str]) -> set[str]:
    """Names with no counterpart among ``others``: the same key, or one extending the other (Ukraine /
    Ukrainians, Russia / Russian)."""
    return {
        n
        for n in names
        if not any(
            n == o or (min(len(n), len(o)) >= 2 and (n.startswith(o) or o.startswith(n))) for o in others
        )
    }


def _polarity_prefix(a: list[Token], b: list[Token]) -> bool:
    """ "unlikely" for "likely", "non-lethal" for "lethal": a negation carried by a prefix."""
    wa, wb = {t.norm for t in a}, {t.norm for t in b}
    for x, y in ((wa, wb), (wb, wa)):
        for w in x:
            for prefix in ("un", "non-", "non", "in", "im"):
                if w.startswith(prefix) and w[len(prefix) :] in y and len(w) - len(prefix) > 3:
                    return True
    return False


def _negations(toks: list[Token], implicit: bool = False) -> int:
    return sum(1 for t in toks if is_negation(t.norm) or (implicit and t.norm in IMPLICIT_NEGATIONS))


def _modal_strength(toks: list[Token]) -> int:
    """The strongest modal among the words (0: none); "May" with a capital is the month."""
    return max(
        (MODAL_STRENGTH.get(t.norm, 0) for t in toks if not (t.norm == "may" and t.text[0].isupper())),
        default=0,
    )


def _anchored_negation(a: list[Token], b: list[Token]) -> bool:
    """A paraphrase's negation that negates a word the other side states plainly ("did not attack" for
    "attacked"), not one that rewords it ("did not know" for "was unfamiliar")."""
    more, other = (a, b) if _negations(a) > _negations(b) else (b, a)
    stems = {t.norm[:5] for t in other}
    for i, t in enumerate(more):
        if is_negation(t.norm):
            following = [
                x for x in more[i + 1 : i + 4] if x.norm not in ("be", "been", "have", "to", "a", "the")
            ]
            if following and following[0].norm[:5] in stems:
                return True
    return False


def changes_between(
    a: list[Token],
    b: list[Token],
    *,
    edge: bool = False,
    loose: bool = False,
    names_a: set[str] | None = None,
    names_b: set[str] | None = None,
    lowercase: frozenset[str] = frozenset(),
) -> list[str]:
    """The kinds of change from source words ``b`` to article words ``a`` (one edit, or a whole paraphrase).

    ``edge``: article words outside the passage's matched part (an attribution frame, "It is possible that"):
    only negations and hedges count there, since a frame names its speaker and may date the statement.
    ``loose``: a paraphrase, compared as sets: a negation counts only where it negates a word the other side
    states, and a changed name only if the other text never names it (``names_a`` / ``names_b``: every
    capitalised word of the whole article and source), since a paraphrase may call Vienna "the Austrian
    capital"."""
    kinds: list[str] = []
    sa, sb = _modal_strength(a), _modal_strength(b)
    weak_to_strong = 0 < sb < sa
    if weak_to_strong:
        kinds.append("modal-strengthened")
    # Both sides present (a replacement, a paraphrase): implicit negators count too ("lacks" = "does not have").
    implicit = bool(a) and bool(b)
    na, nb = _negations(a, implicit), _negations(b, implicit)
    if na != nb and (not loose or _anchored_negation(a, b)):
        kinds.append("negation-added" if na > nb else "negation-removed")
    elif not edge and _polarity_prefix(a, b):
        prefixed = any(
            t.norm.startswith(("un", "non", "in", "im")) for t in a if t.norm not in {x.norm for x in b}
        )
        kinds.append("negation-added" if prefixed else "negation-removed")
    # Beside a strengthened modal, only the other hedges count ("could have exposed them to a potential
    # scandal" -> "would have exposed them to a scandal": both changes).
    ha, hb = _hedges(a, not weak_to_strong), _hedges(b, not weak_to_strong)
    if loose:
        ha = sum(t.norm in LOOSE_HEDGES and not (weak_to_strong and t.norm in MODAL_STRENGTH) for t in a)
        hb = sum(t.norm in LOOSE_HEDGES and not (weak_to_strong and t.norm in MODAL_STRENGTH) for t in b)
    if hb > ha:
        kinds.append("hedge-removed")
    elif ha > hb:
        kinds.append("hedge-added")
    if edge:
        return kinds
    if _numbers(a) != _numbers(b) and _numbers(a):
        kinds.append("number")
    if _dates(a) != _dates(b) and _dates(a):
        kinds.append("date")
    # A name replaced by another; a name only added ("Russia and China") or only dropped is not a change of actor.
    new = _unmatched(_names(a, lowercase), capitalised(b))
    old = _unmatched(_names(b, lowercase), capitalised(a))
    if loose:
        new, old = _unmatched(new, names_b or set()), _unmatched(old, names_a or set())
    if new and old:
        kinds.append("actor")
    return kinds


# Scrape debris glued to a source sentence ("…Read more", a video timestamp "01:13Footage", a link): leaving
# it out is no cut of anyone's words.
DEBRIS = re.compile(r"Read more|https?://|\b\d\d:\d\d(?=[A-Z])|Photograph:", re.IGNORECASE)
# Punctuation between the unit's end and the rest of the source sentence: the unit took a whole clause
# ("…,” Putin said, speaking to flight attendants": the quote is whole, only the frame differs).
CLAUSE_BOUNDARY = re.compile(r"[,;:—–]|\s-\s")


def _same_sentence(rest: list[Token], source: str, backwards: bool = False) -> list[Token]:
    """The words of ``rest`` up to the end of the sentence they start in (``backwards``: ``rest`` runs from
    the unit's first word back, and stops at the start of that sentence)."""
    out = [rest[0]] if rest else []
    for prev, tok in itertools.pairwise(rest):
        gap = source[tok.end : prev.start] if backwards else source[prev.end : tok.start]
        if re.search(r"[.!?]", gap):
            break
        out.append(tok)
    return out


def _is_cut(rest: list[Token], passage: list[Token], first_b: int, source: str) -> bool:
    """Passage words beyond an end of the unit are a cut unless they are debris or another clause."""
    if DEBRIS.search(source[rest[0].start : rest[-1].end + 12]):
        return False
    if rest[0].start >= passage[first_b].start:  # the rest follows the unit
        gap = source[passage[passage.index(rest[0]) - 1].end : rest[0].start]
    else:  # the rest precedes it
        gap = source[rest[-1].end : passage[first_b].start]
    return not CLAUSE_BOUNDARY.search(gap)


def close_diff(
    unit: list[Token],
    passage: list[Token],
    article: str,
    source: str,
    lowercase: frozenset[str] = frozenset(),
) -> Difference:
    """The word-level diff of a unit against a passage that holds most of its words (``lowercase``: the words
    either text writes in lower case, which are not names)."""
    sm = SequenceMatcher(None, [t.norm for t in unit], [t.norm for t in passage], autojunk=False)
    blocks = [m for m in sm.get_matching_blocks() if m.size]
    matched = sum(m.size for m in blocks) / max(len(unit), 1)
    diff = Difference("verbatim", matched)
    if not blocks:
        diff.kind = "paraphrase"
        return diff
    first, last = blocks[0], blocks[-1]
    diff.covered = (passage[first.b].start, passage[last.b + last.size - 1].end)
    wording = 0  # article words that differ from the source with no change of meaning named
    # The ends: article words before the first and after the last shared word, and the passage's words there.
    # Short runs on both sides replace each other ("Von der Leyen said" -> "Annalena Baerbock said", "on
    # Thursday" -> "on Friday"); article words alone are the frame around a quote; passage words alone are
    # a cut when there are several of them (the rest of the sentence), else read for a cut negation or hedge.
    ends = (
        (unit[: first.a], passage[: first.b]),
        (unit[last.a + last.size :], passage[last.b + last.size :]),
    )
    for a, b in ends:
        if a and b and len(a) <= END_RUN and len(b) <= END_RUN:
            kinds = changes_between(a, b, lowercase=lowercase)
            for kind in kinds:
                diff.changes.append(Change(kind, _span(a), _span(b), _text(a), _text(b)))
            wording += len(a) if not kinds else 0
            continue
        for kind in changes_between(a, [], edge=True):
            diff.changes.append(Change(kind, _span(a), None, _text(a), ""))
        # The source words right next to the unit ("Not all ..." quoted as "All ..."), and the rest of the
        # sentence the unit stops short of (", but those charges were apparently not proven"): a negation or
        # hedge cut off there is a change, whatever else the cut holds.
        rest = (
            _same_sentence(b, source)
            if b is ends[1][1]
            else _same_sentence(b[::-1], source, backwards=True)[::-1]
        )
        near = (
            rest if 0 < len(rest) <= REST_WORDS else (b[:EDGE_WORDS] if b is ends[1][1] else b[-EDGE_WORDS:])
        )
        kinds = changes_between([], near, edge=True)
        for kind in kinds:
            diff.changes.append(Change(kind, None, _span(near), "", _text(near)))
        if not kinds and len(b) >= END_CUT and _is_cut(b, passage, first.b, source):
            diff.cuts.append((b[0].start, b[-1].end))
    at_ends = len(diff.changes)  # changes found at the ends; the internal edits' follow
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if (
            tag == "equal"
            or (i2 <= first.a and j2 <= first.b)
            or (i1 >= last.a + last.size and j1 >= last.b + last.size)
        ):
            continue
        a, b = unit[i1:i2], passage[j1:j2]
        kinds = changes_between(a, b, lowercase=lowercase)
        for kind in kinds:
            diff.changes.append(
                Change(
                    kind,
                    _span(a),
                    _span(b),
                    article[a[0].start : a[-1].end] if a else "",
                    source[b[0].start : b[-1].end] if b else "",
                )
            )
        if not kinds:
            if tag == "insert":  # difflib's view from the unit: passage words the unit lacks, a cut
                diff.cuts.append((b[0].start, b[-1].end))
            else:
                wording += max(len(a), 1)
    # Negations counted per edit may cancel out over the unit ("discouraged him from sending" -> "urged him
    # not to send"): a negation change stands only where the whole unit and its passage differ in negations.
    covered = passage[first.b : last.b + last.size]
    inside = unit[first.a : last.a + last.size]
    if _negations(inside, True) == _negations(covered, True) and not _polarity_prefix(inside, covered):
        diff.changes = diff.changes[:at_ends] + [
            c for c in diff.changes[at_ends:] if not c.kind.startswith("negation")
        ]
    # A cut quote may also retouch a word or two of its frame ("told the Canadian edition ..."): still trimmed.
    if diff.changes:
        diff.kind = "changed"
    elif diff.cuts and wording <= MAX_TRIM_WORDING:
        diff.kind = "trimmed"
    else:
        diff.kind = "paraphrase" if wording else "verbatim"
    return diff


def loose_diff(
    unit: list[Token],
    passage: list[Token],
    article: str,
    source: str,
    names: tuple[set[str], set[str]] = (set(), set()),
    lowercase: frozenset[str] = frozenset(),
) -> Difference:
    """A paraphrase: the change kinds compared over the whole unit and passage (``names``: the capitalised
    words of the whole article and of the whole source)."""
    sm = SequenceMatcher(None, [t.norm for t in unit], [t.norm for t in passage], autojunk=False)
    matched = sum(m.size for m in sm.get_matching_blocks()) / max(len(unit), 1)
    diff = Difference("paraphrase", matched, covered=_span(passage))
    for kind in changes_between(
        unit, passage, loose=True, names_a=names[0], names_b=names[1], lowercase=lowercase
    ):
        diff.changes.append(Change(kind, _span(unit), _span(passage), _text(unit), _text(passage)))
    if diff.changes:
        diff.kind = "changed"
    return diff
