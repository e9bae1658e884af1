"""Agreement features of a (claim, known case) pair: do they assert the same thing, or only share a topic?

One vector per pair, shared by the trainer (`unspin train claim-matcher`), the evaluator and the runtime
(kb/verifier.py). Each feature answers one of the guideline's tests (docs/annotation/claim-matching-guideline.md):
meaning (e5 cosine), wording (stem overlap both ways), actors (named entities of the case found in the claim
and the other way round), predicate (verbs of the case title in the claim), polarity (negation on one side
only; the claim calling something false), numbers and years that disagree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from unspin.threads import single_threaded_blas

if TYPE_CHECKING:
    from unspin.models.e5_embedder import TokenStates

FEATURES = (
    "dense",  # e5 cosine, rescaled from [0.75, 1] to [0, 1]
    "lexical",  # cosine of the content-stem sets
    "case_title_in_claim",  # share of the case title's content stems that the claim contains
    "claim_in_case",  # share of the claim's content stems that the case (title + summary) contains
    "case_actors_in_claim",  # share of the case title's named entities found in the claim
    "claim_actors_missing",  # claim entities absent from the whole case, 0..3 scaled to [0, 1]
    "predicate_overlap",  # share of the case title's verbs whose stem the claim has
    "negation_mismatch",  # one side negated, the other not
    "claim_disputes",  # the claim calls something false, a myth, propaganda …
    "number_conflict",  # both give numbers and none agree
    "year_conflict",  # the claim names years, none of them the case's
    "cyrillic_claim",  # the claim is not English: the word features above say little
    "dated_event",  # the claim dates its event (a day, a weekday, "yesterday"): matches only that event
    "hedged",  # a question, a condition or a possibility: the sentence does not assert the proposition
    "pronoun_subject",  # opens with this/it/that/they: its actor is in another sentence
    "length_ratio",  # claim content words per case-headline content word, log-scaled: a side remark?
    "headline_words_missing",  # case-headline content words the claim lacks, 0..4 scaled to [0, 1]
    # Soft alignment of the content words (a BERTScore-like match over e5 token states, see align()):
    "align_recall",  # mean over the headline's content pieces of their best cosine with a claim piece
    "align_min",  # the worst-matched headline piece: one word of the proposition the claim does not say
    "align_precision",  # mean over the claim's content pieces of their best cosine with a headline piece
    "align_cosine",  # cosine of the mean token states of the headline and the claim
    # Meaning of the whole sentence: all-mpnet-base-v2 cosine of the claim and the case headline (models/mpnet.py;
    # trained on paraphrase and NLI pairs, it reads "shelling residential areas" = "shelling civilian areas").
    "sentence_cosine",
)
SENTENCE_COSINE = FEATURES.index("sentence_cosine")
# Which way each feature may push P(same claim) in a sign-constrained model (claim-matcher-v4): +1 agreement,
# -1 conflict, 0 either. Unconstrained, correlated agreement features took negative weights (suppressor
# effects), and a sentence that repeats a case word for word scored under the threshold.
SIGNS = {
    "dense": 1,
    "lexical": 1,
    "case_title_in_claim": 1,
    "claim_in_case": 1,
    "case_actors_in_claim": 1,
    "claim_actors_missing": -1,
    "predicate_overlap": 1,
    "negation_mismatch": -1,
    "claim_disputes": -1,
    "number_conflict": -1,
    "year_conflict": -1,
    "cyrillic_claim": 0,
    "dated_event": 0,
    "hedged": -1,
    "pronoun_subject": -1,
    "length_ratio": 0,
    "headline_words_missing": -1,
    "align_recall": 1,
    "align_min": 1,
    "align_precision": 1,
    "align_cosine": 1,
    "sentence_cosine": 1,
}
DENSE_FLOOR = 0.75
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|"
    r"jun|jul|aug|sep|sept|oct|nov|dec)\.?"
)
_DATED = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}\b|\d{{1,2}}\s+{_MONTH}\b|yesterday|today|tonight|last (?:week|night|month)|"
    r"this (?:week|morning)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\?\s*[\"'”»]?\s*$|\b(?:if|whether|could|might|may|possible|possibly|perhaps|either|would|unless)\b",
    re.IGNORECASE,
)
_PRONOUN_START = re.compile(r"^\W*(?:this|it|that|these|those|they|he|she|such)\b", re.IGNORECASE)

_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_ENTITY = re.compile(r"\b(?:[A-ZА-ЯЁІЇЄҐ][\w'’-]+|[A-Z]{2,}|U\.S\.|U\.K\.)")
_STOP_WORDS = (
    "a an the of in on at for from by with to and or but is are was were be been being it its this "
    "that these those as into over under about after before than then so such not no has have had "
    "will would can could he she they we you i his her their our your them who which what when where "
    "why how all any some more most also just only said says say told according there here do does "
    "did up out if because while new one two"
)
_STOP = frozenset(_STOP_WORDS.split())
_NEGATION_WORDS = (
    "not no never none nothing nobody neither nor without n't deny denies denied denying не нет ни ні немає"
)
_NEGATION = frozenset(_NEGATION_WORDS.split())
_DISPUTE = re.compile(
    r"\b(?:false(?:ly)?|fake|myth|hoax|baseless|debunk\w*|disinformation|propaganda|conspiracy theor\w*|"
    r"unfounded|no evidence|untrue|lie[sd]?|fabricat\w*)\b",
    re.IGNORECASE,
)
# The same actor under the names the cases and the news use for it (keys are 5-letter stems).
_ALIASES = {
    "u.s.": "usa",
    "us": "usa",
    "usa": "usa",
    "ameri": "usa",
    "washi": "usa",
    "unite": "usa",  # United States (and United Nations: both then read as 'usa', kept coarse)
    "kreml": "russi",
    "mosco": "russi",
    "russi": "russi",
    "kiev": "ukrai",
    "kyiv": "ukrai",
    "ukrai": "ukrai",
    "u.k.": "brita",
    "uk": "brita",
    "briti": "brita",
    "brita": "brita",
    "londo": "brita",
    "europ": "eu",
    "eu": "eu",
    "brussels": "eu",
    "bruss": "eu",
}
# Sentence-initial words that are capitalised only because they start the sentence.
_NOT_ENTITY = _STOP | frozenset(
    ["however", "meanwhile", "moreover", "according", "but", "yet", "still", "now", "today"]
)


def _stem(word: str) -> str:
    return word.lower()[:5]


# In running text only the unambiguous aliases ('us' is a pronoun, 'united' not always the United States).
_STEM_ALIASES = {k: v for k, v in _ALIASES.items() if len(k) >= 4 and "." not in k and k != "unite"}


def content_stems(text: str) -> set[str]:
    stems = (
        _stem(w)
        for w in (x.lower() for x in _WORD.findall(text))
        if w not in _STOP and len(w) > 1 and not w.isdigit()
    )
    return {_STEM_ALIASES.get(s, s) for s in stems}


def entities(text: str) -> set[str]:
    """Capitalised words and acronyms (not sentence-initial function words), as alias-resolved stems."""
    out = set()
    for m in _ENTITY.finditer(text):
        word = m.group(0)
        if word.lower() in _NOT_ENTITY:
            continue
        key = word.lower() if word.lower() in _ALIASES else _stem(word)
        out.add(_ALIASES.get(key, key))
    return out


def _negated(text: str) -> bool:
    words = {w.lower() for w in _WORD.findall(text.replace("n't", " n't"))}
    return bool(words & _NEGATION) or "n't" in text


def _numbers(text: str) -> set[str]:
    return {
        n.strip(".,").replace(",", "") for n in _NUMBER.findall(text) if not _YEAR.fullmatch(n.strip(".,"))
    }


def is_cyrillic(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum("а" <= c.lower() <= "я" or c in "ёіїєґ" for c in letters) > len(letters) / 2


_VERBS: dict[str, frozenset[str]] = {}  # text -> verb stems; case headlines recur across articles
_VERBS_MAX = 50_000


def _tagger():  # type: ignore[no-untyped-def]
    from unspin.nlp.models import spacy_english

    nlp = spacy_english()
    # "attribute_ruler" is the POS rules component that replaced spaCy's ruler under the same name.
    return nlp, [p for p in ("tok2vec", "tagger", "attribute_ruler") if p in nlp.pipe_names]


def _verbs_of(doc) -> frozenset[str]:  # type: ignore[no-untyped-def]
    return frozenset(
        _stem(t.text) for t in doc if t.pos_ == "VERB" or (t.tag_.startswith("VB") and t.pos_ != "AUX")
    )


def prefetch_verbs(texts: list[str]) -> None:
    """Tag the texts not seen yet in one batch: one spaCy call per article instead of one per pair, which
    cost ~0.7 s an article on a shared 2-core machine."""
    todo = list(dict.fromkeys(t[:400] for t in texts if t[:400] not in _VERBS and not is_cyrillic(t)))
    if not todo:
        return
    if len(_VERBS) + len(todo) > _VERBS_MAX:
        _VERBS.clear()
    nlp, pipes = _tagger()
    with nlp.select_pipes(enable=pipes), single_threaded_blas():
        for text, doc in zip(todo, nlp.pipe(todo, batch_size=64), strict=True):
            _VERBS[text] = _verbs_of(doc)


def verb_stems(text: str) -> frozenset[str]:
    """5-letter stems of the verbs (no auxiliaries) of an English text, tagged by the shipped spaCy model."""
    key = text[:400]
    if key not in _VERBS:
        prefetch_verbs([key])
    return _VERBS[key]


@dataclass(frozen=True)
class CaseText:
    """What the features read of a case: its title (the short claim), its full text, its year."""

    title: str
    text: str
    year: str = ""


def _share(part: set[str], whole: set[str], empty: float) -> float:
    return len(part & whole) / len(part) if part else empty


SHORT_CLAIM = 300  # a case claim this short is a proposition of its own, read beside the title


def headline_options(case: CaseText) -> list[str]:
    """The case's statements a claim is compared with: its title, and its claim text when that is short."""
    title = case.title or case.text
    options = [title]
    if case.text and case.text != title and len(case.text) <= SHORT_CLAIM:
        options.append(case.text)
    return options


