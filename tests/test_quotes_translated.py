"""Quote conventions of translated and multilingual news (tests/fixtures/quotes_translated.json)."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES
from unspin.model import Article, Quote
from unspin.nlp.doc import Paragraph
from unspin.nlp.parse import paragraphs_of
from unspin.nlp.quotes import find_quoted
from unspin.pipeline import default_pipeline

CASES = json.loads((FIXTURES / "quotes_translated.json").read_text(encoding="utf-8"))["cases"]


def _quotes(body: str, language: str) -> list[Quote]:
    report = default_pipeline().analyze(
        Article(title="", body=body), language=language, only=["entities", "quotes"]
    )
    return list(report.quotes)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_expected_quotes(case: dict[str, object]) -> None:
    body, language = str(case["body"]), str(case["language"])
    quotes = _quotes(body, language)
    for want in case["expected"]:  # type: ignore[attr-defined]
        found = [q for q in quotes if body[q.span.start : q.span.end] == want["text"]]
        assert found, f"{want['text']!r} not among {[body[q.span.start : q.span.end] for q in quotes]}"
        q = found[0]
        assert q.type == want["type"]
        if "speaker" in want:
            assert q.speaker is not None and want["speaker"] in q.speaker.name
        if "source" in want:
            assert q.source is not None and want["source"] in q.source.name
            assert q.source.kind == "outlet"
    for name in case["never_speaker"]:  # type: ignore[attr-defined]
        assert all(q.speaker is None or q.speaker.name != name for q in quotes)


def test_issue_example_is_one_quote_not_reported_speech_inside_it() -> None:
    case = next(c for c in CASES if c["id"] == "en-issue-dash-outlet")
    quotes = _quotes(case["body"], "en")
    assert [q.type for q in quotes] == ["direct"]


def _quoted(text: str) -> list[str]:
    class _Part:
        def __init__(self, t: str) -> None:
            self.text = t
            self.paragraphs: list[Paragraph] = paragraphs_of(t)

    return [q.text for q in find_quoted(_Part(text))]  # type: ignore[arg-type]


def test_quote_marks_of_every_convention() -> None:
    assert _quoted('“curly opened, straight closed" here') == ["curly opened, straight closed"]
    assert _quoted("«ёлочки с „лапками“ внутри» тут") == ["ёлочки с „лапками“ внутри"]
    assert _quoted("„German low-high“ and ‚single low‘ marks") == ["German low-high", "single low"]
    assert _quoted("''Two apostrophes,'' she said.") == ["Two apostrophes,"]
    assert _quoted('a 12"3 screen and "a quote"') == ["a quote"]


def test_unclosed_quote_continues_only_into_a_paragraph_that_opens_with_a_mark() -> None:
    assert _quoted("“One.\n\n“Two.”") == ["One.\n\n“Two."]
    assert _quoted("“One.\n\nTwo.”") == []


@pytest.mark.parametrize(
    ("body", "content", "speaker", "cue"),
    [
        (
            "Senator Jane Miller said that the plan would raise taxes for most families.",
            "that the plan would raise taxes for most families",
            "Jane Miller",
            "said",
        ),
        (
            "Senator Jane Miller believes the plan would raise taxes for most families.",
            "the plan would raise taxes for most families",
            "Jane Miller",
            "believes",
        ),
        (
            "According to Jane Miller, the plan would raise taxes for most families.",
            "the plan would raise taxes for most families",
            "Jane Miller",
            "According to",
        ),
        (
            "The plan would raise taxes for most families, Jane Miller warned on Monday.",
            "The plan would raise taxes for most families",
            "Jane Miller",
            "warned",
        ),
    ],
)
def test_reported_speech_and_beliefs_are_indirect_quotes(
    body: str, content: str, speaker: str, cue: str
) -> None:
    (q,) = _quotes(body, "en")
    assert q.type == "indirect" and body[q.span.start : q.span.end] == content
    assert q.speaker is not None and speaker in q.speaker.name and q.cue == cue


def test_quote_interrupted_by_its_attribution_is_two_fragments() -> None:
    body = "“We will not sign this deal,” Jane Miller said, “unless the taxes go down.”"
    quotes = _quotes(body, "en")
    texts = sorted(body[q.span.start : q.span.end] for q in quotes)
    assert texts == ["We will not sign this deal", "unless the taxes go down."]
    assert all(q.type == "direct" and q.speaker is not None and "Miller" in q.speaker.name for q in quotes)
