"""Language identification (lingua), restricted to the languages unspin's sources are written in."""

from __future__ import annotations

from unspin.nlp.models import language_detector

SAMPLE_CHARS = 3000  # enough for a confident guess; detection cost grows with length
# ISO 639-1 codes of the languages the detector knows (nlp.models.language_detector builds it from these).
SUPPORTED_LANGUAGES = (
    "en", "ru", "uk", "de", "fr", "it", "pl", "es", "el", "ka", "bg", "be",
    "sr", "cs", "sk", "ro", "hu", "lt", "lv", "et", "pt", "nl", "ar", "tr",
)  # fmt: skip
# Below this confidence the text is in none of them, or too short or mixed to tell: the answer is 'und'.
# lingua's values are relative (they sum to 1 over the candidates): Chinese text scores 0.0 for all of them,
# a one-word greeting ("Hello") 0.29 for Italian, and short sentences of a supported language 0.4-0.8.
CONFIDENCE_FLOOR = 0.3


def detect_language(text: str) -> tuple[str, float]:
    """ISO 639-1 code and confidence of the text's language; ('und', confidence) when there is too little
    text, or when no supported language reaches CONFIDENCE_FLOOR (a language unspin does not know)."""
    sample = text[:SAMPLE_CHARS]
    if sum(c.isalpha() for c in sample) < 3:
        return "und", 0.0
    values = language_detector().compute_language_confidence_values(sample)
    if not values or float(values[0].value) < CONFIDENCE_FLOOR:
        return "und", float(values[0].value) if values else 0.0
    top = values[0]
    return top.language.iso_code_639_1.name.lower(), float(top.value)
