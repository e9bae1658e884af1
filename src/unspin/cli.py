"""Command line: `unspin analyze`, `unspin schema`. Errors are one line on stderr and exit code 2."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from unspin.errors import UnspinError
from unspin.ingest import DEFAULT_MAX_BYTES

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="unspin: read news articles and show, with evidence, how they manipulate.",
)
EXIT_INPUT_ERROR = 2


class Format(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def _fail(message: str) -> None:
    typer.echo(f"unspin: error: {message}", err=True)
    raise typer.Exit(EXIT_INPUT_ERROR)


def _write(path: Path, content: str) -> None:
    try:
        path.write_text(content, encoding="utf-8")
    except OSError as exc:
        _fail(f"{path}: cannot write ({exc.strerror})")


@app.command()
def analyze(
    source: Annotated[
        str | None,
        typer.Argument(
            help="A .txt/.html file, an http(s) URL, a .jsonl/.csv/.parquet corpus, the text itself, "
            "or '-' for stdin."
        ),
    ] = None,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="What to print (or write to --output).")
    ] = Format.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the --format output here.")
    ] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML report here.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the JSON report here.")] = None,
    row_id: Annotated[str | None, typer.Option("--id", help="Row id, for a corpus file.")] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Headline, for text given as an argument.")
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language code; skips detection.")] = None,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", help="Refuse inputs larger than this.")
    ] = DEFAULT_MAX_BYTES,
) -> None:
    """Analyse one article and report entities, quotes and sources, unattributed claims and signals."""
    from unspin.pipeline import analyze as run
    from unspin.render import render_html, render_json, render_text
    from unspin.render.text import print_summary

    if source is None:
        if sys.stdin.isatty():
            _fail("no article given (pass a file, a URL, text, or '-' for stdin)")
        source = "-"
    try:
        report = run(source, title=title, row_id=row_id, language=lang, max_bytes=max_bytes)
    except UnspinError as exc:
        _fail(str(exc))
        return
    if html:
        _write(html, render_html(report))
    if json_out:
        _write(json_out, render_json(report))
    if output is not None or format is not Format.text:
        rendered = {Format.json: render_json, Format.html: render_html, Format.text: render_text}[format](
            report
        )
        if output is not None:
            _write(output, rendered)
        else:
            sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
    else:
        # Piped output keeps its lines whole (tables wrap at 80 columns otherwise).
        print_summary(report, Console(width=None if sys.stdout.isatty() else 120))
    if html or json_out:
        written = ", ".join(str(p) for p in (html, json_out) if p)
        typer.echo(f"wrote {written}", err=format is not Format.text)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the schema here.")] = None,
) -> None:
    """Print the JSON Schema of the Report."""
    from unspin.render.json import report_schema

    text = json.dumps(report_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
        _write(output, text)
    else:
        sys.stdout.write(text)


@app.command()
def version() -> None:
    """Print unspin's version."""
    from unspin import __version__

    typer.echo(__version__)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
