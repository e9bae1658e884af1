"""Position lookups over spans (mentions, quotes, sentences) by bisection, for analysers that ask, for each
sentence or quote, which spans fall near it: a scan of every span each time made them quadratic in article
length. Results come back in the spans' original order, so callers that took the first match keep their
answers."""

from __future__ import annotations

import bisect
from collections.abc import Sequence


class Intervals:
    """Half-open spans (start, end), looked up by position; answers are indices into the given sequence."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self.spans = list(spans)
        order = sorted(range(len(self.spans)), key=lambda i: self.spans[i][0])
        self._order = order
        self._starts = [self.spans[i][0] for i in order]
        self._longest = max((e - s for s, e in self.spans), default=0)

    def starting_in(self, lo: int, hi: int) -> list[int]:
        """Spans whose start is in [lo, hi)."""
        a, b = bisect.bisect_left(self._starts, lo), bisect.bisect_left(self._starts, hi)
        return sorted(self._order[a:b])

    def overlapping(self, lo: int, hi: int) -> list[int]:
        """Spans that share a character with [lo, hi) (start < hi and lo < end)."""
        return [i for i in self.starting_in(lo - self._longest, hi) if self.spans[i][1] > lo]

    def within(self, lo: int, hi: int) -> list[int]:
        """Spans inside [lo, hi]."""
        return [i for i in self.starting_in(lo, hi + 1) if self.spans[i][1] <= hi]

    def containing(self, lo: int, hi: int) -> list[int]:
        """Spans that contain [lo, hi] (start <= lo and hi <= end)."""
        return [i for i in self.starting_in(lo - self._longest, lo + 1) if self.spans[i][1] >= hi]
