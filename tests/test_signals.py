"""Text signals per sentence."""

from __future__ import annotations

import pytest

from conftest import report_for_text
from unspin.analyzers.signals import SIGNALS
from unspin.model import Report


@pytest.mark.parametrize(
    ("text", "signal", "hit"),
    [
        ("The army may possibly retreat.", "hedge", "possibly"),
        ("Some people say it is over.", "vague", "Some"),
        ("This is an absolutely catastrophic decision.", "intensifier", "absolutely"),
        ("They are coming for us!!", "emotional_punctuation", "!!"),
        ("This is THE TRUTH they hide from you.", "all_caps", "THE TRUTH"),
        ("Who benefits from this war? Nobody asks.", "rhetorical_question", "Who benefits from this war?"),
        (
            "Moscow does not exclude the possibility that the war will spread.",
            "future_threat",
            "does not exclude the possibility",
        ),
        ('These so-called "peacekeepers" arrived.', "scare_quotes", "peacekeepers"),
        ("Москва не исключает, что конфликт может привести к войне.", "future_threat", "не исключает"),
    ],
)
def test_each_signal(text: str, signal: str, hit: str) -> None:
    r = report_for_text(text)
    found = [f for f in r.findings if f.kind == "signal" and f.label == signal]
    assert any(f.text == hit for f in found), [(f.label, f.text) for f in r.findings if f.kind == "signal"]
    assert sum(s.counts[signal] for s in r.sentences) == len(found)


def test_sentence_features_cover_every_sentence(example_report: Report) -> None:
    assert len(example_report.sentences) == sum(1 for _ in example_report.sentences)
    for s in example_report.sentences:
        assert set(s.counts) == set(SIGNALS)
        text = example_report.title if s.field == "title" else example_report.body
        assert text[s.start : s.end].strip()


def test_modal_inside_threat_is_not_a_hedge() -> None:
    r = report_for_text("The conflict could lead to a direct clash.", language="en")
    labels = [(f.label, f.text) for f in r.findings if f.kind == "signal"]
    assert ("future_threat", "could lead to") in labels and ("hedge", "could") not in labels


def test_acronym_entities_are_not_shouting() -> None:
    r = report_for_text("NATO and the OSCE met in Vienna on Monday.", language="en")
    assert not [f for f in r.findings if f.label == "all_caps" and f.text == "NATO"]
