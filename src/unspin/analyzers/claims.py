"""Check-worthy claims: every sentence scored, and each one above the threshold made a Claim.

A Claim says who asserts it (the quoted speaker, else the author or outlet), how it is sourced (quoted,
attributed, an unnamed source, or nothing at all), which entities, times and quantities it involves and
what kind of statement it is. The score comes from the trained model; the rest reads the quotes,
unattributed and entities analysers' results from the Doc cache, so those must run first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from unspin.analyzers.base import Analyzer, FindingMaker, Section, span_of
from unspin.analyzers.intervals import Intervals
from unspin.model import Assertion, Claim, Claimant, ClaimType, Quote, SentenceScore, Span
from unspin.models.checkworthiness import CheckworthinessModel
from unspin.models.checkworthiness_worker import score_elsewhere
from unspin.models.registry import ModelRegistry
from unspin.nlp.doc import Doc, Part, Sentence, layer

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_RU_MONTHS = r"(?:январ|феврал|марта?|апрел|ма[йя]|июн|июл|августа?|сентябр|октябр|ноябр|декабр)\w*"
TIME = re.compile(
    rf"\b(?:\d{{1,2}}\s+{_MONTHS}(?:\s+\d{{4}})?|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|{_MONTHS}\s+\d{{4}}|\d{{1,2}}\s+{_RU_MONTHS}(?:\s+\d{{4}}\s*(?:г\.|года)?)?"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}|(?:19|20)\d\d(?:s|-е)?"
    r"|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|yesterday|today|tomorrow|tonight"
    r"|(?:last|next|this|earlier this|later this)\s+(?:week|month|year|spring|summer|autumn|fall|winter)"
    r"|(?:\d+|a few|several|two|three)\s+(?:days|weeks|months|years)\s+ago"
    r"|вчера|сегодня|завтра|(?:на\s+)?(?:прошлой|этой|следующей)\s+неделе|в\s+(?:прошлом|этом|следующем)\s+году)\b",
    re.IGNORECASE,
)
QUANTITY = re.compile(
    r"(?:[$€£₽]\s?)?\b\d[\d,.\s]*\d?\b(?:\s?(?:%|per\s?cent|percent|million|billion|trillion|thousand|"
    r"hundred|km|kilometres|kilometers|miles|tonnes|tons|dollars|euros|roubles|rubles|hryvnias|troops|"
    r"soldiers|people|civilians|tanks|млн|млрд|тыс\.?|тысяч\w*|миллион\w*|процент\w*|человек))?"
    r"|\b(?:hundreds|thousands|millions|billions|dozens|tens of thousands)\s+of\b"
    r"|\b(?:сотни|тысячи|миллионы|десятки)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = re.compile(
    r"%|percent|per cent|million|billion|trillion|thousand|[$€£₽]|млн|млрд|тыс|процент"
)
PREDICTION = re.compile(
    r"\b(?:will|won't|shall|is going to|are going to|plans? to|intends? to|threaten\w*|warn\w*|"
    r"expected to|poised to|about to|could soon|may soon|будет|будут|станет|намерен\w*|планиру\w*|"
    r"угрож\w*|предупред\w*|может привести)\b",
    re.IGNORECASE,
)
ATTRIBUTION = re.compile(
    r"\b(?:said|says|say|told|according to|stated|claimed|claims|announced|reported|wrote|tweeted|"
    r"insisted|argued|noted|added|confirmed|denied|заявил\w*|сказал\w*|сообщил\w*|по словам|по данным|"
    r"отметил\w*|подчеркнул\w*)\b",
    re.IGNORECASE,
)


def _spans(pattern: re.Pattern[str], doc: Doc, part: Part, sent: Sentence) -> list[Span]:
    out: list[Span] = []
    for m in pattern.finditer(part.text, sent.start, sent.end):
        start, end = m.start(), m.end()
        while end > start and part.text[end - 1] in " ,.":  # '1,500 ' -> '1,500'
            end -= 1
        if end > start:
            out.append(span_of(doc, part.field, start, end))
    return out


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _quote_of(
    quotes: list[Quote], part: Part, sent: Sentence, index: dict[str, Intervals] | None = None
) -> Quote | None:
    """The quote that covers most of the sentence (at least a third of it), if any. ``index``: the quotes'
    spans per field (`_quote_index`), so that only the quotes near the sentence are looked at."""
    best, best_len = None, 0
    near = (
        quotes if index is None else [quotes[i] for i in index[part.field].overlapping(sent.start, sent.end)]
    )
    for q in near:
        if q.span.field != part.field:
            continue
        n = _overlap(sent.start, sent.end, q.span.start, q.span.end)
        if n > best_len:
            best, best_len = q, n
    return best if best is not None and best_len * 3 >= sent.end - sent.start else None


def _claim_type(attribution: str, text: str, quantities: list[Span], times: list[Span]) -> ClaimType:
    if attribution == "unnamed source":
        return "unnamed source"
    if attribution == "quoted":
        return "quote"
    if PREDICTION.search(text):
        return "prediction"
    time_spans = {(t.start, t.end) for t in times}
    if any(
        (q.start, q.end) not in time_spans and (_NUMBER_WORDS.search(q.text.lower()) or not q.text.isdigit())
        for q in quantities
    ):
        return "statistic"
    return "event"


def _sourcing(
    doc: Doc, sent: Sentence, quote: Quote | None, anonymous: Assertion | None
) -> tuple[str, Claimant]:
    """(attribution, claimant) of a sentence: an unnamed source, a quoted speaker, or the article itself."""
    if anonymous is not None:
        return "unnamed source", Claimant(
            name=anonymous.trigger.text, kind="unnamed source", span=anonymous.trigger
        )
    if quote is not None and quote.speaker is not None:
        sp = quote.speaker
        return "quoted", Claimant(name=sp.name, kind="speaker", entity_id=sp.entity_id, span=sp.span)
    attribution = "attributed" if (quote is not None or ATTRIBUTION.search(sent.text)) else "none"
    meta = doc.article
    if meta.author:
        return attribution, Claimant(name=meta.author, kind="author")
    if meta.outlet:
        return attribution, Claimant(name=meta.outlet, kind="outlet")
    return attribution, Claimant(name="the article", kind="article")


def _claim(
    doc: Doc,
    part: Part,
    sent: Sentence,
    score: float,
    cid: str,
    quote: Quote | None,
    anonymous: Assertion | None,
    entities: list[str],
) -> Claim:
    """A check-worthy sentence as a Claim: who makes it, how it is sourced, its type, times and quantities."""
    attribution, claimant = _sourcing(doc, sent, quote, anonymous)
    times = _spans(TIME, doc, part, sent)
    quantities = [
        q for q in _spans(QUANTITY, doc, part, sent) if not any(t.start <= q.start < t.end for t in times)
    ]
    ctype = _claim_type(attribution, sent.text, quantities, times)
    unsourced = attribution in ("unnamed source", "none")
    how = {
        "quoted": f"quoted from {claimant.name}",
        "attributed": "attributed in the sentence",
        "unnamed source": f"on an unnamed source ('{claimant.name}')",
        "none": f"asserted by {claimant.name} with no source",
    }[attribution]
    return Claim(
        id=cid,
        span=span_of(doc, part.field, sent.start, sent.end),
        score=score,
        type=ctype,
        claimant=claimant,
        attribution=attribution,  # type: ignore[arg-type]
        unattributed=unsourced,
        quote_id=quote.id if quote is not None else None,
        entities=entities,
        times=times,
        quantities=quantities,
        explanation=f"Check-worthiness {score:.2f} ({ctype}); {how}."
        + (" Unattributed: check this first." if unsourced else ""),
    )


def analyze(doc: Doc, model: CheckworthinessModel) -> Section:
    """Every sentence's check-worthiness; those above the model's threshold become claims, best first."""
    section = Section()
    if doc.language != "en":
        section.notes.append(
            f"The check-worthiness model is trained on English debates and tweets; '{doc.language}' "
            "sentences are not scored."
        )
        section.fields |= {"checkworthiness": [], "claims": []}
        doc.claims = []
        return section
    sentences = [(part, s) for part in doc.parts for s in part.sentences]
    if "claims" in doc.started:
        scores = doc.started["claims"]
    else:
        scores = model.predict_proba([s.text for _, s in sentences]) if sentences else np.zeros(0)
    quotes: list[Quote] = layer(doc.quotes, "quotes")
    # Spans by field, looked up by position (a scan per sentence was quadratic in article length).
    quote_index = {
        f: Intervals([(q.span.start, q.span.end) if q.span.field == f else (-1, -1) for q in quotes])
        for f in ("title", "body")
    }
    unattributed = {(a.span.field, a.span.start): a for a in layer(doc.unattributed, "unattributed")}
    mentions = layer(doc.entity_mentions, "entity_mentions")
    mention_index = {
        f: Intervals([(m.start, m.end) if m.field == f else (-1, -1) for m in mentions])
        for f in ("title", "body")
    }
    make = FindingMaker("claim")
    scored: list[SentenceScore] = []
    claims: list[Claim] = []
    for (part, sent), raw in zip(sentences, scores, strict=True):
        score = round(float(raw), 4)
        scored.append(
            SentenceScore(index=sent.index, field=part.field, start=sent.start, end=sent.end, score=score)
        )
        if score < model.threshold:
            continue
        anonymous = unattributed.get((part.field, sent.start))
        entities = sorted(
            {mentions[i].entity_id for i in mention_index[part.field].within(sent.start, sent.end)}
        )
        quote = _quote_of(quotes, part, sent, quote_index)
        claim = _claim(doc, part, sent, score, f"C{len(claims) + 1}", quote, anonymous, entities)
        claims.append(claim)
        section.findings.append(
            make(
                doc,
                part.field,
                sent.start,
                sent.end,
                f"check-worthy {claim.type}",
                score,
                claim.explanation,
                claim_id=claim.id,
                claimant=claim.claimant.name,
                unattributed=claim.unattributed,
            )
        )
    claims.sort(key=lambda c: -c.score)
    doc.claims = claims  # narratives match them against the knowledge base
    section.fields |= {"checkworthiness": scored, "claims": claims}
    return section


# From this many sentences (about 60,000 words) the check-worthiness scores come from a worker process: its start
# (about 1 s) is repaid by the seconds of scoring it takes off the main process.
SCORE_ELSEWHERE_SENTENCES = 4_000


class ClaimsAnalyzer(Analyzer):
    name = "claims"
    requires = ("doc.quotes", "doc.unattributed", "doc.entity_mentions")
    provides = ("doc.claims", "report.claims", "report.checkworthiness")
    models = ("checkworthiness",)

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        return analyze(doc, models.get("checkworthiness"))

    def start_after_parse(self, doc: Doc, models: ModelRegistry) -> Callable[[], Any] | None:
        """Every sentence's score depends on the parse alone: for a very long article a worker process scores
        them while the entities and quotes are found (the scoring holds the GIL, so a thread would not help)."""
        if doc.language != "en" or sum(len(p.sentences) for p in doc.parts) < SCORE_ELSEWHERE_SENTENCES:
            return None
        texts = [s.text for part in doc.parts for s in part.sentences]
        folder = models.folder("checkworthiness")

        def scores() -> np.ndarray:
            found = score_elsewhere(folder, texts)
            return found if found is not None else models.get("checkworthiness").predict_proba(texts)

        return scores

    def load(self, models: ModelRegistry, language: str = "en") -> None:
        if language == "en":
            models.get("checkworthiness")
