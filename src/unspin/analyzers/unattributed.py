"""Unattributed assertions: statements presented as fact on no named authority."""

from __future__ import annotations

from unspin.analyzers.base import Analyzer, FindingMaker, Section, span_of
from unspin.analyzers.intervals import Intervals
from unspin.model import Assertion
from unspin.models.registry import ModelRegistry
from unspin.nlp.doc import Doc, layer
from unspin.nlp.lexicon import lexicon


def analyze(doc: Doc) -> Section:
    """Sentences with an anonymous-source cue ('it is reported', 'sources say', 'сообщается')."""
    section = Section()
    lex = lexicon(doc.language)
    if lex is None:
        section.fields["unattributed"] = []
        doc.unattributed = []
        return section
    # A cue inside someone's quote is theirs, not the author's (ranges by field, looked up by position).
    quoted = layer(doc.quote_ranges, "quote_ranges")
    quoted_in = {
        f: Intervals([(s, e) if qf == f else (-1, -1) for qf, s, e in quoted]) for f in ("title", "body")
    }
    out: list[Assertion] = []
    make = FindingMaker("unattributed")
    for part in doc.parts:
        for sent in part.sentences:
            best = None
            for w in lex.unattributed:
                for m in w.pattern.finditer(part.text, sent.start, sent.end):
                    if not quoted_in[part.field].containing(m.start(), m.start() + 1) and (
                        best is None or w.weight > best[0].weight
                    ):
                        best = (w, m)
            if best is None:
                continue
            w, m = best
            aid = f"U{len(out) + 1}"
            out.append(
                Assertion(
                    id=aid,
                    span=span_of(doc, part.field, sent.start, sent.end),
                    trigger=span_of(doc, part.field, m.start(), m.end()),
                    pattern=w.source,
                    confidence=w.weight,
                    explanation=f"'{m.group(0)}' presents this statement on no named authority: "
                    "a claim to check first.",
                )
            )
            section.findings.append(
                make(
                    doc,
                    part.field,
                    sent.start,
                    sent.end,
                    "unattributed assertion",
                    w.weight,
                    f"Asserted without a named source (cue: '{m.group(0)}').",
                    assertion_id=aid,
                    trigger_start=m.start(),
                    trigger_end=m.end(),
                )
            )
    doc.unattributed = out  # claims mark these as sourced to no one
    section.fields["unattributed"] = out
    return section


class UnattributedAnalyzer(Analyzer):
    name = "unattributed"
    requires = ("doc.quote_ranges",)
    provides = ("doc.unattributed", "report.unattributed")

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        return analyze(doc)
