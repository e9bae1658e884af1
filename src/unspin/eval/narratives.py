"""Narrative matching on EUvsDisinfo: can a case's title find its own summary among all cases?

Queries are the case titles; the store holds only the summaries (titles and disproofs left out, or the
title would find itself). Recall@1, recall@5 and MRR over the ranks. The match threshold (on the re-ranker's
similarity) is chosen on PTC *train* articles with no Russia/Ukraine topic so that at most 5 % of them match
anything; the false-match rate is then measured on PTC *dev* articles of the same kind, and the recall at
that threshold on the cases.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.datasets.ptc import load_ptc
from unspin.kb.retrieval import retrieve
from unspin.kb.store import Entry, SqliteKB
from unspin.model import Report

TOPIC = re.compile(
    r"russia|ukrain|kremlin|putin|moscow|kiev|kyiv|crimea|donbas|nato|soviet|belarus|lukashenko|navalny|"
    r"skripal|novichok|syria|assad|georgia|moldova|baltic",
    re.IGNORECASE,
)
MAX_FALSE_MATCH = 0.05  # per article (title + lead query)
MAX_CLAIM_FALSE_MATCH = 0.01  # per sentence: an article sends up to 10 claims
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class NarrativeResult:
    cases: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    threshold: float
    recall_at_1_above_threshold: float
    negatives_dev: int
    false_match_rate_dev: float
    negatives_train: int
    false_match_rate_train: float
    claim_threshold: float
    claim_negatives_dev: int
    claim_false_match_rate_dev: float
    recall_at_1_above_claim_threshold: float


def load_cases(data: Path) -> list[tuple[str, str]]:
    """(title, summary) of each EUvsDisinfo case with both, first of any duplicate summary."""
    path = data / "euvsdisinfo" / "kalkun_cases_2015-2017_summary_disproof.csv.gz"
    csv.field_size_limit(1 << 30)
    rows = csv.DictReader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8")))
    seen: set[str] = set()
    out = []
    for r in rows:
        title, summary = (r["title"] or "").strip(), (r["summary"] or "").strip()
        if title and summary and summary not in seen:
            seen.add(summary)
            out.append((title, summary))
    return out


def article_query(text: str, lead_chars: int = 600) -> str:
    """Title and lead of a PTC article file (first line is the title)."""
    return text.strip()[:lead_chars]


def negatives(data: Path, split: str) -> list[str]:
    return [article_query(a.text) for a in load_ptc(data, split) if not TOPIC.search(a.text)]


def negative_sentences(data: Path, split: str, limit: int = 1500) -> list[str]:
    """Sentences of 60+ characters from PTC articles without the topic (stand-ins for claims)."""
    out = []
    for a in load_ptc(data, split):
        if not TOPIC.search(a.text):
            out += [s.strip() for s in _SENTENCE.split(a.text) if len(s.strip()) >= 60]
    return out[:limit]


def _threshold(scores: list[float], rate: float) -> float:
    """The lowest threshold (step 0.01) at which at most ``rate`` of the negatives match."""
    return next(t / 100 for t in range(0, 101) if sum(s >= t / 100 for s in scores) <= rate * len(scores))


def _vectors(texts: list[str], on: bool) -> list[np.ndarray | None]:
    """Embeddings of what `unspin analyze` embeds for an article query (see dense_query), or None each."""
    if not on:
        return [None] * len(texts)
    from unspin.analyzers.narratives import dense_query
    from unspin.models.registry import ModelRegistry

    return list(ModelRegistry().get("encoder").embed([dense_query(t) for t in texts]))


def _top_similarities(kb: SqliteKB, texts: list[str], embeddings: bool) -> list[float]:
    """Best match of each article query (with embeddings, its dense_query embedded, as in analyze)."""
    out = []
    for text, vec in zip(texts, _vectors(texts, embeddings), strict=True):
        m = retrieve(kb, text, limit=1, query_vector=vec)
        out.append(m[0].similarity if m else 0.0)
    return out


def evaluate_narratives(data: Path, embeddings: bool = False) -> NarrativeResult:
    """``embeddings``: hybrid retrieval (BM25 + multilingual-e5 vectors) instead of BM25 alone."""
    cases = load_cases(data)
    kb = SqliteKB(":memory:")
    kb.upsert(Entry(id=str(i), claim=summary) for i, (_, summary) in enumerate(cases))
    if embeddings:
        from unspin.kb.embeddings import embed_missing
        from unspin.models.registry import ModelRegistry

        embed_missing(kb, ModelRegistry().get("encoder"))
    ranks: list[int | None] = []
    top1: list[tuple[bool, float]] = []
    title_vectors = _vectors([t for t, _ in cases], embeddings)
    for i, (title, _) in enumerate(cases):
        matches = retrieve(kb, title, limit=5, query_vector=title_vectors[i])
        ids = [m.entry.id for m in matches]
        ranks.append(ids.index(str(i)) + 1 if str(i) in ids else None)
        top1.append((bool(ids) and ids[0] == str(i), matches[0].similarity if matches else 0.0))
    train_neg = _top_similarities(kb, negatives(data, "train"), embeddings)
    dev_neg = _top_similarities(kb, negatives(data, "dev"), embeddings)
    threshold = _threshold(train_neg, MAX_FALSE_MATCH)
    # Claims are matched lexically in both modes (see analyzers/narratives.py).
    claim_train = _top_similarities(kb, negative_sentences(data, "train"), False)
    claim_threshold = _threshold(claim_train, MAX_CLAIM_FALSE_MATCH)
    claim_dev = _top_similarities(kb, negative_sentences(data, "dev"), False)
    n = len(cases)
    return NarrativeResult(
        cases=n,
        recall_at_1=sum(r == 1 for r in ranks) / n,
        recall_at_5=sum(r is not None for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
        threshold=threshold,
        recall_at_1_above_threshold=sum(ok and s >= threshold for ok, s in top1) / n,
        negatives_dev=len(dev_neg),
        false_match_rate_dev=sum(s >= threshold for s in dev_neg) / max(1, len(dev_neg)),
        negatives_train=len(train_neg),
        false_match_rate_train=sum(s >= threshold for s in train_neg) / max(1, len(train_neg)),
        claim_threshold=claim_threshold,
        claim_negatives_dev=len(claim_dev),
        claim_false_match_rate_dev=sum(s >= claim_threshold for s in claim_dev) / max(1, len(claim_dev)),
        recall_at_1_above_claim_threshold=sum(ok and s >= claim_threshold for ok, s in top1) / n,
    )


# --- Article-level narratives on labelled propaganda texts and on mainstream news (`--articles`) -----------

NARRATIVE_ANNOTATIONS = Path("data/annotations/narratives.jsonl")
ARTICLE_ANALYZERS = ["entities", "quotes", "unattributed", "claims", "narratives"]


@dataclass
class ArticleNarrativeResult:
    texts: int  # labelled propaganda texts evaluated
    texts_with_cases: int  # of which repeat at least one labelled case
    recall_at_5: float  # gold cases among the first five shown, over all gold cases
    precision: float  # shown cases that are gold (an unlabelled shown case counts as wrong)
    shown: int
    mainstream_articles: int
    mainstream_with_narrative: float  # share of mainstream articles that list any known narrative
    mainstream_claims: int
    mainstream_refuted_claims: float  # share of their claims that get a verdict
    wrong_shown: list[tuple[str, str]]  # (text id, case id) shown but not labelled same-claim, for review


def shown_cases(report: Report) -> list[str]:
    """The report's known narratives, case ids in the order shown, each once."""
    return list(dict.fromkeys(n.entry_id for n in report.narratives))


