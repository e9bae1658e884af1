"""Quotes, speakers and sources; unattributed assertions."""

from __future__ import annotations

import pytest

from conftest import report_for_text
from unspin.model import Quote, Report


def quote_with(r: Report, words: str) -> Quote:
    return next(q for q in r.quotes if words in q.span.text)


def check_offsets(r: Report) -> None:
    for q in r.quotes:
        for span in [q.span] + [p.span for p in (q.speaker, q.source) if p]:
            text = r.title if span.field == "title" else r.body
            assert text[span.start : span.end] == span.text
        assert 0.0 <= q.confidence <= 1.0


@pytest.mark.parametrize(
    ("text", "quote", "speaker"),
    [
        (
            '"We will hold the line at any cost," Reznikov said on Monday.',
            "We will hold the line",
            "Oleksii Reznikov",
        ),
        (
            "“We will hold the line at any cost,” said Maria Zakharova.",
            "We will hold the line",
            "Maria Zakharova",
        ),
        (
            "Maria Zakharova said: «We will hold the line at any cost».",
            "We will hold the line",
            "Maria Zakharova",
        ),
        (
            "According to Dmitry Peskov, „we will hold the line at any cost“.",
            "we will hold the line",
            "Dmitry Peskov",
        ),
        (
            'Peskov told reporters: "We will hold the line at any cost."',
            "We will hold the line",
            "Dmitry Peskov",
        ),
    ],
)
def test_quote_marks_and_speaker_patterns(text: str, quote: str, speaker: str) -> None:
    r = report_for_text(text, language="en")
    q = quote_with(r, quote)
    assert q.type == "direct" and q.speaker is not None and q.speaker.name == speaker
    assert q.confidence >= 0.85
    check_offsets(r)


def test_told_outlet_is_the_source(en_report: Report) -> None:
    q = quote_with(en_report, "defending our land")
    assert q.speaker.name == "Oleksii Reznikov" and q.source.name == "Reuters" and q.source.kind == "outlet"
    check_offsets(en_report)


def test_outlet_named_in_quotes_is_the_source(example_report: Report) -> None:
    q = quote_with(example_report, "We are grateful to our partners")
    assert q.speaker.name == "Oleksii Reznikov" and q.speaker.entity_id
    assert q.source.name == "The Globe and Mail" and q.source.kind == "outlet"
    z = quote_with(example_report, "The West is pushing Europe")
    assert (z.speaker.name, z.source.name) == ("Maria Zakharova", "RIA Novosti")


def test_pronoun_speaker_resolves_to_last_person(en_report: Report) -> None:
    q = quote_with(en_report, "Our soldiers will hold the line")
    assert (
        q.speaker.kind == "pronoun" and q.speaker.span.text == "he" and q.speaker.name == "Oleksii Reznikov"
    )
    assert q.confidence < 0.9


def test_quote_spanning_paragraphs(en_report: Report, ru_report: Report) -> None:
    q = quote_with(en_report, "We expect the deliveries")
    assert "grateful for every one of them" in q.span.text and "\n" in q.span.text
    assert q.speaker.name == "Oleksii Reznikov"
    z = quote_with(ru_report, "Запад толкает Европу")
    assert "лишь инструмент" in z.span.text and z.speaker.name == "Maria Zakharova"
    # Named as the entity is known (nominative), while the span keeps the words of the text.
    assert z.source.name == "Первый канал" and z.source.span.text == "Первого канала"


def test_russian_dash_attribution_and_context_source(ru_report: Report) -> None:
    q = quote_with(ru_report, "Мы благодарны партнёрам")
    assert q.speaker.name == "Oleksii Reznikov" and q.cue == "заявил"
    assert q.source.name == "Известия"  # named in the previous paragraph for the same speaker


def test_indirect_quotes(example_report: Report, ru_report: Report) -> None:
    q = quote_with(example_report, "Ukraine is defending itself")
    assert q.type == "indirect" and q.speaker.name == "Oleksii Reznikov"
    inverted = quote_with(example_report, "catastrophic consequences")
    assert inverted.type == "indirect" and inverted.speaker.name == "Maria Zakharova"
    ru = quote_with(ru_report, "армии нужно больше зимнего снаряжения")
    assert ru.type == "indirect" and ru.speaker.name == "Oleksii Reznikov"


def test_quote_without_speaker_has_low_confidence() -> None:
    r = report_for_text('The wall bore a slogan: "nothing will ever be the same again".', language="en")
    q = r.quotes[0]
    assert q.speaker is None and q.confidence <= 0.4


def test_short_quotes_are_names_or_scare_quotes(example_report: Report) -> None:
    texts = {q.span.text for q in example_report.quotes}
    assert "defenders" not in texts and "The Globe and Mail" not in texts
    assert any(f.label == "scare_quotes" and f.text == "defenders" for f in example_report.findings)


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("It is reported that troops are moving to the border.", "It is reported"),
        ("Sources say that the plan was agreed in secret.", "Sources say"),
        ("It became known that the minister resigned.", "It became known"),
        ("Experts believe the conflict will spread.", "Experts believe"),
        ("Сообщается, что войска движутся к границе.", "Сообщается"),
        ("Стало известно, что министр ушёл в отставку.", "Стало известно"),
    ],
)
def test_unattributed_assertions(text: str, trigger: str) -> None:
    r = report_for_text(text)
    assert len(r.unattributed) == 1
    u = r.unattributed[0]
    assert u.trigger.text == trigger and u.span.text == text and u.confidence > 0.5


def test_cue_inside_a_quote_belongs_to_the_speaker() -> None:
    r = report_for_text(
        '"It is reported that the talks failed, and we regret it," Peskov said.', language="en"
    )
    assert r.unattributed == []


def test_what_someone_did_not_say_is_not_their_quote(example_report: Report) -> None:
    # 'The minister did not say a word about any offensive' is the writer's claim, not the minister's words.
    assert not any("any offensive" in q.span.text for q in example_report.quotes)
    r = report_for_text(
        "The senator never said that the election was stolen. The mayor didn't say that the budget grew. "
        "The governor said that taxes will rise."
    )
    assert [q.span.text for q in r.quotes] == ["that taxes will rise"]
    claim = next((c for c in example_report.claims if "did not say a word" in c.span.text), None)
    assert claim is None or claim.claimant.kind != "speaker"


def test_mark_search_finds_what_the_mark_reader_reads() -> None:
    """find_quoted jumps between quotation marks with one regex; it must stop exactly where reading the text
    a character at a time with _mark_at would (two-character marks first)."""
    import random

    from unspin.nlp.quotes import _MARK, _mark_at

    alphabet = "ab '`\"“”„«»‹›‚‘’-"
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        slow, j = [], 0
        while j < len(text):
            mark = _mark_at(text, j)
            if mark:
                slow.append((j, mark))
            j += len(mark) or 1
        assert [(m.start(), m.group()) for m in _MARK.finditer(text)] == slow, text
