"""The Doc: an article parsed once. Analysers read it; none re-tokenises or reloads a model."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from unspin.model import Article, TextField


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


@dataclass
class Part:
    """The title or the body, segmented."""

    field: TextField
    text: str
    paragraphs: list[Paragraph] = dc_field(default_factory=list)
    sentences: list[Sentence] = dc_field(default_factory=list)
    tokens: list[Token] = dc_field(default_factory=list)
    mentions: list[Mention] = dc_field(default_factory=list)

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence that contains ``offset``."""
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return None


@dataclass
class Doc:
    article: Article
    language: str
    language_confidence: float
    ner_model: str | None
    title: Part
    body: Part
    cache: dict[str, Any] = dc_field(default_factory=dict)  # analysers share derived results here

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
