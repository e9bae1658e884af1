"""The one data model: what goes in (Article) and what comes out (Report).

Every finding points into the article by character offsets into ``Article.title`` or ``Article.body``,
so ``article.body[f.start:f.end] == f.text`` always holds and any consumer can highlight it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION: Literal["1.0"] = "1.0"

TextField = Literal["title", "body"]
SourceKind = Literal["text", "txt", "html", "url", "corpus"]
EntityType = Literal["PER", "LOC", "ORG", "GROUP"]
PartyKind = Literal["person", "organisation", "outlet", "document", "pronoun", "unknown"]
PlaceConvention = Literal["russian-derived", "ukrainian-derived", "neutral"]
TextConvention = Literal["russian-derived", "ukrainian-derived", "mixed", "none"]
EntitySource = Literal["ner", "gazetteer", "ner+gazetteer"]


class Article(BaseModel):
    """One article as ingested: text plus whatever metadata the source carried."""

    model_config = ConfigDict(frozen=True)

    id: str | None = None
    title: str = ""
    body: str
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    date: str | None = None
    source_kind: SourceKind = "text"
    source: str | None = Field(
        default=None, description="Where the article came from: a path, a URL or 'stdin'."
    )
    body_offset: int = Field(
        default=0,
        description="Offset of the body in the original file, so offsets can be mapped back (SemEval .txt).",
    )
    notes: list[str] = Field(
        default_factory=list,
        description="Caveats from ingest (a guessed encoding, say), for the report's notes.",
    )


class Span(BaseModel):
    """Where something is: a slice of the title or the body."""

    field: TextField = "body"
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Finding(BaseModel):
    """One highlighted piece of evidence: what, where, how sure and why."""

    id: str
    kind: str = Field(description="Which analyser's question it answers: entity, quote, speaker, source, ...")
    label: str
    field: TextField = "body"
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    score: float = Field(ge=0.0, le=1.0)
    explanation: str
    attributes: dict[str, str | int | float | bool | None] = Field(default_factory=dict)

    @field_validator("score")
    @classmethod
    def _round_score(cls, v: float) -> float:
        return round(v, 4)


class EntityVariant(BaseModel):
    """One spelling of an entity and where it occurs."""

    text: str
    count: int
    mentions: list[Span]


class Entity(BaseModel):
    """A canonical entity with every spelling that was merged into it."""

    id: str
    canonical: str
    type: EntityType
    variants: list[EntityVariant]
    mention_count: int
    multiple_spellings: bool = Field(
        description="True when the same entity is spelt in more than one way (surname-only mentions and "
        "grammatical case endings do not count)."
    )
    spellings: list[str] = Field(default_factory=list, description="The distinct spellings that count.")
    source: EntitySource = "ner"


class NamingEvidence(BaseModel):
    """One place name in the text and which convention it follows."""

    canonical: str
    form: str
    convention: PlaceConvention
    span: Span


class NamingConvention(BaseModel):
    """Which naming convention the text uses for Ukrainian places."""

    convention: TextConvention
    russian_derived: int
    ukrainian_derived: int
    explanation: str
    evidence: list[NamingEvidence]


class Party(BaseModel):
    """A speaker or a source (outlet, document) named next to a quote."""

    name: str
    span: Span
    entity_id: str | None = None
    kind: PartyKind = "unknown"


class Quote(BaseModel):
    """A quotation (direct or reported) with who said it and through which source."""

    id: str
    type: Literal["direct", "indirect"]
    span: Span
    speaker: Party | None = None
    source: Party | None = None
    cue: str | None = Field(None, description="The attribution words that link the quote to its speaker.")
    confidence: float = Field(ge=0.0, le=1.0)
    explanation: str


class Assertion(BaseModel):
    """A statement presented as fact with no named source ('it is reported', 'experts believe')."""

    id: str
    span: Span
    trigger: Span
    pattern: str
    confidence: float = Field(ge=0.0, le=1.0)
    explanation: str


class TechniqueSpan(BaseModel):
    """A persuasion technique at a character span, in the SemEval-2020 and SemEval-2023 taxonomies."""

    field: TextField = "body"
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    technique: str = Field(
        description="SemEval-2020 Task 11 (PTC) label; for a sentence span, the SemEval-2020 label of its 2023 "
        "technique, or the 2023 name where 2020 has none."
    )
    semeval2023: list[str] = Field(description="The SemEval-2023 Task 3 technique(s) this label covers.")
    category: str = Field(description="SemEval-2023 category: Attack on Reputation, Justification, ...")
    score: float = Field(ge=0.0, le=1.0, description="Calibrated probability that the span uses a technique.")
    technique_probability: float = Field(ge=0.0, le=1.0, description="Calibrated probability of the label.")
    alternatives: dict[str, float] = Field(default_factory=dict, description="Top labels and probabilities.")
    unit: Literal["span", "sentence"] = Field(
        default="span",
        description="span: the words the English span model marked; sentence: a whole sentence, from the "
        "sentence heads that read the other languages.",
    )


class LabelScore(BaseModel):
    """A label with its probability."""

    label: str
    probability: float = Field(ge=0.0, le=1.0)


class ParagraphTechniques(BaseModel):
    """SemEval-2023 subtask 3: the techniques a paragraph uses (multi-label)."""

    index: int
    field: TextField
    start: int
    end: int
    techniques: list[LabelScore]


class ArticleClass(BaseModel):
    """Framing (subtask 2, multi-label) and genre (subtask 1) of the whole article."""

    frames: list[LabelScore]
    genre: LabelScore
    genre_probabilities: list[LabelScore]
    zero_shot: bool = Field(
        description="True when the language was not in the training data (en fr de it pl ru)."
    )
    model: str


ClaimType = Literal["statistic", "event", "quote", "prediction", "unnamed source"]
Attribution = Literal["quoted", "attributed", "unnamed source", "none"]
ClaimantKind = Literal["speaker", "author", "outlet", "unnamed source", "article"]


class SentenceScore(BaseModel):
    """A sentence's check-worthiness: the calibrated probability that a fact-checker would check it."""

    index: int
    field: TextField
    start: int
    end: int
    score: float = Field(ge=0.0, le=1.0)


