"""Text to encoder windows with character offsets: shared by training and inference."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

MAX_TOKENS = 254  # per window, plus [CLS] and [SEP]


@lru_cache(maxsize=2)
def load_tokenizer(path: str) -> object:
    """A fast tokenizer that reports character offsets, with truncation and padding off."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    return tok


def special_ids(tokenizer: object) -> tuple[int, int]:
    """The ids that open and close a window: [CLS]/[SEP] for BERT vocabularies, <s>/</s> for SentencePiece."""
    for opener, closer in (("[CLS]", "[SEP]"), ("<s>", "</s>")):
        ids = tokenizer.token_to_id(opener), tokenizer.token_to_id(closer)  # type: ignore[attr-defined]
        if None not in ids:
            return ids  # type: ignore[return-value]
    raise ValueError("the tokenizer has neither [CLS]/[SEP] nor <s>/</s>")


@dataclass
class Window:
    """A run of tokens from one text: ids and their (start, end) character offsets into the text."""

    ids: list[int]
    offsets: list[tuple[int, int]]


def windows(
    tokenizer: object, text: str, max_tokens: int = MAX_TOKENS, first: int | None = None
) -> list[Window]:
    """Tokenise the whole text once and cut it into windows, breaking at line starts where possible.

    ``first`` cuts the first window after that many tokens: training shifts the cuts from epoch to epoch so
    that every token is also seen far from a window edge.
    """
    enc = tokenizer.encode(text, add_special_tokens=False)  # type: ignore[attr-defined]
    ids, offsets = list(enc.ids), [_trim(text, s, e) for s, e in enc.offsets]
    out, i = [], 0
    while i < len(ids):
        end = min(i + max_tokens, len(ids))
        if first is not None and i == 0:
            out.append(Window(ids[:first], offsets[:first]))  # type: ignore[arg-type]
            i = len(out[0].ids)
            continue
        if end < len(ids):
            # Prefer to end the window where a new line begins, so a sentence is not cut in two.
            for j in range(end, i + max_tokens // 2, -1):
                if "\n" in text[offsets[j - 1][1] : offsets[j][0]]:
                    end = j
                    break
        out.append(Window(ids[i:end], offsets[i:end]))  # type: ignore[arg-type]
        i = end
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop the whitespace a SentencePiece token (▁word) carries in front, so it starts where its word does."""
    while start < end - 1 and text[start].isspace():
        start += 1
    return start, end


def token_range(w: Window, start: int, end: int) -> tuple[int, int] | None:
    """Tokens of the window that overlap the character span, as [first, last + 1)."""
    idx = [i for i, (s, e) in enumerate(w.offsets) if s < end and start < e]
    return (idx[0], idx[-1] + 1) if idx else None
