"""Shared-task prediction formats: the lines the organisers' scorers read."""

from __future__ import annotations

from collections.abc import Iterable


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
