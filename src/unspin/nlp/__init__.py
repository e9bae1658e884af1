"""NLP layer: parse an Article once into a Doc."""

from unspin.nlp.doc import Doc, Mention, Paragraph, Part, Sentence, Token
from unspin.nlp.parse import parse

__all__ = ["Doc", "Mention", "Paragraph", "Part", "Sentence", "Token", "parse"]
