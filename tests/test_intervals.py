"""analyzers/intervals.py answers exactly what the scans it replaced answered (in the same order), and the
entities' first-name look-back reads a bounded window with the old answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.analyzers.entities import _extend_first_name
from unspin.analyzers.intervals import Intervals
from unspin.nlp.doc import Part

_SPANS = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 20)).map(lambda t: (t[0], t[0] + t[1])), max_size=25
)


@settings(max_examples=200, deadline=None)
@given(spans=_SPANS, lo=st.integers(-5, 70), width=st.integers(0, 30))
def test_intervals_match_the_scans(spans: list[tuple[int, int]], lo: int, width: int) -> None:
    hi = lo + width
    index = Intervals(spans)
    ids = range(len(spans))
    assert index.starting_in(lo, hi) == [i for i in ids if lo <= spans[i][0] < hi]
    assert index.overlapping(lo, hi) == [i for i in ids if spans[i][0] < hi and lo < spans[i][1]]
    assert index.within(lo, hi) == [i for i in ids if lo <= spans[i][0] and spans[i][1] <= hi]
    assert index.containing(lo, hi) == [i for i in ids if spans[i][0] <= lo and hi <= spans[i][1]]


def _old_extend(text: str, start: int) -> int:
    """The look-back before issue 19: the whole text before the mention, copied and split every time."""
    from unspin.nlp import names

    before = text[:start].rstrip(" ")
    word = before.split()[-1] if before.split() else ""
    if word and word[0].isupper() and names.is_first_name(word) and len(before) == start - 1:
        return start - 1 - len(word)
    return start


def test_first_name_window_gives_the_old_answers() -> None:
    texts = [
        "Oleksiy Reznikov said so.",
        "Defence Minister Oleksiy Reznikov said so.",
        "x" * 100 + " Oleksiy Reznikov said so.",
        "y" * 100 + "Oleksiy Reznikov said so.",  # the word runs on past the window: not a first name
        "Oleksiy  Reznikov (two spaces) and Alexei Reznikov.",
        "Reznikov at the start.",
    ]
    for text in texts:
        part = Part(field="body", text=text)
        for start in [i for i, c in enumerate(text) if c == "R"]:
            assert _extend_first_name(part, start) == _old_extend(text, start), (text, start)