class Claimant(BaseModel):
    """Who makes a claim: the quoted speaker, or else the article's author or outlet."""

    name: str
    kind: ClaimantKind
    entity_id: str | None = None
    span: Span | None = Field(None, description="Where the claimant is named, when the text names them.")


class Claim(BaseModel):
    """A check-worthy sentence, with who asserts it and what in it can be checked."""

    id: str
    span: Span
    score: float = Field(ge=0.0, le=1.0, description="Calibrated check-worthiness.")
    type: ClaimType
    claimant: Claimant
    attribution: Attribution = Field(
        description="quoted: inside a quote; attributed: the sentence names its source; unnamed source: "
        "an anonymous cue ('sources say'); none: the article asserts it on its own authority."
    )
    unattributed: bool = Field(description="No named source: what a fact-checker checks first.")
    quote_id: str | None = None
    entities: list[str] = Field(default_factory=list, description="Canonical entity ids (entities analyser).")
    times: list[Span] = Field(default_factory=list, description="Time expressions.")
    quantities: list[Span] = Field(default_factory=list, description="Numbers and quantities.")
    explanation: str
    verdict: str | None = Field(
        None, description="'refuted' when the claim matches a debunked knowledge-base entry (see narratives)."
    )
    evidence: list[str] = Field(
        default_factory=list, description="Knowledge-base entry ids behind the verdict."
    )


class NarrativeMatch(BaseModel):
    """A knowledge-base entry (a debunked claim or a fact-check) that part of the article repeats."""

    entry_id: str
    claim: str = Field(description="The entry's claim, as the knowledge base words it.")
    verdict: str
    explanation: str = Field(description="The disproof or fact-check conclusion.")
    url: str = ""
    date: str = ""
    outlet: str = ""
    source: str = ""
    similarity: float = Field(ge=0.0, le=1.0)
    matched: Span = Field(description="The part of the article that matched.")
    claim_id: str | None = Field(None, description="The claim that matched, when a claim did.")
    verifier: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="The claim-matcher's P(same claim) for the matched sentence and the case.",
    )


class RelatedCase(BaseModel):
    """A knowledge-base case on the same topic that the verifier did not accept as the same claim: no verdict."""

    entry_id: str
    claim: str = Field(description="The case's claim, as the knowledge base words it.")
    url: str = ""
    date: str = ""
    similarity: float = Field(ge=0.0, le=1.0, description="Retrieval similarity (topic, not proposition).")
    verifier: float = Field(
        ge=0.0, le=1.0, description="The claim-matcher's P(same claim), below its threshold."
    )
    matched: Span = Field(description="The article sentence closest to the case.")
    claim_id: str | None = None


class OutletLabelInfo(BaseModel):
    label: str
    source: str = Field(description="Who gave the label (the CSV's source column).")