def _headline(claim_stems: set[str], case: CaseText) -> str:
    """The case's shortest statement of its claim that the claim's words cover best: its title, or a short
    claim text (a ClaimReview's claimReviewed, a demo entry) when the title paraphrases it."""
    return max(headline_options(case), key=lambda t: _share(content_stems(t), claim_stems, 0.0))


def headline_for(claim: str, case: CaseText) -> str:
    """The case statement that ``pair_features`` compares ``claim`` with (the states to pass are its)."""
    return _headline(content_stems(claim), case)


def _content_rows(tokens: TokenStates) -> np.ndarray:
    """The states of the pieces of content words (not stop words, numbers or punctuation)."""
    keep: list[bool] = []
    word: list[str] = []

    def close() -> None:
        text = "".join(word).lower()
        keep.extend([text.isalpha() and len(text) > 1 and text not in _STOP] * len(word))

    for piece in tokens.pieces:
        if piece.startswith("▁") and word:
            close()
            word = []
        word.append(piece.lstrip("▁"))
    if word:
        close()
    return tokens.states[np.array(keep, dtype=bool)].astype(np.float32)


NO_ALIGNMENT = (0.0, 0.0, 0.0, 0.0)  # no token states (no encoder): the pair looks unaligned, so unaccepted


def align(claim: TokenStates, headline: TokenStates) -> tuple[float, float, float, float]:
    """(recall, min, precision, cosine) of the headline's content pieces against the claim's (see FEATURES)."""
    c, h = _content_rows(claim), _content_rows(headline)
    if not len(c) or not len(h):
        return NO_ALIGNMENT
    sim = h @ c.T
    best_for_headline, best_for_claim = sim.max(axis=1), sim.max(axis=0)
    mc = claim.states.astype(np.float32).mean(axis=0)
    mh = headline.states.astype(np.float32).mean(axis=0)
    cosine = float(mc @ mh / max(float(np.linalg.norm(mc) * np.linalg.norm(mh)), 1e-6))
    return (
        float(best_for_headline.mean()),
        float(best_for_headline.min()),
        float(best_for_claim.mean()),
        cosine,
    )


