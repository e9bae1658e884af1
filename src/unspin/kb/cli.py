"""`unspin kb …`: import, search, inspect and export the knowledge base of known claims."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from unspin.errors import UnspinError
from unspin.kb.store import ImportRejected, KBError

app = typer.Typer(no_args_is_help=True, help="The knowledge base of debunked claims and fact-checks.")
KBOption = Annotated[
    Path | None,
    typer.Option("--kb", help="Knowledge-base file (default $UNSPIN_KB or the user data directory)."),
]


class ImportFormat(StrEnum):
    euvsdisinfo = "euvsdisinfo"
    claimreview = "claimreview"
    csv = "csv"
    jsonl = "jsonl"
    outlets = "outlets"


class OnError(StrEnum):
    skip = "skip"
    abort = "abort"


EXIT_REJECTED = 1  # --on-error skip: the good rows were imported, some were rejected (each listed)


class ExportFormat(StrEnum):
    claimreview = "claimreview"
    jsonl = "jsonl"


def _fail(message: str) -> None:
    typer.echo(f"unspin: error: {message}", err=True)
    raise typer.Exit(2)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The file to import (.gz accepted).")],
    format: Annotated[ImportFormat, typer.Option("--format", "-f", help="The file's format.")],
    kb: KBOption = None,
    show_rejected: Annotated[int, typer.Option(help="How many rejected rows to list.")] = 10,
    embed: Annotated[
        bool, typer.Option("--embed", help="Also embed the new entries (see `kb embed`).")
    ] = False,
    on_error: Annotated[
        OnError,
        typer.Option(
            "--on-error",
            help="A rejected row (malformed, undecodable, without a claim): 'abort' imports nothing and "
            "names the rows (exit 2); 'skip' imports the good rows and lists the rejected ones (exit 1).",
        ),
    ] = OnError.abort,
) -> None:
    """Import entries: new ones are added, changed ones updated, identical ones skipped (one transaction)."""
    from unspin.kb import open_kb
    from unspin.kb.importers import read_import

    try:
        read = read_import(file, format.value)
        items = read.items
        good = sum(1 for item in items if not isinstance(item, tuple))
        if items and good == 0:
            where, reason = next(item for item in items if isinstance(item, tuple))
            raise KBError(
                str(file),
                f"no row could be read as {format.value} ({len(items)} rejected; the first, {where}: "
                f"{reason}): is it really a {format.value} file?",
            )
        store = open_kb(kb)
        result = store.upsert(items, on_error=on_error.value)
    except ImportRejected as exc:
        for where, reason in exc.result.rejected[:show_rejected]:
            typer.echo(f"  rejected {where}: {reason}", err=True)
        _fail(f"{file}: {exc.reason}")
        return
    except UnspinError as exc:
        _fail(str(exc))
        return
    repeats = f", {read.repeated} repeated row(s) skipped" if read.repeated else ""
    conflicts = f", {len(read.conflicts)} conflicting repeat(s) left out" if read.conflicts else ""
    typer.echo(
        f"{file}: added {result.added}, updated {result.updated}, skipped {result.skipped} (unchanged)"
        f"{repeats}{conflicts}, rejected {len(result.rejected)} -> {store.path}"
    )
    for repeat in read.conflicts[:show_rejected]:
        typer.echo(f"  conflicting repeat {repeat.describe()}: the first row was kept")
    for where, reason in result.rejected[:show_rejected]:
        typer.echo(f"  rejected {where}: {reason}")
    if embed:
        from unspin.kb.embeddings import embed_missing
        from unspin.models.registry import ModelRegistry

        typer.echo(f"embedded {embed_missing(store, ModelRegistry().get('encoder'))} entries")
    if result.rejected:
        raise typer.Exit(EXIT_REJECTED)


@app.command("embed")
def embed(kb: KBOption = None) -> None:
    """Compute multilingual embeddings for entries that have none (cross-lingual matching; ~7 ms an entry)."""
    from unspin.kb import open_kb
    from unspin.kb.embeddings import embed_missing
    from unspin.models.registry import ModelRegistry

    try:
        store = open_kb(kb)
        done = embed_missing(
            store,
            ModelRegistry().get("encoder"),
            progress=lambda i, n: typer.echo(f"\r  {i}/{n}", nl=False, err=True),
        )
    except UnspinError as exc:
        _fail(str(exc))
        return
    typer.echo(f"\nembedded {done} entries -> {store.path}", err=False)


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="A claim or any text.")],
    kb: KBOption = None,
    limit: Annotated[int, typer.Option(help="How many entries.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The entries closest to TEXT: BM25 over claim, title, disproof and keywords, plus embeddings if present."""
    from dataclasses import asdict

    from unspin.kb import open_kb
    from unspin.kb.retrieval import retrieve

    if not text.strip():
        _fail("search text: empty: give a claim or any text to look up")
    try:
        store = open_kb(kb, read_only=True)
        qvec = None
        if store.has_vectors():
            from unspin.models.registry import ModelRegistry

            qvec = ModelRegistry().get("encoder").embed([text])[0]
        hits = retrieve(store, text, limit=limit, query_vector=qvec)
    except UnspinError as exc:
        _fail(str(exc))
        return
    if as_json:
        rows = [
            {
                "similarity": round(h.similarity, 4),
                "bm25": round(h.bm25, 4),
                "dense": h.dense,
                **asdict(h.entry),
            }
            for h in hits
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for h in hits:
        e = h.entry
        typer.echo(
            f"{h.similarity:5.2f}  [{e.verdict}] {e.title or e.claim[:100]}  ({e.date}, {e.outlet or '?'})"
        )
        if e.explanation:
            typer.echo(f"        disproof: {e.explanation[:200]}")
        if e.url:
            typer.echo(f"        {e.url}")
    if not hits:
        typer.echo("no match")


@app.command("outlet")
def outlet(
    name: Annotated[str, typer.Argument(help="An outlet name, a domain or an article URL.")],
    kb: KBOption = None,
) -> None:
    """What the knowledge base knows about an outlet: cases citing it, first/last seen, user labels."""
    from dataclasses import asdict

    from unspin.kb import open_kb

    try:
        record = open_kb(kb, read_only=True).outlet(name)
    except UnspinError as exc:
        _fail(str(exc))
        return
    typer.echo(json.dumps(asdict(record) if record else None, ensure_ascii=False, indent=2))


@app.command("stats")
def stats(kb: KBOption = None) -> None:
    """Counts by source, verdict, language and outlet; date range."""
    from unspin.kb import open_kb

    try:
        typer.echo(json.dumps(open_kb(kb, read_only=True).stats(), ensure_ascii=False, indent=2))
    except UnspinError as exc:
        _fail(str(exc))


@app.command("export")
def export(
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")],
    kb: KBOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Every entry as ClaimReview JSON-LD (a list) or JSONL (the import columns): a round trip re-imports as-is."""
    from unspin.kb import open_kb
    from unspin.kb.importers import export_text

    try:
        entries = list(open_kb(kb, read_only=True).entries())
    except UnspinError as exc:
        _fail(str(exc))
        return
    text = export_text(entries, format.value)
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"{output}: cannot write ({exc.strerror or exc})")
    else:
        sys.stdout.write(text)
