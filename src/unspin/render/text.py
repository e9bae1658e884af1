"""Terminal summary of a Report (rich)."""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console
from rich.table import Table

from unspin.model import Report
from unspin.taxonomy import display_name, display_names


def _clip(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def print_summary(report: Report, console: Console) -> None:
    """Print the short summary: headline facts, claims and known cases, names, quotes, techniques, signals."""
    for part in (
        _header,
        _comparison,
        _claims_and_cases,
        _storylines,
        _names,
        _quotes,
        _techniques,
        _sourcing_and_notes,
    ):
        part(report, console)


def _comparison(report: Report, console: Console) -> None:
    """`unspin compare`: the headline against the source, then each unit that the article changed."""
    c = report.comparison
    if c is None:
        return
    console.print(f"  [bold]against the source[/bold]: {_clip(c.source_title or '(untitled source)', 80)}")
    console.print(f"    headline: {c.headline_verdict}")
    for h in c.headline:
        console.print(f"      {h.kind} '{h.span.text}': {h.status}")
    counts = ", ".join(f"{k} {v}" for k, v in c.counts.items())
    console.print(f"    units: {counts}")
    for u in c.units:
        if u.kind in ("changed", "not-in-source", "trimmed"):
            what = "; ".join(ch.explanation for ch in u.changes) or u.explanation
            console.print(f"    {u.id} {u.kind}: {_clip(u.span.text, 70)}", markup=False)
            console.print(f"       {_clip(what, 110)}", markup=False, style="dim")
    for o in c.omissions[:3]:
        console.print(f"    left out ({o.score:.2f}): {_clip(o.span.text, 90)}", markup=False)


def _header(report: Report, console: Console) -> None:
    """The title, the article facts, genre and frames, the headline check."""
    a = report.article
    console.print(f"[bold]{_clip(report.title or '(untitled)', 100)}[/bold]")
    meta = [f"language {report.language.code}", f"{a.word_count} words"]
    if a.outlet:
        meta.append(a.outlet)
    if a.url:
        meta.append(a.url)
    console.print("  " + " · ".join(meta), style="dim")
    counts = Counter(f.kind for f in report.findings)
    console.print("  findings: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none")
    if report.classification:
        c = report.classification
        frames = ", ".join(display_name(f.label) for f in c.frames) or "none"
        zero = " [zero-shot language]" if c.zero_shot else ""
        console.print(f"  genre: {c.genre.label} ({c.genre.probability:.0%}) · frames: {frames}{zero}")
    if report.headline:
        h = report.headline
        colour = {"supported": "green", "not checked": "yellow"}.get(h.verdict, "bold red")
        stance = f" (stance {h.stance})" if h.stance else ""
        console.print(f"  headline: [{colour}]{h.verdict}[/{colour}]{stance}")
        for el in h.elements:
            if el.status != "supported":
                console.print(f"    {el.kind} '{el.span.text}': {el.status}")


def _claims_and_cases(report: Report, console: Console) -> None:
    """The most check-worthy claims, the outlet record, known narratives and related cases."""
    for claim in report.claims[:5]:
        flag = " [red]unattributed[/red]" if claim.unattributed else ""
        refuted = " [bold red]refuted by a known case[/bold red]" if claim.verdict == "refuted" else ""
        console.print(
            f"  [cyan]claim {claim.score:.2f}[/cyan] {claim.type}, {claim.claimant.name}{flag}{refuted}: "
            f"{_clip(claim.span.text)}"
        )
    if report.outlet:
        o = report.outlet
        labels = ", ".join(f"{x.label} ({x.source})" for x in o.labels) or "no labels"
        console.print(f"  outlet {o.outlet}: {o.cases} known cases cite it; {labels}")
    for match in report.narratives[:5]:
        score = match.verifier if match.verifier is not None else match.similarity
        console.print(
            f"  [bold red]known narrative[/bold red] ({score:.2f}, {match.verdict}): {_clip(match.claim)}"
        )
    for case in report.related_cases:
        console.print(
            f"  [dim]related case, not the same claim ({case.verifier:.2f}): {_clip(case.claim)}[/dim]"
        )


def _storylines(report: Report, console: Console) -> None:
    """The SemEval-2025 storylines with their best evidence sentence, and the cast of actors."""
    st = report.storylines
    if st is not None:
        zero = " [zero-shot language]" if st.zero_shot else ""
        if not st.storylines:
            console.print(f"  storylines: none above {st.threshold:.2f} (Other){zero}")
        for s in st.storylines:
            subs = "; ".join(x.label.split(": ")[-1] for x in s.subnarratives)
            console.print(
                f"  [bold yellow]storyline[/bold yellow] {s.probability:.2f} {s.narrative}"
                + (f" — {subs}" if subs else "")
                + zero
            )
            for e in s.evidence[:2]:
                console.print(f"    evidence: {_clip(e.text, 90)}")
    if report.entity_roles:
        cast = [
            f"{a.canonical} {a.main_role.lower()}"
            + (f" ({', '.join(f.label for f in a.fine_roles)})" if a.fine_roles else "")
            for a in report.entity_roles[:8]
        ]
        console.print("  cast: " + "; ".join(cast))


def _names(report: Report, console: Console) -> None:
    """Entities spelt several ways and the place-name convention."""
    multi = [e for e in report.entities if e.multiple_spellings]
    for e in multi:
        console.print(
            f"  [yellow]spelt {len(e.spellings)} ways[/yellow]: {e.canonical} ← {', '.join(e.spellings)}"
        )
    if report.naming and report.naming.convention != "none":
        n = report.naming
        console.print(
            f"  place names: [magenta]{n.convention}[/magenta] "
            f"({n.russian_derived} Russian-derived, {n.ukrainian_derived} Ukrainian-derived: "
            f"{', '.join(sorted({x.form for x in n.evidence}))})"
        )


def _quotes(report: Report, console: Console) -> None:
    """Who is quoted, through which source."""
    if report.quotes:
        t = Table(title="Quotes", show_lines=False, expand=False)
        for col in ("id", "type", "quote", "speaker", "source", "conf"):
            t.add_column(col)
        for q in report.quotes:
            t.add_row(
                q.id,
                q.type,
                _clip(q.span.text, 60),
                q.speaker.name if q.speaker else "—",
                q.source.name if q.source else "—",
                f"{q.confidence:.2f}",
            )
        console.print(t)


def _techniques(report: Report, console: Console) -> None:
    """Technique counts by category and the most certain spans."""
    if report.techniques:
        by_cat = Counter(t.category for t in report.techniques)
        top = Counter(display_names(t.semeval2023) for t in report.techniques).most_common(4)
        console.print(
            f"  [magenta]techniques[/magenta] {len(report.techniques)}: "
            + ", ".join(f"{c} {n}" for c, n in by_cat.most_common())
            + " — "
            + ", ".join(f"{t} ×{n}" for t, n in top)
        )
        # The most certain spans, in reading order, so the terminal shows where the techniques are.
        strongest = sorted(report.techniques, key=lambda span: -span.score)[:5]
        for span in sorted(strongest, key=lambda span: (span.field != "title", span.start)):
            console.print(f"    {span.score:.2f} {display_names(span.semeval2023)}: {_clip(span.text, 70)}")


def _sourcing_and_notes(report: Report, console: Console) -> None:
    """Unattributed assertions, signal counts and the notes."""
    for u in report.unattributed:
        console.print(f"  [red]unattributed[/red] ({u.trigger.text}): {_clip(u.span.text)}")
    signals = Counter(f.label for f in report.findings if f.kind == "signal")
    if signals:
        console.print("  signals: " + ", ".join(f"{k} {v}" for k, v in signals.most_common()))
    for note in report.notes:
        console.print(f"  note: {note}", style="dim")


def render_text(report: Report, width: int = 100) -> str:
    """The summary as plain text."""
    buf = io.StringIO()
    print_summary(report, Console(file=buf, width=width, force_terminal=False, color_system=None))
    return buf.getvalue()
