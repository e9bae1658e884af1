"""Is the headline backed by the body? FNC-1 stance plus a check of the headline's key elements.

The stance model answers "does the body agree, disagree, discuss or ignore the headline", but a headline
can share every topic word with its body and still invent the one thing that matters: a purpose ("to
capture Donbass"), a number or an actor. So each such element is looked up in the body too: present,
present only inside someone else's contested or anonymous claim, or absent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from unspin.analyzers.base import Analyzer, FindingMaker, Section, span_of
from unspin.model import HeadlineCheck, HeadlineElement, SentenceMatch, Span
from unspin.models.registry import ModelRegistry
from unspin.models.stance_model import StanceModel
from unspin.nlp.doc import Doc, Sentence, layer

MAX_STANCE_CHARS = 40_000  # about 6,500 words; the key elements are still looked for in the whole body
_WORD = re.compile(r"\w+", re.UNICODE)
# "to" + a lower-case word: the infinitive of purpose ("... from NATO to capture Donbass") and the headline
# future ("Ukraine to join NATO"). Up to three more words make the object; punctuation ends it.
PURPOSE = re.compile(
    r"\b(?:in order to|so as to|aimed at|with the aim of|for the purpose of|to|чтобы|с целью|ради|для)"
    r"\s+((?-i:[a-zа-яё])\w+(?:[ \t]+(?!(?:and|or|but|as|after|before|while|и|или|но)\b)\w+){0,3})",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d[\d,.]*\d|\d")
# Sentences that report a claim as someone else's contested or anonymous assertion.
OTHERS_CLAIM = re.compile(
    r"\b(?:claim\w*|alleg\w*|purport\w*|rumou?r\w*|supposedly|утвержда\w*|якобы|будто бы)\b", re.IGNORECASE
)
STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "to",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "as",
        "into",
        "over",
        "under",
        "about",
        "after",
        "before",
        "than",
        "then",
        "so",
        "such",
        "not",
        "no",
        "и",
        "в",
        "на",
        "с",
        "по",
        "к",
        "из",
        "за",
        "от",
        "для",
        "о",
        "что",
        "как",
        "не",
    ]
)
SUPPORTING_STANCES = ("agree", "discuss")

# --- Languages without a NER model of ours: names are the headline's capitalised words after its first
# (German capitalises every noun, which makes them key words to find in the body), and purposes are found by
# each language's purpose markers. English and Russian use NER mentions and PURPOSE above.
NAME_LANGUAGES = ("de", "fr", "it", "es", "pt", "nl", "pl", "uk", "bg", "be", "sr", "cs", "sk", "ro")
PURPOSE_OTHER = re.compile(
    r"\b(?:um|damit|pour|afin de|per|para|om|aby|żeby|w celu|щоб|з метою|для|за да|за|kako bi|aby|pentru a)"
    r"\s+((?-i:[^\W\d_A-ZÀ-ÞА-ЯЁІЇЄҐ])\w+(?:[ \t]+\w+){0,2})",
    re.IGNORECASE,
)
_STOP_OTHER_WORDS = (
    "der die das den dem des ein eine einen und oder in im am an auf aus bei mit nach von vor zu zum zur "
    "le la les l un une des du de et ou en dans sur au aux par pour il lo gli uno una del della di e o nel "
    "el los las y en con por para o het een en op van voor na w z i na do od za o że się "
    "і й в у на з до від за про що як не та"
)
STOP_OTHER = frozenset(_STOP_OTHER_WORDS.split())
_CAPITALISED = re.compile(r"(?<![\w-])[^\W\d_][\w'’-]*", re.UNICODE)
MIN_NAME_LETTERS = 3


def _name_stem(word: str) -> str:
    """Case endings differ between headline and body in the Slavic languages: compare five-letter stems."""
    return stem(word.strip("'’-"))


def _other_language_elements(doc: Doc, add: Callable[..., None]) -> None:
    """Names and purposes of a headline in a language without NER, each looked up in the body."""
    title = doc.title.text
    words = list(_CAPITALISED.finditer(title))
    for m in words[1:]:  # the first word is capitalised as the start of the sentence
        word = m.group()
        if not word[0].isupper() or len(word) < MIN_NAME_LETTERS or word.lower() in STOP_OTHER:
            continue
        key = _name_stem(word)
        add("name", m.start(), m.end(), f"'{word}'", lambda s, key=key: key in _stems(s.text))
    for m in PURPOSE_OTHER.finditer(title):
        content = {stem(w) for w in _WORD.findall(m.group(1)) if w.lower() not in STOP_OTHER}
        if content:
            add("purpose", m.start(), m.end(), f"the purpose or intent '{m.group(0)}'", _has_words(content))


def stem(word: str) -> str:
    """Five-letter prefix: crude, but it matches capture/captured, Donbass/Donbas, захват/захвата."""
    w = word.lower()
    return w[:5] if len(w) > 5 else w


def _stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text) if w.lower() not in STOP}


def _is_others_claim(doc: Doc, sent: Sentence) -> bool:
    anonymous = {a.span.start for a in layer(doc.unattributed, "unattributed") if a.span.field == "body"}
    return sent.start in anonymous or bool(OTHERS_CLAIM.search(sent.text))


def _locate(doc: Doc, holds: Callable[[Sentence], bool]) -> tuple[str, Sentence | None]:
    """The first body sentence that states it: supported, only in others' claims, or absent."""
    reported = None
    for sent in doc.body.sentences:
        if holds(sent):
            if not _is_others_claim(doc, sent):
                return "supported", sent
            reported = reported or sent
    return ("only in others' claims", reported) if reported else ("absent", None)


