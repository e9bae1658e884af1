"""Analysers: each answers one question about a parsed Doc and returns a Section of the Report.

Order matters only where an analyser reads another's cache: quotes link speakers to entities, and
unattributed assertions and signals skip text inside quotes; claims and the headline check read the
quotes, unattributed assertions and entity mentions.
"""

from __future__ import annotations

from collections.abc import Callable

from unspin.analyzers import (
    claims,
    entities,
    headline,
    naming,
    narratives,
    paragraphs,
    quotes,
    signals,
    techniques,
    unattributed,
)
from unspin.analyzers.base import Section
from unspin.models.threads import blas_single_threaded
from unspin.nlp.doc import Doc

_ANALYZERS: dict[str, Callable[[Doc], Section]] = {
    "entities": entities.analyze,
    "naming": naming.analyze,
    "quotes": quotes.analyze,
    "unattributed": unattributed.analyze,
    "claims": claims.analyze,
    "headline": headline.analyze,
    "narratives": narratives.analyze,
    "signals": signals.analyze,
    "techniques": techniques.analyze,
    "paragraphs": paragraphs.analyze,
}
# Each runs with one BLAS thread, so that numpy's spinning workers leave the cores to onnxruntime (threads.py).
ANALYZERS = {name: blas_single_threaded(run) for name, run in _ANALYZERS.items()}

__all__ = ["ANALYZERS", "Section"]
