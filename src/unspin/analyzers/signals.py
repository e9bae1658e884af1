"""Text signals: cheap, explainable per-sentence cues (hedges, intensifiers, emotional punctuation...).

They are features for later models as much as findings: every sentence gets a count per signal.
"""

from __future__ import annotations

import re

from unspin.analyzers.base import Analyzer, FindingMaker, Section
from unspin.analyzers.intervals import Intervals
from unspin.model import SentenceSignals
from unspin.models.registry import ModelRegistry
from unspin.nlp.doc import Doc, Sentence, layer
from unspin.nlp.lexicon import lexicon

SIGNALS = (
    "hedge",
    "vague",
    "intensifier",
    "emotional_punctuation",
    "all_caps",
    "rhetorical_question",
    "future_threat",
    "scare_quotes",
)
EXPLAIN = {
    "hedge": "Hedge: softens the claim so it cannot be pinned down.",
    "vague": "Vague quantifier or reference: who, how many?",
    "intensifier": "Intensifier: raises emotional pitch without adding information.",
    "emotional_punctuation": "Emotional punctuation.",
    "all_caps": "Words in capitals read as shouting.",
    "rhetorical_question": "Question put to the reader rather than answered: steers the conclusion.",
    "future_threat": "Threat or fear about what might happen, stated as possibility.",
    "scare_quotes": "Scare quotes: a word set in quotes to cast doubt on it.",
}
_EMO_PUNCT = re.compile(r"!{2,}|\?!|!\?|\?{2,}|!")
_C = "A-ZА-ЯЁІЇЄҐ"
_CAPS = re.compile(rf"(?<![\w])(?:[{_C}]{{2,}}\s+)*[{_C}]{{4,}}(?:\s+[{_C}]{{2,}})*(?![\w])")


def _question_score(sent: Sentence, text: str, lex_start: re.Pattern[str] | None) -> float:
    if not sent.text.rstrip().endswith("?"):
        return 0.0
    return 0.75 if lex_start and lex_start.search(sent.text) else 0.5


def analyze(doc: Doc) -> Section:
    """Signal findings and per-sentence counts."""
    section = Section()
    lex = lexicon(doc.language)
    if lex is None:
        section.notes.append(
            f"Lexical signals (hedges, intensifiers, threats) exist for English and Russian; "
            f"only punctuation and capitals are checked for '{doc.language}'."
        )
    quoted = layer(doc.quote_ranges, "quote_ranges")
    entity_spans = {(f, s, e) for f, s, e, _ in layer(doc.entity_mentions, "entity_mentions")}
    # Spans by field, looked up by position (a scan per sentence was quadratic in article length).
    entity_index = {
        f: Intervals([(s, e) if sf == f else (-1, -1) for sf, s, e in entity_spans])
        for f in ("title", "body")
    }
    quote_index = {
        f: Intervals([(s, e) if qf == f else (-1, -1) for qf, s, e in quoted]) for f in ("title", "body")
    }
    scare = layer(doc.scare_quotes, "scare_quotes")
    make = FindingMaker("signal")
    rows: list[SentenceSignals] = []
    for part in doc.parts:
        text = part.text
        for sent in part.sentences:
            hits: list[tuple[str, int, int, float]] = []
            if lex:
                for name, pat, score in (
                    ("hedge", lex.hedges, 0.5),
                    ("vague", lex.vague, 0.45),
                    ("intensifier", lex.intensifiers, 0.6),
                ):
                    hits += [
                        (name, m.start(), m.end(), score) for m in pat.finditer(text, sent.start, sent.end)
                    ]
                for w in lex.future_threat:
                    hits += [
                        ("future_threat", m.start(), m.end(), w.weight)
                        for m in w.pattern.finditer(text, sent.start, sent.end)
                    ]
            for m in _EMO_PUNCT.finditer(text, sent.start, sent.end):
                hits.append(("emotional_punctuation", m.start(), m.end(), 0.9 if len(m.group()) > 1 else 0.6))
            for m in _CAPS.finditer(text, sent.start, sent.end):
                inside_entity = bool(entity_index[part.field].containing(m.start(), m.end()))
                if not inside_entity and not m.group().isdigit():
                    hits.append(("all_caps", m.start(), m.end(), 0.7))
            in_quote = bool(quote_index[part.field].containing(sent.start, sent.start + 1))
            q = _question_score(sent, text, lex.rhetorical_starts if lex else None)
            if q and not in_quote and part.field == "body":
                hits.append(("rhetorical_question", sent.start, sent.end, q))
            hits += [
                ("scare_quotes", s, e, 0.6)
                for f, s, e in scare
                if f == part.field and sent.start <= s < sent.end
            ]
            # A modal inside a threat construction ('could lead to') is the threat, not a hedge.
            threats = [(s, e) for n, s, e, _ in hits if n == "future_threat"]
            hits = [h for h in hits if h[0] != "hedge" or not any(s <= h[1] < e for s, e in threats)]
            counts = dict.fromkeys(SIGNALS, 0)
            for name, s, e, score in sorted(hits, key=lambda h: h[1]):
                counts[name] += 1
                section.findings.append(
                    make(doc, part.field, s, e, name, score, EXPLAIN[name], sentence=sent.index)
                )
            rows.append(
                SentenceSignals(
                    index=sent.index, field=part.field, start=sent.start, end=sent.end, counts=counts
                )
            )
    section.fields["sentences"] = rows
    return section


class SignalsAnalyzer(Analyzer):
    name = "signals"
    requires = ("doc.quote_ranges", "doc.entity_mentions", "doc.scare_quotes")
    provides = ("report.sentences",)

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        return analyze(doc)
