"""The Doc: an article parsed once. Analysers read it; none re-tokenises or reloads a model."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from unspin.model import Article, TextField

if TYPE_CHECKING:
    from unspin.model import Assertion, Claim, Entity, Quote
    from unspin.nlp.names import GazetteerEntry

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    # The dependency parse where the language has one (English): the head's index in the Part's token list
    # (its own index for a root), the relation to it, and the coarse part of speech; empty otherwise.
    head: int = -1
    dep: str = ""
    pos: str = ""


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int  # position among all sentences of the Doc (title first)
    start: int
    end: int
    text: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    index: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Mention:
    """A named-entity mention from NER (or the gazetteer). ``normal`` is its base form (Russian lemmas)."""

    start: int
    end: int
    text: str
    label: str  # PER, LOC, ORG, GROUP
    normal: str
    origin: str = "ner"


class EntityRef(NamedTuple):
    """Where an entity is mentioned: the part, the offsets, and the entity's id in ``Doc.entities``."""

    field: TextField
    start: int
    end: int
    entity_id: str


class FieldRange(NamedTuple):
    """A character range of the title or the body."""

    field: TextField
    start: int
    end: int


class MissingLayer(RuntimeError):
    """An analyser read a Doc layer that no analyser before it provided: a Pipeline ordering bug."""


def layer(value: T | None, name: str) -> T:
    """A Doc layer that must have been provided (``layer(doc.quotes, "quotes")``)."""
    if value is None:
        raise MissingLayer(f"the Doc layer '{name}' was read before an analyser provided it")
    return value


@dataclass
class Part:
    """The title or the body, segmented."""

    field: TextField
    text: str
    paragraphs: list[Paragraph] = dc_field(default_factory=list)
    sentences: list[Sentence] = dc_field(default_factory=list)
    tokens: list[Token] = dc_field(default_factory=list)
    mentions: list[Mention] = dc_field(default_factory=list)
    _paragraph_starts: list[int] = dc_field(default_factory=list, repr=False, compare=False)

    def paragraph_at(self, pos: int, *, end_inclusive: bool = False) -> Paragraph | None:
        """The paragraph holding ``pos`` (``start <= pos < end``, or ``<= end``), by bisection: analysers ask
        this for every quote, and a scan of the paragraphs would make them quadratic in article length."""
        if len(self._paragraph_starts) != len(self.paragraphs):
            self._paragraph_starts[:] = [p.start for p in self.paragraphs]
        i = bisect.bisect_right(self._paragraph_starts, pos) - 1
        if i < 0:
            return None
        para = self.paragraphs[i]
        return para if pos < para.end or (end_inclusive and pos == para.end) else None


@dataclass
class Doc:
    article: Article
    language: str
    language_confidence: float
    ner_model: str | None
    title: Part
    body: Part
    # Layers that analysers add for the ones after them; each is None until its provider has run, and the
    # Pipeline orders analysers so that every one it reads is set (``layer`` says which analyser was missing).
    entity_mentions: list[EntityRef] | None = None  # entities: every mention, with its entity's id
    entities: dict[str, Entity] | None = None  # entities: by id
    quotes: list[Quote] | None = None  # quotes: direct and reported speech, with speaker and source
    quote_ranges: list[FieldRange] | None = None  # quotes: text inside quotation marks of a quote
    scare_quotes: list[FieldRange] | None = None  # quotes: short quoted words that are nobody's quote
    unattributed: list[Assertion] | None = None  # unattributed: sentences asserted on no named authority
    claims: list[Claim] | None = None  # claims: check-worthy sentences, best first
    # Results of analysers' work on the raw text, done on a second thread (``Analyzer.start``), by analyser name.
    started: dict[str, Any] = dc_field(default_factory=dict)
    # Gazetteer hits per part, found once for whichever analyser asks first (entities, naming).
    gazetteer: dict[TextField, list[tuple[int, int, GazetteerEntry]]] = dc_field(default_factory=dict)

    @property
    def parts(self) -> tuple[Part, Part]:
        return (self.title, self.body)

    @property
    def ner_available(self) -> bool:
        return self.ner_model is not None

    def part(self, name: TextField) -> Part:
        return self.title if name == "title" else self.body

    @property
    def word_count(self) -> int:
        return sum(1 for t in self.body.tokens if any(c.isalnum() for c in t.text))
