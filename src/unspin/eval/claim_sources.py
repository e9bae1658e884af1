"""The texts that claim-matching annotations point into, read in place from ../shared/data.

Annotation files hold (claim_source, claim_row_id, start, end) only; these readers give back the text so a
claim is ``text[start:end]``. Sources (see docs/annotation/claim-matching-guideline.md):
- ``ruwar-fakes``: russia-ukraine-war/data_russian_fakes_text.parquet, row index, column Text;
- ``polnear``: polnear/polnear-v1.0.0.tar.gz, row id ``SPLIT/NAME`` (data/SPLIT/text/NAME.txt);
- ``fnc1``: fnc1 bodies, row id ``train/BODY_ID`` or ``test/BODY_ID``.
"""

from __future__ import annotations

import re
import tarfile
from functools import cache
from pathlib import Path

from unspin.datasets.fnc1 import _FILES as FNC1_FILES
from unspin.datasets.fnc1 import _rows

SOURCES = ("ruwar-fakes", "polnear", "fnc1")
MAINSTREAM = ("polnear", "fnc1")
# A sentence ends at . ! ? (optionally followed by a closing quote) before white space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’»]?\s+|\n+")


@cache
def ruwar_fakes(data: Path) -> list[str]:
    import pyarrow.parquet as pq

    table = pq.read_table(data / "russia-ukraine-war" / "data_russian_fakes_text.parquet", columns=["Text"])
    return [str(t or "") for t in table.column("Text").to_pylist()]


@cache
def polnear_texts(data: Path) -> dict[str, str]:
    """``SPLIT/NAME`` -> article text, for all three splits."""
    out: dict[str, str] = {}
    with tarfile.open(data / "polnear" / "polnear-v1.0.0.tar.gz") as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if len(parts) == 3 and parts[1] == "text" and parts[2].endswith(".txt"):
                fh = tar.extractfile(member)
                if fh is not None:
                    out[f"{parts[0]}/{parts[2][:-4]}"] = fh.read().decode("utf-8")
    return out


@cache
def fnc1_bodies(data: Path) -> dict[str, str]:
    """``train/ID`` and ``test/ID`` -> article body."""
    out: dict[str, str] = {}
    for split, (_, bodies_file) in FNC1_FILES.items():
        for r in _rows(data / "fnc1" / bodies_file):
            out[f"{split}/{r['Body ID']}"] = r["articleBody"]
    return out


def source_text(data: Path, source: str, row_id: str) -> str:
    if source == "ruwar-fakes":
        return ruwar_fakes(data)[int(row_id)]
    if source == "polnear":
        return polnear_texts(data)[row_id]
    if source == "fnc1":
        return fnc1_bodies(data)[row_id]
    raise ValueError(f"unknown claim source '{source}' (one of {', '.join(SOURCES)})")


def sentences(text: str, min_chars: int = 40) -> list[tuple[int, int]]:
    """(start, end) of each sentence of at least ``min_chars`` characters, stripped of white space."""
    out = []
    start = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m is not None else len(text)
        if m is not None and text[m.start() : m.start() + 1] in "\"'”’»":
            end += 1  # keep a closing quote with its sentence
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        s, e = start + lead, start + len(chunk.rstrip())
        if e - s >= min_chars:
            out.append((s, e))
        start = m.end() if m is not None else len(text)
    return out
