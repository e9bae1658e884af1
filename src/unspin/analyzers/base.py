"""What every analyser shares: the Section it returns and a helper to make Findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from unspin.model import Finding, Span, TextField
from unspin.nlp.doc import Doc


@dataclass
class Section:
    """An analyser's contribution: highlights, Report fields it fills, and caveats."""

    findings: list[Finding] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Analyzer(Protocol):
    """One analyser answers one question about the Doc."""

    name: str

    def __call__(self, doc: Doc) -> Section: ...


def span_of(doc: Doc, field_name: TextField, start: int, end: int) -> Span:
    """A Span whose text is exactly the slice it points at."""
    return Span(field=field_name, start=start, end=end, text=doc.part(field_name).text[start:end])


class FindingMaker:
    """Numbers findings per kind (quote-1, quote-2...) so ids are stable for a given article."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.n = 0

    def __call__(
        self,
        doc: Doc,
        field_name: TextField,
        start: int,
        end: int,
        label: str,
        score: float,
        explanation: str,
        **attributes: str | int | float | bool | None,
    ) -> Finding:
        self.n += 1
        return Finding(
            id=f"{self.kind}-{self.n}",
            kind=self.kind,
            label=label,
            field=field_name,
            start=start,
            end=end,
            text=doc.part(field_name).text[start:end],
            score=min(1.0, max(0.0, score)),
            explanation=explanation,
            attributes=attributes,
        )
