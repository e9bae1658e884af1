"""Shared-task prediction formats: the lines the organisers' scorers read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


def ptc_si_lines(article_id: str, spans: Iterable[tuple[int, int]]) -> list[str]:
    """SemEval-2020 SI: 'article_id<TAB>start<TAB>end', spans merged so none overlap (the scorer requires it)."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [f"{article_id}\t{s}\t{e}" for s, e in merged]


def ptc_tc_lines(rows: Iterable[tuple[str, str, int, int]]) -> list[str]:
    """SemEval-2020 TC: 'article_id<TAB>technique<TAB>start<TAB>end', in template order."""
    return [f"{a}\t{t}\t{s}\t{e}" for a, t, s, e in rows]


def read_tc_template(text: str) -> list[tuple[str, int, int]]:
    """Rows of a TC template ('article_id<TAB>?<TAB>start<TAB>end')."""
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 4:
            raise ValueError(f"template line {n}: expected 4 TAB-separated columns, got {len(cols)}")
        rows.append((cols[0], int(cols[2]), int(cols[3])))
    return rows


class TemplateLabeller(Protocol):
    def label_template(self, text: str, spans: list[tuple[int, int]]) -> list[str]: ...


def tc_template_lines(
    model: TemplateLabeller, texts: dict[str, str], rows: list[tuple[str, int, int]]
) -> list[str]:
    """The TC submission for a gold-span template: each row labelled, in template order. A fragment listed k
    times gets its k most probable techniques (every row of ``rows`` must name an article of ``texts``)."""
    by_article: dict[str, list[tuple[int, int]]] = {}
    for aid, s, e in rows:
        by_article.setdefault(aid, []).append((s, e))
    labels = {aid: model.label_template(texts[aid], spans) for aid, spans in by_article.items()}
    return ptc_tc_lines((aid, labels[aid].pop(0), s, e) for aid, s, e in rows)