def _has_words(words: set[str]) -> Callable[[Sentence], bool]:
    return lambda s: words <= _stems(s.text)


def _has_number(n: str) -> Callable[[Sentence], bool]:
    return lambda s: n in {x.replace(",", "") for x in NUMBER.findall(s.text)}


def _has_mention(starts: list[int]) -> Callable[[Sentence], bool]:
    return lambda s: any(s.start <= b < s.end for b in starts)


def _name_stems(name: str) -> set[str]:
    """The content words of a name, stemmed: 'Ukraine's Ministry of Defense' -> ukrai, minis, defen."""
    return {stem(w) for w in _WORD.findall(name) if w.lower() not in STOP and len(w) > 1}


def _has_actor(starts: list[int], names: list[str]) -> Callable[[Sentence], bool]:
    """An actor is stated where the entity is mentioned or where a sentence holds every content word of one
    of its names, in any order or inflection ('the Ministry of Defense of Ukraine' states 'Ukraine's
    Ministry of Defense'; 'Министерство обороны Украины' states 'Министерства обороны Украины')."""
    variants = [v for v in (_name_stems(n) for n in names) if v]
    mentioned = _has_mention(starts)
    return lambda s: mentioned(s) or any(v <= _stems(s.text) for v in variants)


def _elements(doc: Doc) -> list[HeadlineElement]:
    title = doc.title.text
    mentions = layer(doc.entity_mentions, "entity_mentions")
    entities = layer(doc.entities, "entities")
    out: list[HeadlineElement] = []

    def add(kind: str, start: int, end: int, what: str, holds: Callable[[Sentence], bool]) -> None:
        status, sent = _locate(doc, holds)
        explanation = {
            "supported": f"The body states {what}.",
            "only in others' claims": f"The body mentions {what} only as someone else's claim, "
            "not as something it reports.",
            "absent": f"The body never states {what}.",
        }[status]
        out.append(
            HeadlineElement(
                kind=kind,  # type: ignore[arg-type]
                span=span_of(doc, "title", start, end),
                status=status,  # type: ignore[arg-type]
                evidence=span_of(doc, "body", sent.start, sent.end) if sent else None,
                explanation=explanation,
            )
        )

    for m in PURPOSE.finditer(title):
        words = _stems(m.group(1))
        if words:
            add(
                "purpose",
                m.start(),
                m.end(),
                f"the purpose or intent '{m.group(0)}'",
                _has_words(words),
            )
    for m in NUMBER.finditer(title):
        n = m.group(0).replace(",", "")
        add(
            "number",
            m.start(),
            m.end(),
            f"the number {m.group(0)}",
            _has_number(n),
        )
    if doc.language in NAME_LANGUAGES and not doc.ner_available:
        _other_language_elements(doc, add)
    seen: set[str] = set()
    for f, start, end, eid in mentions:
        if f != "title" or eid in seen:
            continue
        seen.add(eid)
        body_at = [b for ff, b, _, e in mentions if ff == "body" and e == eid]
        entity = entities.get(eid)
        names = [title[start:end]] + ([entity.canonical, *entity.spellings] if entity is not None else [])
        add(
            "actor",
            start,
            end,
            f"'{title[start:end]}' (in any spelling)",
            _has_actor(body_at, names),
        )
    return out


