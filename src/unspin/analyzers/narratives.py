"""Known narratives: does the article repeat a claim the knowledge base has already debunked?

Queries are the article's check-worthy claims (up to MAX_CLAIMS, best first) and its title with the lead.
Candidates come from BM25 and are re-ranked by a bounded similarity; a match needs ARTICLE_THRESHOLD or
CLAIM_THRESHOLD, both set by `unspin eval narratives` on articles that repeat no case. A claim that
matches a debunked entry inherits "refuted" with the entry as evidence.
"""

from __future__ import annotations

from pathlib import Path

from unspin.analyzers.base import FindingMaker, Section, span_of
from unspin.kb.retrieval import retrieve
from unspin.kb.store import KBError, SqliteKB, default_path
from unspin.model import Claim, NarrativeMatch, OutletInfo, OutletLabelInfo, Span
from unspin.nlp.doc import Doc

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
_open: dict[Path, SqliteKB] = {}


def dense_query(text: str) -> str:
    """What gets embedded of an article query (title + lead): its first DENSE_CHARS characters.

    A headline alone (~25 ms to embed) was too little: the Russian translation of a demo case scored a cosine
    of 0.83 against its English entry from the headline, 0.87 from 300 characters (the nearest wrong entry 0.80).
    """
    return text.strip()[:DENSE_CHARS]


def knowledge_base(path: Path) -> SqliteKB:
    """Opened once per process and path, read-only: an analysis never writes to the store, never waits for an
    import's write lock, and never creates a file."""
    if path not in _open:
        _open[path] = SqliteKB(path, read_only=True)
    return _open[path]


def analyze(doc: Doc) -> Section:
    section = Section()
    section.fields |= {"narratives": [], "outlet": None}
    path = Path(doc.cache.get("kb_path") or default_path())
    if not path.exists():
        section.notes.append(
            f"No knowledge base at {path}: known narratives were not checked (`unspin kb import FILE --format …`)."
        )
        return section
    try:
        kb = knowledge_base(path)
    except KBError as exc:
        section.notes.append(f"Known narratives were not checked: {exc}")
        return section
    claims: list[Claim] = doc.cache.get("claims", [])[:MAX_CLAIMS]
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
    hybrid = kb.has_vectors() and doc.language not in LEXICAL_LANGUAGES
    vectors: list = [None] * len(texts)
    claim_t, article_t = CLAIM_THRESHOLD, ARTICLE_THRESHOLD
    if hybrid and queries and queries[-1][1] is None:
        from unspin.kb.embeddings import embed_texts

        vectors[-1] = embed_texts([dense_query(texts[-1])])[0]
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
                claim.verdict = "refuted"
                claim.evidence.append(e.id)
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
