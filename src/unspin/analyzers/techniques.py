"""Persuasion techniques: character spans from the trained span model, named in both SemEval taxonomies.

English text goes through the PTC span model, which marks words. Other languages go through the sentence heads
(SemEval-2023 spans of French, German, Italian, Polish and Russian), which mark whole sentences; a language
outside those five is read zero-shot through the multilingual encoder, and the section says so.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from unspin import resources
from unspin.analyzers.base import Analyzer, FindingMaker, Section
from unspin.datasets.ptc import TECHNIQUES_2020
from unspin.model import Article, TechniqueSpan, TextField
from unspin.models.registry import ModelRegistry
from unspin.models.sentence_spans import MAX_SENTENCES, SentenceSpanModel
from unspin.models.span_ensemble import SpanEnsemble
from unspin.models.span_model import SpanModel, SpanPrediction
from unspin.nlp.doc import Doc
from unspin.taxonomy import category_of, display_name, to_2020, to_2023

MIN_SCORE = 0.3  # calibrated span probability below which a span is not reported
# The span model's cost grows with the text: a longer English text is read up to here (about 10,000 words), cut
# at a paragraph end, as the sentence heads stop at MAX_SENTENCES.
MAX_SPAN_CHARS = 60_000


@lru_cache(maxsize=1)
def explanations() -> dict[str, str]:
    """SemEval-2023 technique -> its one-line explanation."""
    return {t["name"]: t["explanation"] for t in resources.load("techniques")["techniques"]}


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, dict[str, Any]]:
    """PTC-2020 label -> its SemEval-2023 techniques, category and explanation."""
    out: dict[str, dict[str, Any]] = {}
    for old in TECHNIQUES_2020:
        new = to_2023(old)
        out[old] = {
            "semeval2023": new,
            "category": category_of(new[0]),
            "explanation": " / ".join(explanations()[n] for n in new),
        }
    return out


def analyze(doc: Doc, models: ModelRegistry) -> Section:
    """Technique spans over the title and body (run as one text, as the model was trained on whole articles)."""
    if doc.language != "en":
        return _sentence_spans(doc, models.get("sentence_spans"))
    section = Section()
    section.fields["techniques"] = []
    prefix, text = span_input(doc.article)
    model: SpanModel | SpanEnsemble = models.get("span_tagger")
    tax = taxonomy()
    make = FindingMaker("technique")
    whole = prefix + doc.article.body
    if len(text) < len(whole):
        section.notes.append(
            f"Technique spans were looked for in the first {len(text.split()):,} of "
            f"{len(whole.split()):,} words (the span model's cost grows with the text)."
        )
    predictions = doc.started["techniques"] if "techniques" in doc.started else model.spans(text)
    for p in predictions:
        where = _located(doc, prefix, p.start, p.end) if p.score >= MIN_SCORE else None
        if where is None:
            continue
        field, start, end = where
        order = p.technique_probs.argsort()[::-1]
        label = model.labels[int(order[0])]
        info = tax[label]
        alternatives = {model.labels[int(i)]: round(float(p.technique_probs[i]), 4) for i in order[:3]}
        span = TechniqueSpan(
            field=field,
            start=start,
            end=end,
            text=doc.part(field).text[start:end],
            technique=label,
            semeval2023=list(info["semeval2023"]),  # type: ignore[arg-type]
            category=str(info["category"]),
            score=round(p.score, 4),
            technique_probability=round(float(p.technique_probs[order[0]]), 4),
            alternatives=alternatives,
        )
        explanation = f"{info['explanation']} (technique probability {span.technique_probability:.2f})"
        _add(section, make, doc, span, label, p.score, explanation)
    return section


def span_input(article: Article) -> tuple[str, str]:
    """(prefix, text): the English span model reads the title and the body as one text, the title first
    (``prefix``), up to MAX_SPAN_CHARS (cut at a line end)."""
    prefix = f"{article.title}\n\n" if article.title else ""
    text = prefix + article.body
    if len(text) > MAX_SPAN_CHARS:
        cut = text.rfind("\n", 0, MAX_SPAN_CHARS)
        text = text[: cut if cut > len(prefix) else MAX_SPAN_CHARS]
    return prefix, text


def _add(
    section: Section,
    make: FindingMaker,
    doc: Doc,
    span: TechniqueSpan,
    name: str,
    score: float,
    explanation: str,
) -> None:
    """A span in the section's technique list, and as a finding highlighted in the text."""
    section.fields["techniques"].append(span)
    section.findings.append(
        make(
            doc,
            span.field,
            span.start,
            span.end,
            display_name(name),
            score,
            f"{span.category}: {explanation}",
            category=span.category,
            technique_probability=span.technique_probability,
        )
    )


def _located(doc: Doc, prefix: str, start: int, end: int) -> tuple[TextField, int, int] | None:
    """A span of ``prefix + body`` as (field, start, end) in the title or the body; None if it is empty."""
    field: TextField
    if start < len(prefix):
        field, start, end = "title", start, min(end, len(doc.article.title))
    else:
        field, start, end = "body", start - len(prefix), end - len(prefix)
    return (field, start, end) if end > start else None


def _sentence_spans(doc: Doc, model: SentenceSpanModel) -> Section:
    """Whole sentences that use a technique, for text the English span model cannot read."""
    section = Section()
    if doc.language not in model.languages:
        section.notes.append(
            f"Technique sentences in '{doc.language}' are zero-shot: the sentence heads were trained on "
            f"{', '.join(model.languages)} through a multilingual encoder."
        )
    section.notes.append(
        "Outside English, techniques are marked per sentence (SemEval-2023 sentence heads), not per word."
    )
    section.fields["techniques"] = []
    make = FindingMaker("technique")
    sentences = [*doc.title.sentences, *doc.body.sentences][:MAX_SENTENCES]
    p_any, shares = model.predict_proba([s.text for s in sentences])
    for sentence, score, share in zip(sentences, p_any, shares, strict=True):
        if score < model.threshold:
            continue
        field: TextField = "title" if sentence.index < len(doc.title.sentences) else "body"
        order = share.argsort()[::-1]
        technique = model.techniques[int(order[0])]
        span = TechniqueSpan(
            field=field,
            start=sentence.start,
            end=sentence.end,
            text=sentence.text,
            technique=to_2020(technique) or technique,
            semeval2023=[technique],
            category=category_of(technique),
            score=round(float(score), 4),
            technique_probability=round(float(share[order[0]]), 4),
            alternatives={model.techniques[int(i)]: round(float(share[i]), 4) for i in order[:3]},
            unit="sentence",
        )
        note = f"sentence; technique share {span.technique_probability:.2f}"
        _add(
            section,
            make,
            doc,
            span,
            technique,
            float(score),
            f"{explanations().get(technique, technique)} ({note})",
        )
    return section


class TechniquesAnalyzer(Analyzer):
    name = "techniques"
    provides = ("report.techniques",)
    models = ("span_tagger", "sentence_spans")

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        return analyze(doc, models)

    def start(
        self, article: Article, language: str, models: ModelRegistry, cores: int = 0
    ) -> Callable[[], Any] | None:
        """The English span model reads the raw text (its own tokenizer), so it runs beside spaCy's parse; on
        the first article it also loads there (onnxruntime's session creation releases the GIL too)."""
        if language != "en":
            return None
        text = span_input(article)[1]

        def spans() -> list[SpanPrediction]:
            model: SpanModel | SpanEnsemble = models.get("span_tagger")
            return model.spans(text, cores)

        return spans

    def load(self, models: ModelRegistry, language: str = "en") -> None:
        models.get("span_tagger" if language == "en" else "sentence_spans")
