"""The server's SQLite store: reports by content hash, and jobs whose articles survive a restart.

Every article of a job is a row. A worker claims one row at a time (owner = this run's boot id and the
worker's pid) and writes its report and 'done' in one transaction, so a killed server leaves the row pending
or claimed, never half-done; the next run takes back the claims of older runs and of dead workers. Each
article is therefore analysed to completion exactly once and appears once in the results.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS reports (
  id TEXT PRIMARY KEY, created REAL NOT NULL, json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, created REAL NOT NULL, total INTEGER NOT NULL, options TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS job_items (
  job_id TEXT NOT NULL, seq INTEGER NOT NULL,
  article TEXT,                -- the Article as JSON; NULL when the row could not be read
  state TEXT NOT NULL,         -- pending | running | done | error
  owner TEXT, report_id TEXT, error TEXT, finished REAL,
  PRIMARY KEY (job_id, seq)
);
CREATE INDEX IF NOT EXISTS job_items_pending ON job_items (state, job_id, seq);
"""


def content_hash(payload: dict[str, Any]) -> str:
    """The id of a report: a hash of what was analysed and how (same input, same id)."""
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:32]


def new_job_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Claim:
    job_id: str
    seq: int
    article: dict[str, Any]
    options: dict[str, Any]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    def __init__(self, path: str | Path, owner: str) -> None:
        self.path = Path(path)
        self.owner = owner  # "<boot id>:<pid>"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA busy_timeout = 30000")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    # Reports -------------------------------------------------------------------------------------------

    def put_report(self, report_id: str, report_json: str) -> None:
        with self.lock:
            self.db.execute(
                "INSERT OR REPLACE INTO reports (id, created, json) VALUES (?, ?, ?)",
                (report_id, time.time(), report_json),
            )

    def get_report(self, report_id: str) -> str | None:
        with self.lock:
            row = self.db.execute("SELECT json FROM reports WHERE id = ?", (report_id,)).fetchone()
        return row[0] if row else None

    # Jobs ----------------------------------------------------------------------------------------------

    def create_job(self, items: list[dict[str, Any] | str], options: dict[str, Any]) -> str:
        """A job of articles (dicts) and unreadable rows (their error message), all in one transaction."""
        job_id = new_job_id()
        rows = [
            (job_id, seq, None, "error", item, time.time())
            if isinstance(item, str)
            else (job_id, seq, json.dumps(item, ensure_ascii=False), "pending", None, None)
            for seq, item in enumerate(items)
        ]
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO jobs (id, created, total, options) VALUES (?, ?, ?, ?)",
                (job_id, time.time(), len(items), json.dumps(options)),
            )
            self.db.executemany(
                "INSERT INTO job_items (job_id, seq, article, state, error, finished) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            self.db.execute("COMMIT")
        return job_id

    def release_stale_claims(self) -> int:
        """Give back to 'pending' the articles claimed by an earlier run or by a worker that died."""
        boot = self.owner.split(":")[0]
        with self.lock:
            owners = [
                r[0] for r in self.db.execute("SELECT DISTINCT owner FROM job_items WHERE state='running'")
            ]
            stale = [
                o for o in owners if o.split(":")[0] != boot or not _pid_alive(int(o.split(":")[1] or 0))
            ]
            n = 0
            for o in stale:
                n += self.db.execute(
                    "UPDATE job_items SET state='pending', owner=NULL WHERE state='running' AND owner=?", (o,)
                ).rowcount
        return n

    def claim_next(self) -> Claim | None:
        """Take the oldest pending article of the oldest job for this worker, or None."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                row = self.db.execute(
                    "SELECT i.job_id, i.seq, i.article, j.options FROM job_items i JOIN jobs j ON j.id = i.job_id "
                    "WHERE i.state = 'pending' ORDER BY j.created, i.seq LIMIT 1"
                ).fetchone()
                if row is not None:
                    self.db.execute(
                        "UPDATE job_items SET state='running', owner=? WHERE job_id=? AND seq=?",
                        (self.owner, row[0], row[1]),
                    )
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        if row is None:
            return None
        return Claim(row[0], row[1], json.loads(row[2]), json.loads(row[3]))

    def finish(
        self,
        claim: Claim,
        *,
        report_id: str | None = None,
        report_json: str | None = None,
        error: str | None = None,
    ) -> bool:
        """Record an article's report (or error) and mark it finished, atomically. False if no longer ours."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                updated = self.db.execute(
                    "UPDATE job_items SET state=?, report_id=?, error=?, finished=?, owner=NULL "
                    "WHERE job_id=? AND seq=? AND state='running' AND owner=?",
                    (
                        "error" if error else "done",
                        report_id,
                        error,
                        time.time(),
                        claim.job_id,
                        claim.seq,
                        self.owner,
                    ),
                ).rowcount
                if updated and report_id and report_json:
                    self.db.execute(
                        "INSERT OR REPLACE INTO reports (id, created, json) VALUES (?, ?, ?)",
                        (report_id, time.time(), report_json),
                    )
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return bool(updated)

    def pending_count(self) -> int:
        with self.lock:
            return int(
                self.db.execute(
                    "SELECT COUNT(*) FROM job_items WHERE state IN ('pending', 'running')"
                ).fetchone()[0]
            )

    def job(self, job_id: str, *, max_items: int = 1000) -> dict[str, Any] | None:
        with self.lock:
            job = self.db.execute("SELECT created, total FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if job is None:
                return None
            counts = dict(
                self.db.execute(
                    "SELECT state, COUNT(*) FROM job_items WHERE job_id=? GROUP BY state", (job_id,)
                )
            )
            items = self.db.execute(
                "SELECT seq, article, state, report_id, error FROM job_items WHERE job_id=? ORDER BY seq LIMIT ?",
                (job_id, max_items),
            ).fetchall()
        done, failed = counts.get("done", 0), counts.get("error", 0)
        unfinished = counts.get("pending", 0) + counts.get("running", 0)
        state = (
            "finished"
            if unfinished == 0
            else ("running" if done + failed or counts.get("running") else "queued")
        )
        return {
            "id": job_id,
            "state": state,
            "created": job[0],
            "total": job[1],
            "progress": round((done + failed) / job[1], 4) if job[1] else 1.0,
            "counts": {k: counts.get(k, 0) for k in ("pending", "running", "done", "error")},
            "errors": [{"index": seq, "error": err} for seq, _, st, _, err in items if st == "error"],
            "items": [
                {
                    "index": seq,
                    "article_id": (json.loads(art) or {}).get("id") if art else None,
                    "title": (json.loads(art) or {}).get("title") if art else None,
                    "state": st,
                    "report_id": rid,
                }
                for seq, art, st, rid, _ in items
            ],
        }

    def jobs(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.lock:
            ids = [
                r[0] for r in self.db.execute("SELECT id FROM jobs ORDER BY created DESC LIMIT ?", (limit,))
            ]
        out = []
        for job_id in ids:
            job = self.job(job_id, max_items=0)
            if job:
                del job["items"]
                out.append(job)
        return out

    def results(self, job_id: str) -> Iterator[dict[str, Any]]:
        """The finished articles of a job in input order: report, or error, one dict each."""
        last = -1
        while True:  # in pages, so that a large job streams without holding the lock or the whole result
            with self.lock:
                rows = self.db.execute(
                    "SELECT i.seq, i.article, i.state, i.report_id, i.error, r.json FROM job_items i "
                    "LEFT JOIN reports r ON r.id = i.report_id "
                    "WHERE i.job_id=? AND i.seq > ? AND i.state IN ('done', 'error') ORDER BY i.seq LIMIT 200",
                    (job_id, last),
                ).fetchall()
            if not rows:
                return
            for seq, art, state, rid, err, report in rows:
                last = seq
                article = json.loads(art) if art else {}
                row: dict[str, Any] = {"index": seq, "article_id": article.get("id"), "state": state}
                if state == "done":
                    row["report_id"] = rid
                    row["report"] = json.loads(report) if report else None
                else:
                    row["error"] = err
                yield row