def pair_features(
    claim: str,
    case: CaseText,
    cosine: float | None,
    claim_states: TokenStates | None = None,
    headline_states: TokenStates | None = None,
    sentence_cosine: float = 0.0,
) -> np.ndarray:
    """The FEATURES vector of one pair. ``cosine``: e5 cosine of the claim and the case (None: not known);
    the token states are the claim's and those of ``headline_for(claim, case)`` (None: not known);
    ``sentence_cosine``: the sentence encoder's cosine of the claim and that headline (the verifier fills it
    in only for pairs that could be accepted, see kb/verifier.py)."""
    c_stems = content_stems(claim)
    title = _headline(c_stems, case)
    alignment = (
        align(claim_states, headline_states)
        if claim_states is not None and headline_states is not None
        else NO_ALIGNMENT
    )
    t_stems, k_stems = content_stems(title), content_stems(case.text + " " + (case.title or ""))
    lexical = len(c_stems & k_stems) / math.sqrt(len(c_stems) * len(k_stems)) if c_stems and k_stems else 0.0
    c_ents, t_ents, k_ents = entities(claim), entities(title), entities(case.text + " " + (case.title or ""))
    cyrillic = is_cyrillic(claim)
    if cyrillic:
        predicate = 0.0
    else:
        t_verbs = verb_stems(title)
        predicate = _share(set(t_verbs), c_stems | set(verb_stems(claim)), 0.0)
    c_nums, k_nums = _numbers(claim), _numbers(case.text + " " + (case.title or ""))
    c_years = set(_YEAR.findall(claim))
    k_years = set(_YEAR.findall(case.text + " " + (case.title or ""))) | ({case.year} if case.year else set())
    dense = 0.0 if cosine is None else min(1.0, max(0.0, (cosine - DENSE_FLOOR) / (1.0 - DENSE_FLOOR)))
    return np.array(
        [
            dense,
            lexical,
            _share(t_stems, c_stems, 0.0),
            _share(c_stems, k_stems, 0.0),
            _share(t_ents, c_ents, 0.5),
            min(3, len(c_ents - k_ents)) / 3,
            predicate,
            float(_negated(claim) != _negated(title)),
            float(bool(_DISPUTE.search(claim)) and not _DISPUTE.search(title)),
            float(bool(c_nums) and bool(k_nums) and not c_nums & k_nums),
            float(bool(c_years) and bool(k_years) and not c_years & k_years),
            float(cyrillic),
            float(bool(_DATED.search(claim))),
            float(bool(_HEDGE.search(claim))),
            float(bool(_PRONOUN_START.search(claim))),
            math.log1p(len(c_stems) / max(1, len(t_stems))),
            min(4, len(t_stems - c_stems)) / 4,
            *alignment,
            sentence_cosine,
        ],
        dtype=np.float64,
    )