class OutletInfo(BaseModel):
    """The knowledge base's record of the article's outlet (by URL domain or outlet name)."""

    outlet: str
    matched_by: Literal["url", "outlet"]
    cases: int = Field(description="Knowledge-base cases that cite this outlet.")
    first_seen: str | None = None
    last_seen: str | None = None
    labels: list[OutletLabelInfo] = Field(default_factory=list)
    case_ids: list[str] = Field(default_factory=list, description="Up to 20 of those cases.")


class HeadlineElement(BaseModel):
    """A checkable part of the headline (a purpose, a number, an actor) and whether the body backs it."""

    kind: Literal["purpose", "number", "actor", "name"]
    span: Span
    status: Literal["supported", "only in others' claims", "absent"]
    evidence: Span | None = Field(None, description="The body sentence that backs (or reports) it.")
    explanation: str


class SentenceMatch(BaseModel):
    span: Span
    similarity: float = Field(ge=0.0, le=1.0)


class HeadlineCheck(BaseModel):
    """Does the body back the headline? FNC-1 stance plus a check of the headline's key elements."""

    verdict: Literal["supported", "not supported", "not checked"] = Field(
        description="'not checked' when neither the stance model nor any key element could be checked "
        "(the explanation says why)."
    )
    stance: str | None = Field(description="FNC-1 stance of the body towards the headline (English only).")
    stance_probabilities: dict[str, float] = Field(default_factory=dict)
    elements: list[HeadlineElement] = Field(default_factory=list)
    closest: list[SentenceMatch] = Field(
        default_factory=list, description="Body sentences nearest the headline."
    )
    explanation: str


class SentenceSignals(BaseModel):
    """Per-sentence counts of the cheap text signals: features for later models, shown in the report."""

    index: int
    field: TextField
    start: int
    end: int
    counts: dict[str, int]


class Storyline(BaseModel):
    """A SemEval-2025 Task 10 narrative the article pushes, with the sentences that carry it."""

    narrative: str = Field(
        description="The coarse narrative, as the task's taxonomy names it ('URW: …', 'CC: …')."
    )
    domain: Literal["URW", "CC"] = Field(description="Ukraine-Russia war or climate change.")
    probability: float = Field(ge=0.0, le=1.0, description="Calibrated probability of the narrative.")
    subnarratives: list[LabelScore] = Field(
        default_factory=list,
        description="Fine subnarratives under it ('<narrative>: <subnarrative>'; '<narrative>: Other' when none fits).",
    )
    evidence: list[Span] = Field(
        default_factory=list, description="The sentences whose own vectors score highest for the narrative."
    )
    explanation: str = Field(description="A short explanation built from the evidence (subtask 3's style).")


class StorylineReport(BaseModel):
    """Which storylines the article pushes (SemEval-2025 Task 10 subtask 2), or none ('Other')."""

    storylines: list[Storyline] = Field(default_factory=list)
    other: bool = Field(
        description="True when no storyline reaches the reporting threshold (the task's 'Other')."
    )
    threshold: float = Field(
        ge=0.0, le=1.0, description="The reporting threshold on narrative probabilities."
    )
    top: list[LabelScore] = Field(
        default_factory=list, description="The five most likely narratives, reported or not."
    )
    zero_shot: bool = Field(description="True when the language was not in the heads' training data.")
    model: str


class EntityRole(BaseModel):
    """How the article casts one named entity: hero, villain or victim (SemEval-2025 Task 10 subtask 1)."""

    entity_id: str = Field(description="The entity's id in ``entities`` (all its spellings share the role).")
    canonical: str
    main_role: Literal["Protagonist", "Antagonist", "Innocent"]
    probability: float = Field(ge=0.0, le=1.0, description="Probability of the main role.")
    main_probabilities: dict[str, float] = Field(default_factory=dict)
    fine_roles: list[LabelScore] = Field(
        default_factory=list, description="Fine roles of the main role (Guardian, Tyrant, Victim …)."
    )
    mentions: int = Field(description="Mentions read (its probabilities are averaged over them).")
    evidence: Span | None = Field(None, description="The sentence of the mention that most clearly casts it.")
    zero_shot: bool = False


class ArticleMeta(BaseModel):
    """Article metadata as it appears in the report."""

    id: str | None = None
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    date: str | None = None
    source_kind: str
    source: str | None = None
    body_offset: int = 0
    word_count: int
    char_count: int


