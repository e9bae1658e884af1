"""Known narratives: does the article repeat a claim the knowledge base has already debunked?

Queries are the article's check-worthy claims (up to MAX_CLAIMS, best first) and its title with the lead.
Candidates come from BM25 and are re-ranked by a bounded similarity; a match needs ARTICLE_THRESHOLD or
CLAIM_THRESHOLD, both set by `unspin eval narratives` on articles that repeat no case. A claim that
matches a debunked entry inherits "refuted" with the entry as evidence.
"""

from __future__ import annotations

import threading
from pathlib import Path

from unspin.analyzers.base import Analyzer, FindingMaker, Section, span_of
from unspin.kb.retrieval import retrieve
from unspin.kb.store import KBError, SqliteKB, default_path
from unspin.model import Claim, NarrativeMatch, OutletInfo, OutletLabelInfo, Span
from unspin.models.e5_embedder import CachedEncoder
from unspin.models.registry import ModelRegistry
from unspin.nlp.doc import Doc, layer

# From `unspin eval narratives`: at most 5 % of PTC train articles without the topic match on title + lead,
# at most 1 % of their sentences match as claims.
ARTICLE_THRESHOLD = 0.18
CLAIM_THRESHOLD = 0.29
# Title + lead with hybrid retrieval, when the store has embeddings (`unspin eval narratives --embeddings`).
HYBRID_ARTICLE_THRESHOLD = 0.31
MAX_CLAIMS = 10
LEAD_CHARS = 600
DENSE_CHARS = 300  # of title + lead, for the embedding
LEXICAL_LANGUAGES = {"en"}  # the language of EUvsDisinfo summaries and most published fact-checks
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


def dense_query(text: str) -> str:
    """What gets embedded of an article query (title + lead): its first DENSE_CHARS characters.

    A headline alone (~25 ms to embed) was too little: the Russian translation of a demo case scored a cosine
    of 0.83 against its English entry from the headline, 0.87 from 300 characters (the nearest wrong entry 0.80).
    """
    return text.strip()[:DENSE_CHARS]


def analyze(doc: Doc, kb: SqliteKB, encoder: CachedEncoder | None) -> Section:
    """Known cases the article's claims and lead repeat. ``encoder``: for cross-lingual queries, when the
    knowledge base has vectors."""
    section = Section()
    section.fields |= {"narratives": [], "outlet": None}
    claims: list[Claim] = layer(doc.claims, "claims")[:MAX_CLAIMS]
    queries: list[tuple[Span, Claim | None]] = [(c.span, c) for c in claims]
    if doc.title.text.strip() or doc.body.text.strip():
        lead_end = min(len(doc.body.text), LEAD_CHARS)
        # The title and lead as one query; the span reported is the lead (the title is highlighted as a claim).
        queries.append((span_of(doc, "body", 0, lead_end), None))
    make = FindingMaker("narrative")
    seen: set[tuple[str, str | None]] = set()
    matches: list[NarrativeMatch] = []
    texts = [span.text if claim is not None else f"{doc.title.text}\n{span.text}" for span, claim in queries]
    # With a vector index, the title + lead of an article not in English is also embedded (see dense_query),
    # which makes that query cross-lingual. English articles stay lexical: against English entries, word overlap
    # scored as well (recall@1 0.987 vs 0.982 hybrid) for less (67 ms vs 107-129 ms an article over 100,000
    # entries, bench_kb.py). Claims stay lexical: each would add an encoder call (20-40 ms).
    hybrid = encoder is not None and doc.language not in LEXICAL_LANGUAGES
    vectors: list = [None] * len(texts)
    claim_t, article_t = CLAIM_THRESHOLD, ARTICLE_THRESHOLD
    if hybrid and encoder is not None and queries and queries[-1][1] is None:
        vectors[-1] = encoder.embed([dense_query(texts[-1])])[0]
        article_t = HYBRID_ARTICLE_THRESHOLD
    for (span, claim), text, vec in zip(queries, texts, vectors, strict=True):
        for m in retrieve(kb, text, limit=2, query_vector=vec):
            if m.similarity < (claim_t if claim is not None else article_t):
                continue
            key = (m.entry.id, claim.id if claim else None)
            if key in seen:
                continue
            seen.add(key)
            e = m.entry
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
                    similarity=round(m.similarity, 4),
                    matched=span,
                    claim_id=claim.id if claim else None,
                )
            )
            if claim is not None and e.verdict.lower() in DEBUNKED:
                verdict, evidence = section.claim_verdicts.get(claim.id, ("refuted", []))
                section.claim_verdicts[claim.id] = (verdict, [*evidence, e.id])
            section.findings.append(
                make(
                    doc,
                    span.field,
                    span.start,
                    span.end,
                    "known narrative",
                    m.similarity,
                    f"Repeats a known claim ({e.verdict}, {e.date or 'undated'}): {e.claim[:200]}"
                    + (f" — Disproof: {e.explanation[:300]}" if e.explanation else ""),
                    entry_id=e.id,
                    url=e.url,
                )
            )
    matches.sort(key=lambda x: -x.similarity)
    section.fields["narratives"] = matches
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
    provides = ("report.narratives", "report.outlet", "report.claims.verdict")
    models = ("encoder",)

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
                    self._kb = SqliteKB(self.path)
                except KBError as exc:
                    return f"Known narratives were not checked: {exc}"
            return self._kb

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        kb = self.knowledge_base()
        if isinstance(kb, str):
            return Section(fields={"narratives": [], "outlet": None}, notes=[kb])
        encoder = (
            models.get("encoder") if kb.has_vectors() and doc.language not in LEXICAL_LANGUAGES else None
        )
        return analyze(doc, kb, encoder)

    def load(self, models: ModelRegistry, language: str = "en") -> None:
        kb = self.knowledge_base()
        if not isinstance(kb, str) and kb.has_vectors() and language not in LEXICAL_LANGUAGES:
            models.get("encoder")
