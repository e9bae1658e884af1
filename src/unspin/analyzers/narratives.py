"""Known narratives: does the article repeat a claim the knowledge base has already debunked?

The article's check-worthy claims (up to MAX_CLAIMS, best first), its title and the sentences of its lead
each retrieve candidate cases (BM25 + e5 vectors when the store has them), and the claim-matcher verifies
every (sentence, case) pair (kb/article_matching.py). Only a case the verifier accepts is a known narrative,
shown with the sentence that matched; a claim inherits "refuted" only from a debunked case accepted for that
claim. Cases retrieval found but the verifier rejected are listed apart as related cases, without a verdict.
"""

from __future__ import annotations

import threading
from pathlib import Path

from unspin.analyzers.base import Analyzer, FindingMaker, Section, span_of
from unspin.kb.article_matching import LEAD_SENTENCES, CaseMatch, Unit, match_article
from unspin.kb.store import KBError, SqliteKB, default_path
from unspin.model import Claim, NarrativeMatch, OutletInfo, OutletLabelInfo, RelatedCase, Span
from unspin.models.registry import ModelRegistry
from unspin.nlp.doc import Doc, layer

MAX_CLAIMS = 10
DEBUNKED = {
    "false",
    "disinformation",
    "misleading",
    "pants on fire",
    "fake",
    "refuted",
    "mostly false",
    "incorrect",
}
DENSE_CHARS = 300  # of title + lead, for the title-retrieval evaluation (`unspin eval narratives`)


def dense_query(text: str) -> str:
    """What the retrieval evaluation embeds of an article query (title + lead): its first DENSE_CHARS."""
    return text.strip()[:DENSE_CHARS]


def article_units(doc: Doc, claims: list[Claim]) -> list[Unit]:
    """The sentences a case is scored against: the claims, the title, the first LEAD_SENTENCES of the body."""
    units = [Unit(c.span.text, c.span.field, c.span.start, c.span.end, c.id) for c in claims]
    taken = {(u.field, u.start) for u in units}
    lead = [("title", s) for s in doc.title.sentences]
    lead += [("body", s) for s in doc.body.sentences[:LEAD_SENTENCES]]
    for field, s in lead:
        if (field, s.start) not in taken and len(s.text.strip()) >= 20:
            units.append(Unit(s.text, field, s.start, s.end))
    return units


def _span(doc: Doc, m: CaseMatch) -> Span:
    return span_of(doc, m.unit.field, m.unit.start, m.unit.end)  # type: ignore[arg-type]


