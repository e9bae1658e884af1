"""Naming convention for Ukrainian places, with evidence."""

from __future__ import annotations

import pytest

from conftest import report_for_text
from unspin.model import Report


@pytest.mark.parametrize(
    ("text", "convention", "ru", "uk"),
    [
        ("Troops left Kiev for Kharkov and Odessa.", "russian-derived", 3, 0),
        ("Troops left Kyiv for Kharkiv and Odesa.", "ukrainian-derived", 0, 3),
        ("Troops left Kyiv for Kharkov.", "mixed", 1, 1),
        ("Troops left Berlin for Paris.", "none", 0, 0),
        ("He went to the Ukraine last year and then to Mariupol.", "russian-derived", 1, 0),
    ],
)
def test_conventions(text: str, convention: str, ru: int, uk: int) -> None:
    n = report_for_text(text, language="en").naming
    assert (n.convention, n.russian_derived, n.ukrainian_derived) == (convention, ru, uk)
    for ev in n.evidence:
        assert text[ev.span.start : ev.span.end] == ev.form


def test_russian_text_prepositions_and_caveat(ru_report: Report) -> None:
    n = ru_report.naming
    assert n.convention == "russian-derived"
    assert {ev.form for ev in n.evidence} >= {"Киев", "Донбасс", "на Украине"}
    assert "Russian-language text" in n.explanation
