"""What every analyser shares: the contract it declares, the Section it returns, and a helper to make Findings.

An analyser declares the Doc layers it ``requires`` and the Doc layers and Report fields it ``provides``
(``doc.quotes``, ``report.claims``), and the model roles it loads. The Pipeline orders analysers by these
declarations once, when it is built, and pulls in what a partial run (``only=``) needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from unspin.model import Article, Finding, Span, TextField
from unspin.nlp.doc import Doc

if TYPE_CHECKING:
    from unspin.models.registry import ModelRegistry


@dataclass
class Section:
    """An analyser's contribution: highlights, Report fields it fills, and caveats."""

    findings: list[Finding] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Verdicts this analyser gives to another's claims (claim id -> (verdict, evidence ids)): the Report applies
    # them when it assembles the claims, so no analyser edits another's output.
    claim_verdicts: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


class Analyzer:
    """One analyser answers one question about the Doc.

    ``requires``: Doc layers read (``"doc.quotes"``); ``provides``: Doc layers set and Report fields filled
    (``"report.quotes"``); ``models``: registry roles it may load. ``run`` returns its Section.
    """

    name: ClassVar[str]
    requires: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[str, ...]] = ()
    models: ClassVar[tuple[str, ...]] = ()

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        raise NotImplementedError

    def start(
        self, article: Article, language: str, models: ModelRegistry, cores: int = 0
    ) -> Callable[[], Any] | None:
        """Work on the article's text alone that may run on a second thread (a model whose runtime releases
        the GIL), or None. The Pipeline submits it before the parse (after it, when a long text is parsed in
        two processes), and ``run`` finds the work's result in ``doc.started[name]``; ``run`` must give the
        same Section without it (the Pipeline starts nothing on one core). ``cores``: how many threads the
        work may use (0: its own setting; 1 when the main thread keeps another core busy)."""
        return None

    def start_after_parse(self, doc: Doc, models: ModelRegistry) -> Callable[[], Any] | None:
        """Work that needs the parse but no other analyser's layer, started on a second thread as soon as the
        Doc exists (its result in ``doc.started[name]``, as for ``start``), or None. ``run`` must give the
        same Section without it."""
        return None

    def load(self, models: ModelRegistry, language: str = "en") -> None:
        """Load the models this analyser uses for ``language`` now (the default loads every declared role)."""
        for role in self.models:
            models.get(role)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}: requires {self.requires}, provides {self.provides}>"


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
