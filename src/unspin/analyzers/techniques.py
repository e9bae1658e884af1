"""Persuasion techniques: character spans from the trained span model, named in both SemEval taxonomies."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from unspin import resources
from unspin.analyzers.base import FindingMaker, Section
from unspin.datasets.ptc import TECHNIQUES_2020
from unspin.model import TechniqueSpan, TextField
from unspin.models import artifact
from unspin.models.span_ensemble import SpanEnsemble, load_span_model
from unspin.models.span_model import SpanModel
from unspin.nlp.doc import Doc
from unspin.taxonomy import category_of, to_2023

SPAN_MODEL = "ptc-spans-ensemble-v2"  # MiniLM and e5 span models, averaged; decoding tuned out of fold
MIN_SCORE = 0.3  # calibrated span probability below which a span is not reported


@lru_cache(maxsize=1)
def span_model() -> SpanModel | SpanEnsemble:
    """The shipped span model, loaded once per process."""
    return load_span_model(artifact(SPAN_MODEL))


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, dict[str, Any]]:
    """PTC-2020 label -> its SemEval-2023 techniques, category and explanation."""
    explanations = {t["name"]: t["explanation"] for t in resources.load("techniques")["techniques"]}
    out: dict[str, dict[str, Any]] = {}
    for old in TECHNIQUES_2020:
        new = to_2023(old)
        out[old] = {
            "semeval2023": new,
            "category": category_of(new[0]),
            "explanation": " / ".join(explanations[n] for n in new),
        }
    return out


def analyze(doc: Doc) -> Section:
    """Technique spans over the title and body (run as one text, as the model was trained on whole articles)."""
    section = Section()
    if doc.language != "en":
        section.notes.append(
            f"The technique span model is trained on English (PTC); spans in '{doc.language}' are not predicted."
        )
        section.fields["techniques"] = []
        return section
    title, body = doc.article.title, doc.article.body
    prefix = f"{title}\n\n" if title else ""
    model = span_model()
    tax = taxonomy()
    make = FindingMaker("technique")
    spans: list[TechniqueSpan] = []
    for p in model.spans(prefix + body):
        if p.score < MIN_SCORE:
            continue
        field: TextField
        if p.start < len(prefix):
            field, start, end = "title", p.start, min(p.end, len(title))
        else:
            field, start, end = "body", p.start - len(prefix), p.end - len(prefix)
        if end <= start:
            continue
        order = p.technique_probs.argsort()[::-1]
        label = model.labels[int(order[0])]
        info = tax[label]
        alternatives = {model.labels[int(i)]: round(float(p.technique_probs[i]), 4) for i in order[:3]}
        text = doc.part(field).text[start:end]
        spans.append(
            TechniqueSpan(
                field=field,
                start=start,
                end=end,
                text=text,
                technique=label,
                semeval2023=list(info["semeval2023"]),  # type: ignore[arg-type]
                category=str(info["category"]),
                score=round(p.score, 4),
                technique_probability=round(float(p.technique_probs[order[0]]), 4),
                alternatives=alternatives,
            )
        )
        section.findings.append(
            make(
                doc,
                field,
                start,
                end,
                label.replace("_", " "),
                p.score,
                f"{info['category']}: {info['explanation']} (technique probability "
                f"{float(p.technique_probs[order[0]]):.2f})",
                category=str(info["category"]),
                technique_probability=round(float(p.technique_probs[order[0]]), 4),
            )
        )
    section.fields["techniques"] = spans
    return section