def evaluate_article_narratives(
    data: Path,
    kb_path: Path,
    split: str | None = "test",
    mainstream: int | None = None,
    annotations: Path = NARRATIVE_ANNOTATIONS,
) -> ArticleNarrativeResult:
    """Run claims + narratives over the labelled propaganda texts (``split``, or all) and PolNeAR test articles."""
    import json

    from unspin.eval.claim_sources import polnear_texts, ruwar_fakes
    from unspin.model import Article
    from unspin.pipeline import analyze_article

    rows = [json.loads(x) for x in annotations.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if split is None or r["split"] == split]
    fakes = ruwar_fakes(data)
    gold_total = found = shown_total = right = 0
    wrong: list[tuple[str, str]] = []
    for r in rows:
        article = Article(id=f"ruwar-{r['text_id']}", body=fakes[int(r["text_id"])])
        shown = shown_cases(analyze_article(article, kb=kb_path, only=ARTICLE_ANALYZERS, language="en"))
        gold = set(r["case_ids"])
        gold_total += len(gold)
        found += len(gold & set(shown[:5]))
        shown_total += len(shown)
        right += sum(c in gold for c in shown)
        wrong += [(r["text_id"], c) for c in shown if c not in gold]
    news = sorted(k for k in polnear_texts(data) if k.startswith("test/"))[:mainstream]
    with_narrative = claims = refuted = 0
    for key in news:
        text = polnear_texts(data)[key]
        title, _, body = text.strip().partition("\n")
        report = analyze_article(
            Article(id=key, title=title.strip(), body=body.strip() or title),
            kb=kb_path,
            only=ARTICLE_ANALYZERS,
        )
        with_narrative += bool(report.narratives)
        claims += len(report.claims)
        refuted += sum(c.verdict is not None for c in report.claims)
    return ArticleNarrativeResult(
        texts=len(rows),
        texts_with_cases=sum(bool(r["case_ids"]) for r in rows),
        recall_at_5=found / max(1, gold_total),
        precision=right / max(1, shown_total),
        shown=shown_total,
        mainstream_articles=len(news),
        mainstream_with_narrative=with_narrative / max(1, len(news)),
        mainstream_claims=claims,
        mainstream_refuted_claims=refuted / max(1, claims),
        wrong_shown=wrong,
    )
