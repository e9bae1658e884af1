"""Plain text and .txt files (SemEval convention: title line, blank line, body)."""

from __future__ import annotations

import re

from unspin.errors import IngestError
from unspin.model import Article, SourceKind

_TITLE_BREAK = re.compile(r"\A([^\n]+)\n[ \t\r]*\n")
MAX_TITLE_CHARS = 400  # a longer first line is a paragraph, not a headline


def check_text(text: str, source: str) -> str:
    """Normalise newlines and refuse empty or whitespace-only text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(source, "empty text (nothing but whitespace)")
    if text.count("\ufffd") > max(3, len(text) // 200):
        raise IngestError(source, "text is full of undecodable characters (U+FFFD); check its encoding")
    return text


def split_title(text: str) -> tuple[str, str, int]:
    """Split the SemEval shape 'title\\n\\nbody'; a text without that shape is all body.

    Returns (title, body, body_offset) where body_offset is the body's offset in ``text``.
    """
    m = _TITLE_BREAK.match(text)
    if m and text[m.end() :].strip() and len(m.group(1)) <= MAX_TITLE_CHARS:
        return m.group(1).strip(), text[m.end() :], m.end()
    return "", text, 0


def article_from_text(
    text: str,
    source: str = "text",
    *,
    title: str | None = None,
    kind: SourceKind = "text",
    split: bool = False,
) -> Article:
    """An Article from a string; ``split`` applies the SemEval title convention."""
    text = check_text(text, source)
    offset = 0
    notes: list[str] = []
    if title is None and split:
        title, text, offset = split_title(text)
        m = _TITLE_BREAK.match(text)
        if not title and m and len(m.group(1)) > MAX_TITLE_CHARS and text[m.end() :].strip():
            # The title shape with a paragraph-long first line: said, not silently turned into body.
            notes.append(
                f"The first line ({len(m.group(1)):,} characters) is too long for a headline (over "
                f"{MAX_TITLE_CHARS}): it was read as the start of the body, and the article has no title "
                "(give one with --title)."
            )
    return Article(
        title=(title or "").strip(),
        body=text,
        source_kind=kind,
        source=source,
        body_offset=offset,
        notes=notes,
    )