def _closest(doc: Doc, k: int = 3) -> list[SentenceMatch]:
    head = _stems(doc.title.text)
    scored = []
    for sent in doc.body.sentences:
        words = _stems(sent.text)
        if head and words:
            scored.append((len(head & words) / math.sqrt(len(head) * len(words)), sent))
    scored.sort(key=lambda x: -x[0])
    return [
        SentenceMatch(span=span_of(doc, "body", s.start, s.end), similarity=round(min(1.0, sim), 4))
        for sim, s in scored[:k]
        if sim > 0
    ]


def check(doc: Doc, stance_model: StanceModel) -> tuple[HeadlineCheck, list[str]]:
    notes: list[str] = []
    stance, probs = None, {}
    if doc.language == "en":
        body = doc.body.text
        if len(body) > MAX_STANCE_CHARS:
            # The stance features hold a (sentences x vocabulary) matrix: a book-length body took 600 MB.
            # FNC-1 bodies are a few hundred words, and the stance is set by the start of an article.
            cut = body.rfind("\n", 0, MAX_STANCE_CHARS)
            body = body[: cut if cut > 0 else MAX_STANCE_CHARS]
            notes.append(
                f"The headline's stance was read from the first {len(body.split()):,} words of the body."
            )
        (pred,) = stance_model.predict([doc.title.text], [body])
        stance, probs = pred.stance, pred.probabilities
    else:
        notes.append(
            f"The stance model is trained on English (FNC-1); for '{doc.language}' the headline verdict "
            "rests on the check of its key elements only."
        )
    elements = _elements(doc)
    problems = [e for e in elements if e.status != "supported"]
    reasons = []
    if stance is not None and stance not in SUPPORTING_STANCES:
        reasons.append(f"the body's stance towards it is '{stance}' (p={probs[stance]:.2f})")
    if problems:
        listed = "; ".join(f"{e.kind} '{e.span.text}': {e.status}" for e in problems)
        reasons.append(f"key elements are not backed ({listed})")
    verdict = "not supported" if reasons else "supported"
    if stance is None and not elements:
        # Nothing was checked: 'supported' would be a verdict no evidence earned.
        verdict = "not checked"
        explanation = (
            f"Headline not checked: the stance model reads English only and no key element (name, number, "
            f"purpose) of this '{doc.language}' headline could be looked for in the body."
        )
    elif reasons:
        explanation = "Headline not supported by the body: " + " and ".join(reasons) + "."
    else:
        explanation = (
            "The body backs the headline"
            + (f" (stance '{stance}')" if stance else "")
            + (f"; all {len(elements)} key elements found." if elements else ".")
        )
    return (
        HeadlineCheck(
            verdict=verdict,
            stance=stance,
            stance_probabilities=probs,
            elements=elements,
            closest=_closest(doc),
            explanation=explanation,
        ),
        notes,
    )


def analyze(doc: Doc, stance_model: StanceModel) -> Section:
    section = Section()
    if not doc.title.text.strip() or not doc.body.text.strip():
        section.notes.append("No headline check: the article needs both a title and a body.")
        section.fields["headline"] = None
        return section
    result, notes = check(doc, stance_model)
    section.notes += notes
    if result.verdict == "not checked":
        section.notes.append(result.explanation)
    make = FindingMaker("headline")
    if result.verdict == "not supported":
        flagged = [e for e in result.elements if e.status != "supported"]
        spans: list[Span] = [e.span for e in flagged] or [span_of(doc, "title", 0, len(doc.title.text))]
        for sp in spans:
            section.findings.append(
                make(
                    doc,
                    "title",
                    sp.start,
                    sp.end,
                    "headline not supported by the body",
                    0.9 if flagged else float(max(result.stance_probabilities.values(), default=0.5)),
                    result.explanation,
                    stance=result.stance,
                )
            )
    section.fields["headline"] = result
    return section


class HeadlineAnalyzer(Analyzer):
    name = "headline"
    requires = ("doc.unattributed", "doc.entity_mentions")
    provides = ("report.headline",)
    models = ("stance",)

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        return analyze(doc, models.get("stance"))

    def load(self, models: ModelRegistry, language: str = "en") -> None:
        if language == "en":
            models.get("stance")
