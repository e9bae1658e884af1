"""The knowledge base of debunked claims and fact-checks: one small interface, SQLite + FTS5 behind it.

Analysers and the CLI use only `KnowledgeBase`; a server deployment can put PostgreSQL behind the same
methods. Entries keep a content hash so that re-importing a file changes nothing, and every import runs in
one transaction so a failure leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from unspin.errors import UnspinError
from unspin.nlp.stems import STOP


class KBError(UnspinError):
    """The knowledge base or a file given to it cannot be used (the message says which and why)."""


@dataclass
class Entry:
    """One known claim: what was claimed, the verdict or disproof, and where it comes from."""

    id: str
    claim: str
    verdict: str = "false"
    explanation: str = ""
    title: str = ""
    url: str = ""
    date: str = ""
    language: str = ""
    outlet: str = ""
    keywords: list[str] = field(default_factory=list)
    source: str = ""  # which import format/collection it came from

    def content_hash(self) -> str:
        return hashlib.sha1(json.dumps(asdict(self), sort_keys=True).encode("utf-8")).hexdigest()


@dataclass
class Hit:
    entry: Entry
    score: float  # BM25 from FTS5, higher is better (sign flipped from SQLite's)


@dataclass
class OutletLabel:
    """A user-supplied label for an outlet (domain or name), and who gave it."""

    outlet: str
    label: str
    source: str


@dataclass
class OutletRecord:
    """What the knowledge base knows about an outlet: its cases and the labels users gave it."""

    outlet: str
    cases: int
    first_seen: str | None
    last_seen: str | None
    labels: list[OutletLabel]
    case_ids: list[str]


def outlet_key(name_or_url: str) -> str:
    """'https://www.ria.ru/x' -> 'ria.ru'; 'RIA Novosti' -> 'ria novosti'."""
    from urllib.parse import urlsplit

    text = name_or_url.strip().lower()
    if "://" in text:
        text = urlsplit(text).hostname or text
    return text.removeprefix("www.")


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (row, reason)


class ImportRejected(KBError):
    """An import with --on-error abort met rejected rows: nothing was written; ``result.rejected`` names them."""

    def __init__(self, result: ImportResult, source: str = "import") -> None:
        rows = ", ".join(where for where, _ in result.rejected[:5])
        more = f" and {len(result.rejected) - 5} more" if len(result.rejected) > 5 else ""
        first = result.rejected[0][1]
        super().__init__(
            source,
            f"{len(result.rejected)} row(s) rejected ({rows}{more}; the first: {first}); nothing was imported "
            "(--on-error skip imports the good rows)",
        )
        self.result = result


class KnowledgeBase(Protocol):
    def upsert(self, entries: Iterable[Entry | OutletLabel | tuple[str, str]]) -> ImportResult: ...
    def outlet(self, name_or_url: str) -> OutletRecord | None: ...
    def dense_search(self, vec: np.ndarray, limit: int = 30) -> list[tuple[Entry, float]]: ...
    def dense_scores(self, vec: np.ndarray, entry_ids: list[str]) -> dict[str, float]: ...
    def has_vectors(self) -> bool: ...
    def search(self, text: str, limit: int = 10, max_terms: int = ...) -> list[Hit]: ...
    def get(self, entry_id: str) -> Entry | None: ...
    def stats(self) -> dict[str, object]: ...
    def entries(self) -> Iterator[Entry]: ...


def default_path() -> Path:
    """$UNSPIN_KB, else unspin/kb.sqlite under the user's data directory (XDG_DATA_HOME or ~/.local/share)."""
    if os.environ.get("UNSPIN_KB"):
        return Path(os.environ["UNSPIN_KB"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "unspin" / "kb.sqlite"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY, claim TEXT NOT NULL, verdict TEXT, explanation TEXT, title TEXT, url TEXT,
    date TEXT, language TEXT, outlet TEXT, keywords TEXT, source TEXT, hash TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(
    title, claim, explanation, keywords, content='entries', content_rowid='rowid', tokenize='unicode61'
);
CREATE TABLE IF NOT EXISTS outlet_labels (
    outlet TEXT NOT NULL, label TEXT NOT NULL, source TEXT NOT NULL, PRIMARY KEY (outlet, label, source)
);
CREATE TABLE IF NOT EXISTS vectors (id TEXT PRIMARY KEY, hash TEXT NOT NULL, vec BLOB NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_vocab USING fts5vocab(entries_fts, 'row');
CREATE TRIGGER IF NOT EXISTS entries_ai AFTER INSERT ON entries BEGIN
  INSERT INTO entries_fts(rowid, title, claim, explanation, keywords)
  VALUES (new.rowid, new.title, new.claim, new.explanation, new.keywords);
END;
CREATE TRIGGER IF NOT EXISTS entries_ad AFTER DELETE ON entries BEGIN
  INSERT INTO entries_fts(entries_fts, rowid, title, claim, explanation, keywords)
  VALUES ('delete', old.rowid, old.title, old.claim, old.explanation, old.keywords);
END;
CREATE TRIGGER IF NOT EXISTS entries_au AFTER UPDATE ON entries BEGIN
  INSERT INTO entries_fts(entries_fts, rowid, title, claim, explanation, keywords)
  VALUES ('delete', old.rowid, old.title, old.claim, old.explanation, old.keywords);
  INSERT INTO entries_fts(rowid, title, claim, explanation, keywords)
  VALUES (new.rowid, new.title, new.claim, new.explanation, new.keywords);
END;
"""
# One statement each: they run inside the writer's transaction (executescript would commit it first).
_SCHEMA_STATEMENTS = [s.strip() for s in re.split(r";\n(?=CREATE)", _SCHEMA.strip().removesuffix(";"))]
_COLUMNS = (
    "id",
    "claim",
    "verdict",
    "explanation",
    "title",
    "url",
    "date",
    "language",
    "outlet",
    "keywords",
    "source",
)
_WORD = re.compile(r"\w+", re.UNICODE)


def content_words(text: str) -> list[str]:
    """The text's distinct words that can carry meaning (no stop words, no bare numbers), in order."""
    words = dict.fromkeys(w.lower() for w in _WORD.findall(text) if len(w) > 2)
    return [w for w in words if w not in STOP and not w.isdigit()]


def match_query(words: list[str]) -> str:
    """An FTS5 query that ORs the words, each quoted, so no user text is read as FTS syntax."""
    return " OR ".join(f'"{w}"' for w in words)


MAX_QUERY_TERMS = 6  # the rarest words of the query: each OR term's posting list is read in full


BUSY_TIMEOUT_S = 60.0  # a writer waits this long for another import to commit before giving up


class SqliteKB:
    """The embedded default: one SQLite file.

    ``read_only`` opens an existing file without creating or changing anything (search, stats, export, the
    analysis); a missing, corrupt or foreign file is a KBError. Writers take SQLite's write lock before their
    first read (BEGIN IMMEDIATE), so two imports at once run one after the other instead of both reading an
    id as new and the second failing on the insert.
    """

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self._matrix: tuple[int, list[str], np.ndarray] | None = None
        self._index: dict[str, int] | None = None
        memory = str(path) == ":memory:"
        try:
            if read_only and not memory:
                if not self.path.is_file():
                    raise KBError(str(path), "no such knowledge base (import one with `unspin kb import`)")
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
                self._check_schema()
                return
            if not memory:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: the writers open their transactions themselves (BEGIN IMMEDIATE).
            self.db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self._check_schema(allow_empty=True)
            with self._write():
                for statement in _SCHEMA_STATEMENTS:
                    self.db.execute(statement)
        except sqlite3.DatabaseError as exc:
            raise KBError(str(path), f"not a usable unspin knowledge base ({exc})") from exc
        except OSError as exc:
            raise KBError(str(path), f"cannot open ({exc.strerror or exc})") from exc

    def _check_schema(self, *, allow_empty: bool = False) -> None:
        """Reading the table list fails on a file that is not SQLite; another program's SQLite file has
        tables, but not ours."""
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "entries" in tables or (allow_empty and not tables):
            if "entries" in tables:
                self.db.execute("SELECT COUNT(*) FROM entries").fetchone()  # a damaged table fails here
            return
        raise KBError(
            str(self.path),
            "not an unspin knowledge base (a SQLite file without its tables)"
            if tables
            else "an empty database, not an unspin knowledge base (import one with `unspin kb import`)",
        )

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, the lock taken up front; committed on success, rolled back on any error."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # locked past the busy timeout, or a read-only file
            raise KBError(str(self.path), f"cannot write ({exc})") from exc
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def _row(self, row: tuple) -> Entry:
        values = dict(zip(_COLUMNS, row, strict=True))
        values["keywords"] = json.loads(values["keywords"] or "[]")
        return Entry(**values)

    def upsert(
        self, entries: Iterable[Entry | OutletLabel | tuple[str, str]], *, on_error: str = "skip"
    ) -> ImportResult:
        """Add new entries, update changed ones, skip identical ones: all in one transaction.

        Items that are (row, reason) pairs are rejections from the importer, counted and kept for the report.
        ``on_error='abort'``: any rejection rolls everything back and raises ImportRejected naming the rows;
        ``'skip'``: the good rows are kept. An exception from the iterable (a malformed file) rolls everything
        back.
        """
        if on_error not in ("skip", "abort"):
            raise ValueError(f"on_error must be 'skip' or 'abort', not {on_error!r}")
        result = ImportResult()
        seen: set[str] = set()
        with self._write():
            for item in entries:
                if isinstance(item, tuple):
                    result.rejected.append(item)
                    continue
                if isinstance(item, OutletLabel):
                    cur = self.db.execute(
                        "INSERT OR IGNORE INTO outlet_labels VALUES (?, ?, ?)",
                        (outlet_key(item.outlet), item.label, item.source),
                    )
                    result.added += cur.rowcount
                    result.skipped += 1 - cur.rowcount
                    continue
                if item.id in seen:
                    result.rejected.append((item.id, "duplicate id in this file (first one kept)"))
                    continue
                seen.add(item.id)
                h = item.content_hash()
                old = self.db.execute("SELECT hash FROM entries WHERE id = ?", (item.id,)).fetchone()
                values = [getattr(item, c) for c in _COLUMNS]
                values[_COLUMNS.index("keywords")] = json.dumps(item.keywords, ensure_ascii=False)
                if old is None:
                    self.db.execute(
                        f"INSERT INTO entries ({', '.join(_COLUMNS)}, hash) VALUES ({', '.join('?' * 12)})",
                        (*values, h),
                    )
                    result.added += 1
                elif old[0] != h:
                    sets = ", ".join(f"{c} = ?" for c in _COLUMNS[1:])
                    self.db.execute(
                        f"UPDATE entries SET {sets}, hash = ? WHERE id = ?", (*values[1:], h, item.id)
                    )
                    result.updated += 1
                else:
                    result.skipped += 1
            if result.rejected and on_error == "abort":
                raise ImportRejected(result)  # rolls the transaction back: nothing of the file is kept
        return result

    def search(self, text: str, limit: int = 10, max_terms: int = MAX_QUERY_TERMS) -> list[Hit]:
        """BM25 over the rarest ``max_terms`` content words of ``text`` that the store contains.

        On 100,000 entries an OR over all of a claim's words took 60-170 ms, the six rarest 8 ms, and the
        rare words are the ones that tell one known claim from another. Claim retrieval over a 10,000-claim
        pool (`unspin eval claim-retrieval`) reads more of a tweet's words: there the cost is small.
        """
        words = content_words(text)
        if not words:
            return []
        df = dict(
            self.db.execute(
                f"SELECT term, doc FROM entries_vocab WHERE term IN ({', '.join('?' * len(words))})", words
            ).fetchall()
        )
        rare = sorted((w for w in words if w in df), key=lambda w: df[w])[:max_terms]
        if not rare:
            return []
        query = match_query(rare)
        rows = self.db.execute(
            f"SELECT {', '.join('e.' + c for c in _COLUMNS)}, bm25(entries_fts) FROM entries_fts "
            "JOIN entries e ON e.rowid = entries_fts.rowid WHERE entries_fts MATCH ? "
            "ORDER BY bm25(entries_fts) LIMIT ?",
            (query, limit),
        ).fetchall()
        return [Hit(self._row(r[:-1]), -float(r[-1])) for r in rows]

    def get(self, entry_id: str) -> Entry | None:
        row = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
        return self._row(row) if row else None

    def outlet(self, name_or_url: str) -> OutletRecord | None:
        """Cases that cite the outlet (by name, or by the domain of their source URL) and its labels."""
        key = outlet_key(name_or_url)
        if not key:
            return None
        like_domain = f"%://{key}/%", f"%://www.{key}/%", f"%.{key}/%"
        rows = self.db.execute(
            "SELECT id, date FROM entries WHERE lower(outlet) = ? OR (',' || lower(outlet) || ',') LIKE ? "
            "OR url LIKE ? OR url LIKE ? OR url LIKE ? ORDER BY date",
            (key, f"%, {key},%", *like_domain),
        ).fetchall()
        labels = [
            OutletLabel(o, lab, src)
            for o, lab, src in self.db.execute(
                "SELECT outlet, label, source FROM outlet_labels WHERE outlet = ? ORDER BY label", (key,)
            )
        ]
        if not rows and not labels:
            return None
        dates = [d for _, d in rows if d]
        return OutletRecord(
            outlet=key,
            cases=len(rows),
            first_seen=min(dates) if dates else None,
            last_seen=max(dates) if dates else None,
            labels=labels,
            case_ids=[i for i, _ in rows[:20]],
        )

    # --- the vector index: multilingual embeddings of title + claim, float16, computed by `unspin kb embed`
    def has_vectors(self) -> bool:
        return self.db.execute("SELECT 1 FROM vectors LIMIT 1").fetchone() is not None

    def missing_vectors(self) -> list[Entry]:
        """Entries with no vector, or whose content changed since it was computed."""
        rows = self.db.execute(
            f"SELECT {', '.join('e.' + c for c in _COLUMNS)} FROM entries e LEFT JOIN vectors v ON v.id = e.id "
            "WHERE v.id IS NULL OR v.hash != e.hash ORDER BY e.id"
        ).fetchall()
        return [self._row(r) for r in rows]

    def set_vectors(self, items: list[tuple[str, np.ndarray]]) -> None:
        with self._write():
            for entry_id, vec in items:
                h = self.db.execute("SELECT hash FROM entries WHERE id = ?", (entry_id,)).fetchone()
                if h:
                    self.db.execute(
                        "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                        (entry_id, h[0], np.asarray(vec, dtype=np.float16).tobytes()),
                    )
        self._matrix = None

    def vector_matrix(self) -> tuple[list[str], np.ndarray]:
        """(ids, unit vectors), read once and kept until vectors change.

        Stored as float16 (half the file); held as float32 because numpy has no fast float16 product: a query
        against 100,000 vectors took ~100 ms in float16 and a few ms in float32 (150 MB in memory).
        """
        # MAX(rowid) is read from the b-tree's edge and changes on every insert or replace; COUNT(*) would
        # scan 80 MB of vectors on each query.
        count = self.db.execute("SELECT MAX(rowid) FROM vectors").fetchone()[0] or 0
        if self._matrix is None or self._matrix[0] != count:
            rows = self.db.execute("SELECT id, vec FROM vectors ORDER BY id").fetchall()
            mat = (
                np.stack([np.frombuffer(v, dtype=np.float16) for _, v in rows]).astype(np.float32)
                if rows
                else np.zeros((0, 384), dtype=np.float32)
            )
            self._matrix = (count, [i for i, _ in rows], mat)
        _, ids, matrix = self._matrix
        return ids, matrix

    def dense_scores(self, vec: np.ndarray, entry_ids: list[str]) -> dict[str, float]:
        """Cosine of ``vec`` with the vectors of the given entries (those that have one)."""
        ids, mat = self.vector_matrix()
        if self._index is None or len(self._index) != len(ids):
            self._index = {i: n for n, i in enumerate(ids)}
        rows = [(e, self._index[e]) for e in entry_ids if e in self._index]
        if not rows:
            return {}
        sims = np.einsum("ij,j->i", mat[[r for _, r in rows]], np.asarray(vec, dtype=np.float32))
        return {e: float(x) for (e, _), x in zip(rows, sims, strict=True)}

    def dense_search(self, vec: np.ndarray, limit: int = 30) -> list[tuple[Entry, float]]:
        ids, mat = self.vector_matrix()
        if not ids:
            return []
        # einsum, not BLAS: OpenBLAS threads keep spinning for a while after a product and starved the e5
        # encoder that runs next (its 80-token query took 83 ms instead of 40 right after a BLAS matvec).
        # Single-threaded einsum costs 6.9 ms over 100,000 vectors against BLAS's 5.2.
        sims = np.einsum("ij,j->i", mat, np.asarray(vec, dtype=np.float32))
        top = np.argpartition(-sims, min(limit, len(sims) - 1))[:limit]
        top = top[np.argsort(-sims[top])]
        out = []
        for i in top:
            e = self.get(ids[int(i)])
            if e is not None:
                out.append((e, float(sims[int(i)])))
        return out

    def entries(self) -> Iterator[Entry]:
        for row in self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM entries ORDER BY id"):
            yield self._row(row)

    def stats(self) -> dict[str, object]:
        count = self.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]

        def by(col: str) -> dict[str, int]:
            rows = self.db.execute(
                f"SELECT COALESCE(NULLIF({col}, ''), '?'), COUNT(*) FROM entries GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
            )
            return {k: n for k, n in rows}

        dates = self.db.execute("SELECT MIN(NULLIF(date, '')), MAX(NULLIF(date, '')) FROM entries").fetchone()
        return {
            "path": str(self.path),
            "entries": count,
            "outlet_labels": self.db.execute("SELECT COUNT(*) FROM outlet_labels").fetchone()[0],
            "vectors": self.db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0],
            "by_source": by("source"),
            "by_verdict": by("verdict"),
            "by_language": by("language"),
            "top_outlets": by("outlet"),
            "first_date": dates[0],
            "last_date": dates[1],
        }
