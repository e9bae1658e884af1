"""Language identification (lingua)."""

from __future__ import annotations

from unspin.nlp.models import language_detector

SAMPLE_CHARS = 3000  # enough for a confident guess; detection cost grows with length


def detect_language(text: str) -> tuple[str, float]:
    """ISO 639-1 code and confidence of the text's language; ('und', 0.0) when there is too little text."""
    sample = text[:SAMPLE_CHARS]
    if sum(c.isalpha() for c in sample) < 3:
        return "und", 0.0
    values = language_detector().compute_language_confidence_values(sample)
    if not values:
        return "und", 0.0
    top = values[0]
    return top.language.iso_code_639_1.name.lower(), float(top.value)
