"""Analysers: each answers one question about a parsed Doc and returns a Section of the Report.

Each declares the Doc layers it requires and provides (``unspin.analyzers.base.Analyzer``); the Pipeline
orders them from those declarations, so the order here is only the order of a report's sections.
"""

from __future__ import annotations

from pathlib import Path

from unspin.analyzers.base import Analyzer, Section
from unspin.analyzers.claims import ClaimsAnalyzer
from unspin.analyzers.entities import EntitiesAnalyzer
from unspin.analyzers.headline import HeadlineAnalyzer
from unspin.analyzers.naming import NamingAnalyzer
from unspin.analyzers.narratives import NarrativesAnalyzer
from unspin.analyzers.paragraphs import ParagraphsAnalyzer
from unspin.analyzers.quotes import QuotesAnalyzer
from unspin.analyzers.signals import SignalsAnalyzer
from unspin.analyzers.storylines import EntityRolesAnalyzer, NarrativesTaxonomyAnalyzer
from unspin.analyzers.techniques import TechniquesAnalyzer
from unspin.analyzers.unattributed import UnattributedAnalyzer

NAMES = (
    "entities",
    "naming",
    "quotes",
    "unattributed",
    "claims",
    "headline",
    "narratives",
    "narratives_taxonomy",
    "entity_roles",
    "signals",
    "techniques",
    "paragraphs",
)


def default_analyzers(kb: str | Path | None = None) -> list[Analyzer]:
    """Every analyser, as a full report runs them (``kb``: the narratives' knowledge base)."""
    return [
        EntitiesAnalyzer(),
        NamingAnalyzer(),
        QuotesAnalyzer(),
        UnattributedAnalyzer(),
        ClaimsAnalyzer(),
        HeadlineAnalyzer(),
        NarrativesAnalyzer(kb),
        NarrativesTaxonomyAnalyzer(),
        EntityRolesAnalyzer(),
        SignalsAnalyzer(),
        TechniquesAnalyzer(),
        ParagraphsAnalyzer(),
    ]


__all__ = ["NAMES", "Analyzer", "Section", "default_analyzers"]