def analyze(doc: Doc, kb: SqliteKB, models: ModelRegistry) -> Section:
    """Known cases the article's claims, title and lead repeat (accepted by the claim-matcher), related cases
    apart, and the verdicts the accepted debunked cases give to the claims (applied by the Report)."""
    section = Section()
    section.fields |= {"narratives": [], "related_cases": [], "outlet": None}
    claims: list[Claim] = layer(doc.claims, "claims")[:MAX_CLAIMS]
    units = article_units(doc, claims)
    encoder = models.get("encoder")
    vectors: list = list(encoder.embed([u.text for u in units])) if units else []
    if not kb.has_vectors():
        section.notes.append(
            "The knowledge base has no vectors (`unspin kb embed`): candidate cases were retrieved by wording only."
        )
    found = match_article(kb, units, vectors, models.get("claim_matcher"), encoder)
    by_claim = {c.id: c for c in claims}
    for m in found.claim_hits:
        e = m.verified.entry
        claim = by_claim[m.unit.claim_id] if m.unit.claim_id else None
        if claim is not None and e.verdict.lower() in DEBUNKED:
            verdict, evidence = section.claim_verdicts.get(claim.id, ("refuted", []))
            if e.id not in evidence:
                section.claim_verdicts[claim.id] = (verdict, [*evidence, e.id])
    make = FindingMaker("narrative")
    matches: list[NarrativeMatch] = []
    shown = {(m.verified.entry.id, m.unit.claim_id) for m in found.narratives}
    extra = [m for m in found.claim_hits if (m.verified.entry.id, m.unit.claim_id) not in shown]
    for m in [*found.narratives, *extra]:
        e, v = m.verified.entry, m.verified
        span = _span(doc, m)
        matches.append(
            NarrativeMatch(
                entry_id=e.id,
                claim=e.claim,
                verdict=e.verdict,
                explanation=e.explanation,
                url=e.url,
                date=e.date,
                outlet=e.outlet,
                source=e.source,
                similarity=round(v.match.similarity, 4),
                matched=span,
                claim_id=m.unit.claim_id,
                verifier=round(v.probability, 4),
            )
        )
        section.findings.append(
            make(
                doc,
                span.field,
                span.start,
                span.end,
                "known narrative",
                v.probability,
                f"Repeats a known claim ({e.verdict}, {e.date or 'undated'}): {e.claim[:200]}"
                + (f" — Disproof: {e.explanation[:300]}" if e.explanation else ""),
                entry_id=e.id,
                url=e.url,
            )
        )
    section.fields["narratives"] = sorted(matches, key=lambda x: -(x.verifier or 0.0))
    section.fields["related_cases"] = [
        RelatedCase(
            entry_id=m.verified.entry.id,
            claim=m.verified.entry.claim,
            url=m.verified.entry.url,
            date=m.verified.entry.date,
            similarity=round(m.verified.match.similarity, 4),
            verifier=round(m.verified.probability, 4),
            matched=_span(doc, m),
            claim_id=m.unit.claim_id,
        )
        for m in found.related
    ]
    section.fields["outlet"] = outlet_info(kb, doc)
    return section


def outlet_info(kb: SqliteKB, doc: Doc) -> OutletInfo | None:
    """The record of the article's outlet: by its URL's domain first, else by the outlet name."""
    for how, value in (("url", doc.article.url), ("outlet", doc.article.outlet)):
        record = kb.outlet(value) if value else None
        if record is not None:
            return OutletInfo(
                outlet=record.outlet,
                matched_by=how,  # type: ignore[arg-type]
                cases=record.cases,
                first_seen=record.first_seen,
                last_seen=record.last_seen,
                labels=[OutletLabelInfo(label=x.label, source=x.source) for x in record.labels],
                case_ids=record.case_ids,
            )
    return None


class NarrativesAnalyzer(Analyzer):
    """Opens its knowledge base once (``kb``: a path; default $UNSPIN_KB or the user data directory)."""

    name = "narratives"
    requires = ("doc.claims",)
    provides = ("report.narratives", "report.related_cases", "report.outlet", "report.claims.verdict")
    models = ("encoder", "claim_matcher", "sentence_encoder")  # the last one only for a matcher that reads it

    def __init__(self, kb: str | Path | None = None) -> None:
        self.path = Path(kb) if kb is not None else default_path()
        self._kb: SqliteKB | None = None
        self._lock = threading.Lock()

    def knowledge_base(self) -> SqliteKB | str:
        """The opened store, or why it cannot be read (a note for the report)."""
        with self._lock:
            if self._kb is None:
                if not self.path.exists():
                    return (
                        f"No knowledge base at {self.path}: known narratives were not checked "
                        "(`unspin kb import FILE --format …`)."
                    )
                try:
                    # Read-only: an analysis never writes to the store, waits for an import's lock, or creates a file.
                    self._kb = SqliteKB(self.path, read_only=True)
                except KBError as exc:
                    return f"Known narratives were not checked: {exc}"
            return self._kb

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        kb = self.knowledge_base()
        if isinstance(kb, str):
            return Section(fields={"narratives": [], "related_cases": [], "outlet": None}, notes=[kb])
        return analyze(doc, kb, models)

    def load(self, models: ModelRegistry, language: str = "en") -> None:
        if not isinstance(self.knowledge_base(), str):
            models.get("encoder")
            models.get("claim_matcher")
