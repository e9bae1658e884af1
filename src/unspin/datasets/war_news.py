"""war-news: unlabelled full articles from RT (English), The Guardian and TASS, read in place.

Rows are addressed by ``(file, id)`` so that annotation files can point at them without copying any text:
- ``guard-articles-nato.csv``: ``id`` is the source's own (unnamed, 0-based) index column; the text is ``Text``;
- ``RT_eng.csv``: ``id`` is the article URL (the file has no index column); the text is ``content``;
- ``politics_20.json``: ``id`` is the article link; the text is its ``content`` paragraphs joined by blank lines.

Character offsets in annotation files count into ``WarNewsArticle.text`` exactly as returned here. Rows that
PROVENANCE.md calls failed scrapes (RT rows dated ``Skipped``) and rows with an empty text are skipped.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from unspin.errors import DataError

FOLDER = "war-news"
GUARDIAN = "guard-articles-nato.csv"
RT = "RT_eng.csv"
TASS = "politics_20.json"
FILES = (GUARDIAN, RT, TASS)
OUTLETS = {GUARDIAN: "The Guardian", RT: "RT", TASS: "TASS"}


@dataclass(frozen=True)
class WarNewsArticle:
    file: str
    id: str
    title: str
    text: str
    date: str
    url: str

    @property
    def outlet(self) -> str:
        return OUTLETS[self.file]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _read(data_dir: Path, file: str) -> Iterator[WarNewsArticle]:
    path = data_dir / FOLDER / file
    if not path.is_file():
        raise DataError(str(path), "war-news file not found")
    if file == GUARDIAN:
        for row in _csv_rows(path):
            text = row.get("Text") or ""
            if text.strip():
                yield WarNewsArticle(
                    file,
                    row[""],
                    row.get("Heading", ""),
                    text,
                    row.get("Date Formatted", ""),
                    row.get("Article Url", ""),
                )
    elif file == RT:
        for row in _csv_rows(path):
            if row.get("date") == "Skipped" or not (row.get("content") or "").strip():
                continue
            yield WarNewsArticle(file, row["URL"], row["title"], row["content"], row["date"], row["URL"])
    elif file == TASS:
        for item in json.loads(path.read_text(encoding="utf-8")):
            text = "\n\n".join(p.strip() for p in item.get("content", []) if p.strip())
            if text:
                yield WarNewsArticle(
                    file, item["link"], item["title"], text, item.get("date", ""), item["link"]
                )
    else:
        raise DataError(file, f"unknown war-news file; expected one of {', '.join(FILES)}")


def load_war_news(data_dir: str | Path, files: tuple[str, ...] = FILES) -> list[WarNewsArticle]:
    """Every usable article of the named files, in file order."""
    root = Path(data_dir)
    return [article for file in files for article in _read(root, file)]


def war_news_index(
    data_dir: str | Path, files: tuple[str, ...] = FILES
) -> dict[tuple[str, str], WarNewsArticle]:
    """``(file, id) -> article``, for resolving annotation references."""
    return {(a.file, a.id): a for a in load_war_news(data_dir, files)}
