"""The comparison view: the article and its cited source side by side, each unit coloured by what happened to it.

Left, the article: each quote or sentence coloured by its kind (verbatim, trimmed, paraphrase, changed, not in
the source), the changed words marked. Right, the source: the passage each unit came from, with the words the
article cut struck through and the words it changed marked. Hovering a unit lights up its counterpart.
Autoescaped like the report, and as self-contained (no network).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from unspin.model import Comparison, Report
from unspin.render.html import _env

# kind -> (label, colour of its swatch)
UNIT_KINDS = {
    "verbatim": ("Word for word", "#bbf7d0"),
    "trimmed": ("Trimmed (words cut)", "#fef08a"),
    "paraphrase": ("Paraphrased faithfully", "#bfdbfe"),
    "changed": ("Changed", "#fecaca"),
    "not-in-source": ("Not in the source", "#e9d5ff"),
}


@dataclass
class Piece:
    text: str
    classes: str
    unit: str
    tip: str


def pieces(text: str, marks: list[tuple[int, int, str, str, str]]) -> list[Piece]:
    """``text`` cut at every mark boundary; marks are (start, end, css class, unit id, tooltip)."""
    cuts = sorted({0, len(text)} | {m[0] for m in marks} | {m[1] for m in marks})
    out = []
    for s, e in itertools.pairwise(cuts):
        over = [m for m in marks if m[0] <= s and e <= m[1] and m[1] > m[0]]
        out.append(
            Piece(
                text[s:e],
                " ".join(sorted({m[2] for m in over})),
                next((m[3] for m in over if m[3]), ""),
                "\n".join(dict.fromkeys(m[4] for m in over if m[4])),
            )
        )
    return out


def _marks(
    c: Comparison,
) -> tuple[list[tuple[int, int, str, str, str]], list[tuple[int, int, str, str, str]]]:
    article, source = [], []
    for u in c.units:
        tip = f"{u.id} · {UNIT_KINDS[u.kind][0]}: {u.explanation}"
        article.append((u.span.start, u.span.end, f"u u-{u.kind}", u.id, tip))
        if u.source is not None:
            source.append((u.source.start, u.source.end, f"u u-{u.kind}", u.id, tip))
        for ch in u.changes:
            if ch.article is not None:
                article.append((ch.article.start, ch.article.end, "chg", u.id, ch.explanation))
            if ch.source is not None:
                source.append((ch.source.start, ch.source.end, "chg", u.id, ch.explanation))
        for cut in u.cuts:
            source.append((cut.start, cut.end, "cut", u.id, "cut from the article's quote"))
    for o in c.omissions:
        source.append((o.span.start, o.span.end, "omitted", "", o.explanation))
    return article, source


def render_comparison_html(report: Report) -> str:
    """The comparison of ``report`` (from `unspin compare`) as one HTML page."""
    c = report.comparison
    if c is None:
        raise ValueError("the report has no comparison (made by `unspin compare`)")
    article_marks, source_marks = _marks(c)
    return (
        _env()
        .get_template("compare.html.j2")
        .render(
            r=report,
            c=c,
            kinds=UNIT_KINDS,
            article_pieces=pieces(report.body, article_marks),
            source_pieces=pieces(c.source_body, source_marks),
        )
    )
