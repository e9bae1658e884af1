"""Self-contained HTML report: the article with highlighted spans, a legend, and tables.

Jinja2 autoescaping is on, so article text can never become markup; the findings reach the page's script
as JSON with '<', '>' and '&' escaped, so '</script>' in an article cannot end the script element.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from unspin.model import Finding, Report
from unspin.taxonomy import display_name, display_names

if TYPE_CHECKING:
    from markupsafe import Markup

# kind -> (legend label, colour); styles per kind live in the template's CSS.
KINDS = {
    "headline": ("Headline not backed by the body", "#b91c1c"),
    "claim": ("Check-worthy claim", "#0ea5e9"),
    "narrative": ("Repeats a known (debunked) claim", "#7f1d1d"),
    "storyline": ("Carries a storyline (SemEval-2025 narrative)", "#c2410c"),
    "role": ("Cast as hero, villain or victim", "#0f766e"),
    "technique": ("Persuasion technique", "#8b5cf6"),
    "quote": ("Quotation", "#fde68a"),
    "speaker": ("Speaker", "#1d4ed8"),
    "source": ("Source (outlet, document)", "#047857"),
    "unattributed": ("Unattributed assertion", "#fca5a5"),
    "entity": ("Entity mention", "#93c5fd"),
    "spelling": ("Same name, several spellings", "#dc2626"),
    "naming": ("Place-name convention", "#a21caf"),
    "signal": ("Text signal", "#f97316"),
}


@dataclass
class Segment:
    text: str
    kinds: list[str]
    ids: list[str]
    tooltip: str


def segments(text: str, findings: list[Finding]) -> list[Segment]:
    """Cut text at every finding boundary; each piece knows which findings cover it."""
    cuts = sorted({0, len(text)} | {f.start for f in findings} | {f.end for f in findings})
    out = []
    for s, e in itertools.pairwise(cuts):
        covering = [f for f in findings if f.start <= s and e <= f.end and f.end > f.start]
        kinds = sorted({f.kind for f in covering}, key=list(KINDS).index)
        tip = "\n".join(f"{KINDS[f.kind][0]}: {f.explanation}" for f in covering)
        out.append(Segment(text[s:e], kinds, [f.id for f in covering], tip))
    return out


def paragraph_rows(report: Report) -> list[tuple[list[Segment], list[tuple[str, float]]]]:
    """The body paragraph by paragraph, each with its paragraph-level technique labels (for the margin)."""
    body_findings = [f for f in report.findings if f.field == "body" and f.kind in KINDS]
    paras = [p for p in report.paragraphs if p.field == "body"]
    if not paras:
        return [(segments(report.body, body_findings), [])]
    rows = []
    for p in paras:
        clipped = [
            f.model_copy(
                update={"start": max(f.start, p.start) - p.start, "end": min(f.end, p.end) - p.start}
            )
            for f in body_findings
            if f.start < p.end and f.end > p.start
        ]
        labels = [(display_name(t.label), t.probability) for t in p.techniques]
        rows.append((segments(report.body[p.start : p.end], clipped), labels))
    return rows


def _safe_json(data: object) -> Markup:
    from markupsafe import Markup

    raw = json.dumps(data, ensure_ascii=False)
    raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(raw)


@lru_cache(maxsize=1)
def _env() -> Any:
    # jinja2 is imported on the first HTML report, not by every command that imports the renderers.
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("unspin.render", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["display_name"] = display_name
    env.filters["display_names"] = display_names
    return env


def render_html(report: Report) -> str:
    """The Report as one HTML page that needs no network."""
    by_field = {
        name: segments(
            report.title if name == "title" else report.body,
            [f for f in report.findings if f.field == name and f.kind in KINDS],
        )
        for name in ("title", "body")
    }
    counts = Counter(f.kind for f in report.findings)
    legend = [(k, label, colour, counts[k]) for k, (label, colour) in KINDS.items() if counts[k]]
    signal_counts = Counter(f.label for f in report.findings if f.kind == "signal").most_common()
    categories: dict[str, Counter[str]] = {}
    for t in report.techniques:
        # The categories are SemEval-2023's, so the techniques listed under them are too.
        categories.setdefault(t.category, Counter())[display_names(t.semeval2023)] += 1
    data = {
        f.id: f.model_dump(mode="json", include={"kind", "label", "text", "score", "explanation"})
        for f in report.findings
    }
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            r=report,
            title_segments=by_field["title"],
            body_segments=by_field["body"],
            legend=legend,
            signal_counts=signal_counts,
            data_json=_safe_json(data),
            kinds=KINDS,
            body_rows=paragraph_rows(report),
            narratives_by_id={n.entry_id: n for n in report.narratives},
            technique_categories=sorted(categories.items(), key=lambda kv: -sum(kv[1].values())),
        )
    )
