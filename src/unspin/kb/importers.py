"""Readers that turn a file into knowledge-base entries, and writers for `unspin kb export`.

Every reader yields, with where it was read, either an `Entry` or a (row, reason) rejection, so a bad row is
reported and the rest import (a row repeating an earlier row's id is counted or named by `read_import`); a file
that cannot be read at all (wrong format, missing required columns, bad JSON) raises
`KBError` before anything is written.

Formats:
- ``euvsdisinfo``: the two EUvsDisinfo CSV schemas, recognised by their header: the case table with summary
  and disproof (issue, date, outlet, language, ..., title, summary, disproof) and the case list with
  metadata only (date, id, title, countries, keywords, languages, outlets).
- ``claimreview``: schema.org ClaimReview JSON-LD: one object, a list, or an ``@graph``.
- ``outlets``: CSV of user-supplied outlet labels: domain (or outlet name), label, source.
- ``csv`` / ``jsonl``: columns claim (required), id, verdict, explanation, url, date, language, outlet,
  keywords (CSV: separated by ';'; JSONL: a list or a ';'-separated string), title.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from unspin.errors import IngestError
from unspin.ingest.decode import decode_bytes
from unspin.ingest.limits import read_bounded
from unspin.kb.store import Entry, KBError, OutletLabel

FORMATS = ("euvsdisinfo", "claimreview", "csv", "jsonl", "outlets")
MAX_IMPORT_BYTES = 1 << 30  # 1 GiB of text (the full EUvsDisinfo export is ~30 MB): /dev/zero stops here
IMPORT_HINT = "the most one import reads; split the file"
Item = Entry | OutletLabel | tuple[str, str]
Located = tuple[str, Item]  # (where in the file, the item read there)
_KALKUN = {"date", "outlet", "language", "keywords", "source", "title", "summary", "disproof"}
_CKNABS = {"date", "id", "title", "countries", "keywords", "languages", "outlets"}
FIELDS = ("id", "claim", "verdict", "explanation", "title", "url", "date", "language", "outlet", "keywords")


def read_text(path: Path) -> str:
    """The file's text. A UTF-8 file with some undecodable bytes keeps them as lone surrogates
    (surrogateescape), so that the rows holding them are refused by `finish` with their row number rather
    than the whole file being guessed into another encoding (mojibake in every row); a file with no UTF-8 at
    all is decoded as the legacy code page it most likely is (cp1251 exports)."""
    try:
        with path.open("rb") as raw:
            if path.suffix == ".gz":
                # Decompressed a block at a time, so a small gzip bomb stops at the limit too.
                with gzip.GzipFile(fileobj=raw) as unzipped:
                    data = read_bounded(unzipped, MAX_IMPORT_BYTES, str(path), IMPORT_HINT)  # type: ignore[arg-type]
            else:
                data = read_bounded(raw, MAX_IMPORT_BYTES, str(path), IMPORT_HINT)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise KBError(str(path), "not a valid gzip file") from exc
    except OSError as exc:
        raise KBError(str(path), f"cannot read ({exc.strerror or exc})") from exc
    except IngestError as exc:
        raise KBError(str(path), exc.reason) from exc
    try:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            escaped = data.decode("utf-8", "surrogateescape")
            if any(ord(c) > 127 and not _UNDECODABLE.match(c) for c in escaped):
                decode_bytes(data[:8192].decode("utf-8", "ignore").encode("utf-8"), str(path))  # binary check
                return escaped
        return decode_bytes(data, str(path))
    except IngestError as exc:
        raise KBError(str(path), str(exc).split(": ", 1)[-1]) from exc


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _clean_text(value: str) -> str:
    return value.strip()


def finish(item: Entry | OutletLabel, where: str) -> Item:
    """The stored form of an importer's row (every text stripped, the verdict lowercase, keywords without
    blanks), so that exporting and importing it again changes nothing; a row holding undecodable bytes is
    refused with its row number instead of being stored garbled."""
    texts = [getattr(item, f.name) for f in fields(item) if isinstance(getattr(item, f.name), str)]
    if isinstance(item, Entry):
        texts += item.keywords
    bad = next((t for t in texts if _UNDECODABLE.search(t)), None)
    if bad is not None:
        byte = ord(_UNDECODABLE.search(bad).group()) - 0xDC00  # type: ignore[union-attr]
        return (where, f"not UTF-8: undecodable byte 0x{byte:02x} in this row (the file must be UTF-8)")
    if isinstance(item, OutletLabel):
        return OutletLabel(item.outlet.strip(), item.label.strip(), item.source.strip())
    values = {f.name: getattr(item, f.name) for f in fields(item)}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip()
    values["verdict"] = values["verdict"].lower().strip() or "unrated"
    values["keywords"] = [k.strip() for k in item.keywords if k.strip()]
    if not values["id"] or not values["claim"]:
        return (where, "no id" if not values["id"] else "no claim")
    return Entry(**values)


def _stable_id(prefix: str, *parts: str) -> str:
    return f"{prefix}:" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _iso_date(text: str) -> str:
    """'10/03/17' (EUvsDisinfo, m/d/y) or an ISO date -> YYYY-MM-DD; anything else kept as given."""
    text = text.strip()
    for fmt in ("%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text[:19] if "T" in text else text, fmt).date().isoformat()
        except ValueError:
            continue
    return text


def _csv_rows(path: Path, text: str, required: set[str]) -> tuple[list[str], Iterator[dict[str, str]]]:
    csv.field_size_limit(1 << 30)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise KBError(str(path), f"malformed CSV header ({exc})") from exc
    missing = required - set(header)
    if missing:
        raise KBError(
            str(path), f"missing required column(s): {', '.join(sorted(missing))} (header: {header})"
        )
    reader.fieldnames = header

    def rows() -> Iterator[dict[str, str]]:
        try:
            yield from reader
        except csv.Error as exc:  # the whole file is refused: its rows cannot be told apart any more
            raise KBError(str(path), f"malformed CSV at line {reader.line_num} ({exc})") from exc

    return header, rows()


def read_euvsdisinfo(path: Path) -> Iterator[Located]:
    text = read_text(path)
    try:
        first = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise KBError(str(path), f"malformed CSV header ({exc})") from exc
    header = {h.strip() for h in first}
    if header >= _KALKUN:
        _, rows = _csv_rows(path, text, _KALKUN)
        for n, r in enumerate(rows, start=2):
            summary, title = (r.get("summary") or "").strip(), (r.get("title") or "").strip()
            if not summary and not title:
                yield f"line {n}", (f"line {n}", "no title and no summary")
                continue
            yield (
                f"line {n}",
                finish(
                    Entry(
                        id=_stable_id(
                            "euvsdisinfo", r.get("date", ""), title, r.get("outlet", ""), r.get("source", "")
                        ),
                        claim=summary or title,
                        title=title,
                        verdict="disinformation",
                        explanation=(r.get("disproof") or "").strip(),
                        url=(r.get("source") or "").strip(),
                        date=_iso_date(r.get("date") or ""),
                        language=(r.get("language") or "").strip(),
                        outlet=(r.get("outlet") or "").strip(),
                        keywords=[k.strip() for k in (r.get("keywords") or "").split(",") if k.strip()],
                        source="euvsdisinfo",
                    ),
                    f"line {n}",
                ),
            )
    elif header >= _CKNABS:
        _, rows = _csv_rows(path, text, _CKNABS)
        for n, r in enumerate(rows, start=2):
            title = (r.get("title") or "").strip()
            if not title or not (r.get("id") or "").strip():
                yield f"line {n}", (f"line {n}", "no case id or no title")
                continue
            yield (
                f"line {n}",
                finish(
                    Entry(
                        id=r["id"].strip(),
                        claim=title,
                        title=title,
                        verdict="disinformation",
                        url=r["id"].strip(),
                        date=_iso_date(r.get("date") or ""),
                        language=(r.get("languages") or "").replace("+", ", "),
                        outlet=(r.get("outlets") or "").replace("+", ", "),
                        keywords=[k for k in (r.get("keywords") or "").split("+") if k],
                        source="euvsdisinfo",
                    ),
                    f"line {n}",
                ),
            )
    else:
        raise KBError(
            str(path),
            "not an EUvsDisinfo export: expected the case table (…, title, summary, disproof) or the case "
            f"list (date, id, title, countries, keywords, languages, outlets); header is {sorted(header)}",
        )


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("@id") or "")
    if isinstance(value, list) and value:
        return _name(value[0])
    return str(value or "")


def _claimreview_entry(obj: dict[str, Any], where: str) -> Item:
    if not isinstance(obj, dict):
        return (where, "not a JSON object")
    types = obj.get("@type")
    if types is not None and "ClaimReview" not in (types if isinstance(types, list) else [types]):
        return (where, f"@type is {types!r}, not ClaimReview")
    claim = str(obj.get("claimReviewed") or "").strip()
    if not claim:
        return (where, "no claimReviewed")
    rating = obj.get("reviewRating") or {}
    verdict = _name(rating.get("alternateName")) if isinstance(rating, dict) else ""
    if not verdict and isinstance(rating, dict) and rating.get("ratingValue") is not None:
        verdict = f"rating {rating.get('ratingValue')}/{rating.get('bestRating', '?')}"
    item = obj.get("itemReviewed") or {}
    url = str(obj.get("url") or obj.get("@id") or "")
    # `unspin kb export` writes the entry's own id and source (identifier, unspin:source): a round trip keeps
    # them; a review from elsewhere is known by its URL.
    identifier = str(obj.get("identifier") or "").strip()
    source = str(obj.get(EXPORT_SOURCE_KEY) or "").strip()
    raw_keywords = obj.get("keywords") or []
    keywords = (
        [str(k) for k in raw_keywords] if isinstance(raw_keywords, list) else str(raw_keywords).split(",")
    )
    return finish(
        Entry(
            id=identifier or url or _stable_id("claimreview", claim, str(obj.get("datePublished") or "")),
            claim=claim,
            verdict=verdict.lower() or "unrated",
            explanation=str(obj.get("reviewBody") or obj.get("description") or ""),
            title=str(obj.get("name") or obj.get("headline") or ""),
            url=url,
            date=_iso_date(str(obj.get("datePublished") or "")),
            language=_name(obj.get("inLanguage")),
            outlet=_name(item.get("author")) if isinstance(item, dict) else "",
            keywords=keywords,
            source=source
            or (f"claimreview:{_name(obj.get('author'))}" if obj.get("author") else "claimreview"),
        ),
        where,
    )


def read_claimreview(path: Path) -> Iterator[Located]:
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KBError(str(path), f"bad JSON-LD (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if isinstance(data, dict) and "@graph" in data:
        data = data["@graph"]
    if isinstance(data, dict) and "dataFeedElement" in data:  # Google's ClaimReview data feed
        data = [x.get("item", x) for x in data["dataFeedElement"] if isinstance(x, dict)]
    items = data if isinstance(data, list) else [data]
    for i, obj in enumerate(items):
        if isinstance(obj, list):  # a feed element may list several reviews
            for j, o in enumerate(obj):
                yield f"item {i}.{j}", _claimreview_entry(o, f"item {i}.{j}")
        else:
            yield f"item {i}", _claimreview_entry(obj, f"item {i}")


def _plain_entry(r: dict[str, Any], where: str, default_source: str) -> Item:
    claim = str(r.get("claim") or "").strip()
    if not claim:
        return (where, "no claim")
    kw = r.get("keywords") or []
    keywords = [
        str(k).strip() for k in (kw if isinstance(kw, list) else str(kw).split(";")) if str(k).strip()
    ]
    url = str(r.get("url") or "").strip()
    source = str(r.get("source") or "").strip() or default_source  # an export keeps each entry's source
    return finish(
        Entry(
            id=str(r.get("id") or "").strip() or _stable_id(default_source, claim, url),
            claim=claim,
            verdict=str(r.get("verdict") or "unrated").strip().lower(),
            explanation=str(r.get("explanation") or "").strip(),
            title=str(r.get("title") or "").strip(),
            url=url,
            date=_iso_date(str(r.get("date") or "")),
            language=str(r.get("language") or "").strip(),
            outlet=str(r.get("outlet") or "").strip(),
            keywords=keywords,
            source=source,
        ),
        where,
    )


def read_csv(path: Path) -> Iterator[Located]:
    _, rows = _csv_rows(path, read_text(path), {"claim"})
    for n, r in enumerate(rows, start=2):
        yield f"line {n}", _plain_entry(r, f"line {n}", "csv")


def read_jsonl(path: Path) -> Iterator[Located]:
    # Lines end at '\n' only: str.splitlines would also cut at U+2028, U+0085 and the like, which JSON
    # leaves unescaped inside strings.
    for n, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"line {n}", (f"line {n}", f"bad JSON ({exc.msg})")
            continue
        yield (
            f"line {n}",
            (
                _plain_entry(r, f"line {n}", "jsonl")
                if isinstance(r, dict)
                else (f"line {n}", "not a JSON object")
            ),
        )


def read_outlets(path: Path) -> Iterator[Located]:
    """Outlet labels: CSV with columns domain (a domain or an outlet name), label, source (who says so)."""
    _, rows = _csv_rows(path, read_text(path), {"domain", "label", "source"})
    for n, r in enumerate(rows, start=2):
        domain, label, source = (str(r.get(k) or "").strip() for k in ("domain", "label", "source"))
        if not (domain and label and source):
            yield f"line {n}", (f"line {n}", "domain, label and source are all required")
            continue
        yield f"line {n}", finish(OutletLabel(domain, label, source), f"line {n}")


READERS = {
    "euvsdisinfo": read_euvsdisinfo,
    "claimreview": read_claimreview,
    "csv": read_csv,
    "jsonl": read_jsonl,
    "outlets": read_outlets,
}


@dataclass
class Repeat:
    """A row whose id an earlier row of the same file already had, with different content: the first is
    kept, this one named (``differs``: the stored fields that differ)."""

    where: str
    first: str
    id: str
    differs: list[str]

    def describe(self) -> str:
        return f"{self.where} repeats {self.first} (id {self.id}) but differs in {', '.join(self.differs)}"


@dataclass
class ImportFile:
    """What one file gave: its items (rejections included, repeats left out), how many rows were exact
    repeats of an earlier row (skipped), and the conflicting repeats (named, the first row kept)."""

    items: list[Item]
    repeated: int = 0
    conflicts: list[Repeat] = field(default_factory=list)


def _differing(a: Entry, b: Entry) -> list[str]:
    return [f.name for f in fields(a) if getattr(a, f.name) != getattr(b, f.name)]


def read_import(path: Path, fmt: str) -> ImportFile:
    """The whole file read first, so that a file-level error is raised before the store is touched.

    A row repeated in the file is not an error: the public EUvsDisinfo case table holds 299 rows that are
    byte-identical copies of an earlier row (the scrape met the same case twice); a row whose stored entry
    equals the first one's is skipped and counted.
    A repeat whose content differs (three rows of that table give the same case another language) cannot be
    merged safely: the first row is kept and the repeat is named, so that the import still succeeds and the
    user sees which rows were left out.
    """
    if fmt not in READERS:
        raise KBError(fmt, f"unknown format (one of {', '.join(FORMATS)})")
    out = ImportFile(items=[])
    first: dict[str, tuple[str, Entry]] = {}
    for where, item in READERS[fmt](path):
        if isinstance(item, Entry):
            seen = first.get(item.id)
            if seen is None:
                first[item.id] = (where, item)
            elif seen[1] == item:
                out.repeated += 1
                continue
            else:
                out.conflicts.append(Repeat(where, seen[0], item.id, _differing(seen[1], item)))
                continue
        out.items.append(item)
    return out


def read_entries(path: Path, fmt: str) -> list[Item]:
    """The file's items (see `read_import`): exact repeats of an earlier row and conflicting repeats are left
    out, the first row of each id kept."""
    return read_import(path, fmt).items


EXPORT_SOURCE_KEY = "unspin:source"


def to_claimreview(e: Entry) -> dict[str, Any]:
    """The entry as schema.org ClaimReview, with its id (identifier) and source (unspin:source) so that
    importing the export gives the same entries."""
    out: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": e.id,
        EXPORT_SOURCE_KEY: e.source,
        "claimReviewed": e.claim,
        "reviewRating": {"@type": "Rating", "alternateName": e.verdict},
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization", "name": e.outlet}},
    }
    for key, value in (
        ("url", e.url),
        ("datePublished", e.date),
        ("reviewBody", e.explanation),
        ("name", e.title),
        ("inLanguage", e.language),
        ("keywords", e.keywords),
    ):
        if value:
            out[key] = value
    return out


def to_jsonl_row(e: Entry) -> dict[str, Any]:
    """The import columns and the entry's source (kept on re-import)."""
    return {f: getattr(e, f) for f in (*FIELDS, "source")}


def export_text(entries: list[Entry], fmt: str) -> str:
    """What `unspin kb export` writes: a ClaimReview JSON-LD list, or JSONL rows. Importing it with the same
    format gives the same entries (ids, sources and verdicts included)."""
    if fmt == "claimreview":
        return json.dumps([to_claimreview(e) for e in entries], ensure_ascii=False, indent=1) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(to_jsonl_row(e), ensure_ascii=False) + "\n" for e in entries)
    raise KBError(fmt, "unknown export format (claimreview or jsonl)")
