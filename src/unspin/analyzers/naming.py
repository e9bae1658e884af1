"""Naming conventions: does the text use Russian-derived (Kiev) or Ukrainian-derived (Kyiv) place names?"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import cast

from unspin import resources
from unspin.analyzers.base import Analyzer, FindingMaker, Section, span_of
from unspin.analyzers.entities import gazetteer_hits
from unspin.model import NamingConvention, NamingEvidence, PlaceConvention, TextConvention
from unspin.models.registry import ModelRegistry
from unspin.nlp.doc import Doc


@lru_cache(maxsize=1)
def _phrases() -> list[tuple[re.Pattern[str], dict[str, str]]]:
    return [(re.compile(p["pattern"]), p) for p in resources.load("variants")["naming_phrases"]]


def analyze(doc: Doc) -> Section:
    """Count Russian- vs Ukrainian-derived place names and phrases, with each one as evidence."""
    section = Section()
    make = FindingMaker("naming")
    evidence: list[NamingEvidence] = []
    for part in doc.parts:
        hits = [
            (s, e, g.canonical, g.convention, g.form)
            for s, e, g in gazetteer_hits(doc, part)
            if g.type == "LOC"
        ]
        for pattern, p in _phrases():
            hits += [
                (m.start(), m.end(), p["canonical"], p["convention"], p["note"])
                for m in pattern.finditer(part.text)
            ]
        for s, e, canonical, convention, form in sorted(hits):
            if convention not in ("russian-derived", "ukrainian-derived"):
                continue
            evidence.append(
                NamingEvidence(
                    canonical=canonical,
                    form=part.text[s:e],
                    convention=cast(PlaceConvention, convention),
                    span=span_of(doc, part.field, s, e),
                )
            )
            why = (
                form
                if " " in form and form[0].islower()
                else (f"'{part.text[s:e]}' is the {convention} name of {canonical}")
            )
            section.findings.append(make(doc, part.field, s, e, convention, 0.95, why, canonical=canonical))
    ru = sum(1 for x in evidence if x.convention == "russian-derived")
    uk = len(evidence) - ru
    overall: TextConvention = (
        "none" if not evidence else "mixed" if ru and uk else "russian-derived" if ru else "ukrainian-derived"
    )
    if overall == "none":
        explanation = "No Ukrainian place name with competing spellings was found."
    else:
        explanation = (
            f"{ru} Russian-derived and {uk} Ukrainian-derived place-name form(s). Since 2019 most "
            "English-language media use the Ukrainian-derived forms (Kyiv, Kharkiv, Odesa); Russian "
            "state media keep the Russian-derived ones (Kiev, Kharkov, Odessa)."
        )
        if doc.language == "ru":
            explanation += (
                " In Russian-language text Russian names are the standard usage, so only the "
                "preposition ('на/в Украине') and Ukrainian-style forms are telling."
            )
    section.fields["naming"] = NamingConvention(
        convention=overall,
        russian_derived=ru,
        ukrainian_derived=uk,
        explanation=explanation,
        evidence=evidence,
    )
    return section


class NamingAnalyzer(Analyzer):
    name = "naming"
    provides = ("report.naming",)

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        return analyze(doc)