class LanguageInfo(BaseModel):
    """The detected language and what it means for the analysis."""

    code: str = Field(description="ISO 639-1 code, or 'und' when undetermined.")
    confidence: float = Field(ge=0.0, le=1.0)
    ner_available: bool
    ner_model: str | None = None


class Report(BaseModel):
    """Everything unspin found in one article."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    unspin_version: str
    article: ArticleMeta
    title: str
    body: str
    language: LanguageInfo
    findings: list[Finding] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    naming: NamingConvention | None = None
    quotes: list[Quote] = Field(default_factory=list)
    unattributed: list[Assertion] = Field(default_factory=list)
    techniques: list[TechniqueSpan] = Field(default_factory=list)
    paragraphs: list[ParagraphTechniques] = Field(default_factory=list)
    classification: ArticleClass | None = None
    sentences: list[SentenceSignals] = Field(default_factory=list)
    checkworthiness: list[SentenceScore] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    headline: HeadlineCheck | None = None
    narratives: list[NarrativeMatch] = Field(default_factory=list)
    related_cases: list[RelatedCase] = Field(
        default_factory=list,
        description="Cases on the article's topic that the verifier did not accept: no verdict.",
    )
    outlet: OutletInfo | None = None
    storylines: StorylineReport | None = Field(
        None, description="SemEval-2025 Task 10 narratives (the narratives_taxonomy analyser)."
    )
    entity_roles: list[EntityRole] = Field(
        default_factory=list,
        description="Main and fine roles of the named entities (the entity_roles analyser).",
    )
    comparison: Comparison | None = Field(
        None, description="Set by `unspin compare`: the article against the source it cites."
    )
    notes: list[str] = Field(default_factory=list, description="Caveats: what could not be analysed and why.")
    timings_ms: dict[str, float] = Field(default_factory=dict)


ChangeKind = Literal[
    "number",
    "date",
    "actor",
    "negation-added",
    "negation-removed",
    "hedge-removed",
    "hedge-added",
    "modal-strengthened",
]
AlignmentKind = Literal["verbatim", "trimmed", "paraphrase", "changed", "not-in-source"]


class TextChange(BaseModel):
    """One difference between an article's unit and its source passage that alters what is asserted."""

    kind: ChangeKind
    article: Span | None = Field(None, description="The article's words (None: deleted from the source).")
    source: Span | None = Field(None, description="The source's words, in the source (None: added).")
    explanation: str


class AlignedUnit(BaseModel):
    """A quote or sentence of the article, aligned to the source passage it comes from."""

    id: str
    unit: Literal["quote", "sentence"]
    kind: AlignmentKind
    span: Span = Field(description="The unit in the article.")
    source: Span | None = Field(None, description="The source passage it was aligned to (source offsets).")
    lexical: float = Field(
        ge=0.0, le=1.0, description="Share of the unit's words found, in order, in the passage."
    )
    semantic: float | None = Field(None, description="Sentence-vector cosine to the passage (paraphrases).")
    changes: list[TextChange] = Field(default_factory=list)
    cuts: list[Span] = Field(default_factory=list, description="Source words cut out inside the unit.")
    speaker: str | None = Field(None, description="Who the article says is quoted.")
    explanation: str


class SourceCheck(BaseModel):
    """A headline element or a check-worthy claim of the article, looked up in the source."""

    what: Literal["headline element", "claim"]
    kind: str = Field(description="purpose / number / actor / name for a headline element; the claim's type.")
    span: Span = Field(description="In the article.")
    status: Literal["found", "different", "absent"]
    evidence: Span | None = Field(None, description="The source sentence that says it, or says it otherwise.")
    explanation: str


class Omission(BaseModel):
    """A check-worthy source sentence that the article leaves out."""

    span: Span = Field(description="In the source.")
    score: float = Field(ge=0.0, le=1.0, description="The source sentence's check-worthiness.")
    explanation: str


class Comparison(BaseModel):
    """The article held against the source it cites (``unspin compare``). Source spans count into
    ``source_title`` / ``source_body``; article spans into the report's title and body."""

    source_title: str
    source_body: str
    source_url: str | None = None
    source_language: str
    units: list[AlignedUnit] = Field(default_factory=list)
    headline_verdict: Literal["supported by the source", "not supported by the source", "not checked"]
    headline: list[SourceCheck] = Field(default_factory=list)
    claims: list[SourceCheck] = Field(default_factory=list)
    omissions: list[Omission] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict, description="Units per kind, changes per kind.")
    explanation: str


Report.model_rebuild()  # the comparison types are defined after the Report that holds them
