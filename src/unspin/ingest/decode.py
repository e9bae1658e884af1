"""Bytes to text: UTF-8 first, then a detected encoding; binary data is refused, not guessed at."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from unspin.errors import IngestError

# Encodings we trust the detector with for Cyrillic text; it otherwise confuses cp1251 with rarer code pages.
_CYRILLIC_CANDIDATES = ("cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866", "mac_cyrillic")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > max(4, len(sample) // 100)


_TYPOGRAPHY = set("«»—–“”„‘’…№•\u00a0")


def _cyrillic_score(text: str) -> float:
    """How plausible a decoding is as Russian/Ukrainian text.

    Every non-ASCII character of a right decoding is a Cyrillic letter or common typography; wrong Cyrillic
    code pages agree on most lowercase letters but turn capitals and quote marks into stray symbols.
    """
    high = [c for c in text if ord(c) > 127]
    if not high:
        return 0.0
    good = sum(1 for c in high if "\u0400" <= c <= "\u04ff" or c in _TYPOGRAPHY)
    common = set("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъёіїєґ")
    return good / len(high) + 0.1 * sum(1 for c in high if c in common) / len(high)


def decode_bytes(data: bytes, source: str) -> str:
    """Decode article bytes; raise IngestError naming the source when they are not text."""
    return decode_with_note(data, source)[0]


def decode_with_note(data: bytes, source: str) -> tuple[str, str | None]:
    """The text, and a note when it was not UTF-8 and a legacy encoding was guessed (None otherwise)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError as exc:
                raise IngestError(
                    source, f"starts with a {encoding} byte-order mark but is not {encoding}"
                ) from exc
    if _looks_binary(data):
        raise IngestError(source, "looks like binary data, not text (NUL or control bytes found)")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    encoding, text = _guess_legacy(data, source)
    note = (
        f"The input is not valid UTF-8 (byte 0x{data[bad_at]:02x} at offset {bad_at:,}): it was decoded as "
        f"{encoding}, a guess; check the text for wrong letters."
    )
    return text, note


def _guess_legacy(data: bytes, source: str) -> tuple[str, str]:
    """(encoding, text) for bytes that are not UTF-8."""
    # Not UTF-8: 8-bit Cyrillic is the common case for our sources, and the detector alone often picks a
    # wrong Cyrillic code page, so pick the one whose decoding reads most like Russian/Ukrainian lowercase.
    best = from_bytes(data).best()
    high = sum(1 for b in data if b >= 0x80)
    if high > len(data) * 0.2 or (best is not None and "cyrillic" in str(best.alphabets).lower()):
        decoded = []
        for rank, enc in enumerate(_CYRILLIC_CANDIDATES):  # ties go to the more common code page
            try:
                decoded.append((_cyrillic_score(data.decode(enc)), -rank, enc))
            except UnicodeDecodeError:
                continue
        if decoded:
            score, _, enc = max(decoded)
            if score > 0.9:
                return enc, data.decode(enc)
    if best is None:
        raise IngestError(source, "undecodable bytes: not UTF-8 and no text encoding could be detected")
    return str(best.encoding), str(best)
