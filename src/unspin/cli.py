"""Command line: `unspin analyze`, `unspin schema`. Errors are one line on stderr and exit code 2."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from unspin.cli_checks import (
    check_kb_file,
    check_output_path,
    language_option,
    row_id_option,
    write_all,
)
from unspin.errors import UnspinError
from unspin.ingest.limits import DEFAULT_MAX_BYTES, MAX_BYTES_ENV
from unspin.models.registry import ROLES
from unspin.nlp.language import SUPPORTED_LANGUAGES

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="unspin: read news articles and show, with evidence, how they manipulate.",
)
EXIT_INPUT_ERROR = 2
EXIT_PARTIAL = 1  # a folder or corpus run wrote what it could but skipped some inputs (each named on stderr)


class Format(StrEnum):
    text = "text"
    json = "json"
    html = "html"


# Options that `analyze` and `compare` share.
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="What to print (or write to --output).")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write the --format output here.")]
JsonOption = Annotated[Path | None, typer.Option("--json", help="Also write the JSON report here.")]


def _fail(message: str) -> None:
    typer.echo(f"unspin: error: {message}", err=True)
    raise typer.Exit(EXIT_INPUT_ERROR)


def _write(path: Path, content: str) -> None:
    try:
        check_output_path(path)
        write_all([(path, content)])
    except UnspinError as exc:
        _fail(str(exc))


@app.command()
def analyze(
    source: Annotated[
        str | None,
        typer.Argument(
            help="A .txt/.html file, an http(s) URL, a .jsonl/.csv/.parquet corpus, the text itself, "
            "or '-' for stdin."
        ),
    ] = None,
    format: FormatOption = Format.text,
    output: OutputOption = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML report here.")] = None,
    json_out: JsonOption = None,
    row_id: Annotated[
        str | None, typer.Option("--id", help="Row id, for a corpus file.", callback=row_id_option)
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Headline, for text given as an argument.")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=f"Language code; skips detection (one of {', '.join(SUPPORTED_LANGUAGES)}).",
            callback=language_option,
        ),
    ] = None,
    max_bytes: Annotated[
        int,
        typer.Option(
            "--max-bytes",
            min=1,
            envvar=MAX_BYTES_ENV,
            help="Refuse inputs larger than this (read no further than it).",
        ),
    ] = DEFAULT_MAX_BYTES,
    kb: Annotated[
        Path | None, typer.Option("--kb", help="Knowledge base of known narratives (default $UNSPIN_KB).")
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            metavar="ROLE=PATH",
            help="Serve a model role from another artifact folder (repeatable). Roles: "
            + ", ".join(ROLES)
            + ".",
        ),
    ] = None,
) -> None:
    """Analyse one article: persuasion techniques, frames and genre, check-worthy claims, the headline check,
    known narratives, quotes and sources, unattributed assertions, entities, naming and signals."""
    from unspin.ingest import load_article
    from unspin.models.registry import parse_overrides

    if source is None:
        if sys.stdin.isatty():
            _fail("no article given (pass a file, a URL, text, or '-' for stdin)")
        source = "-"
    try:
        # Everything that can be refused is refused before the analysis, which takes seconds.
        for path in (p for p in (output, html, json_out) if p is not None):
            check_output_path(path)
        if kb is not None:
            check_kb_file(kb)
        overrides = parse_overrides(model or [])
        article = load_article(source, title=title, row_id=row_id, max_bytes=max_bytes)
        from unspin.pipeline import Pipeline  # the models' imports only once the input is read
        from unspin.render import render_html, render_json, render_text

        report = Pipeline(models=overrides, kb=kb).analyze(article, language=lang)
        outputs = [(p, render(report)) for p, render in ((html, render_html), (json_out, render_json)) if p]
        rendered = None
        if output is not None or format is not Format.text:
            rendered = {Format.json: render_json, Format.html: render_html, Format.text: render_text}[format](
                report
            )
            if output is not None:
                outputs.append((output, rendered))
        write_all(outputs)  # all of them or none
    except UnspinError as exc:
        _fail(str(exc))
        return
    if rendered is not None and output is None:
        sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
    elif rendered is None:
        from unspin.render.text import print_summary

        # Piped output keeps its lines whole (tables wrap at 80 columns otherwise).
        print_summary(report, Console(width=None if sys.stdout.isatty() else 120))
    if html or json_out:
        written = ", ".join(str(p) for p in (html, json_out) if p)
        typer.echo(f"wrote {written}", err=format is not Format.text)


@app.command()
def compare(
    article: Annotated[
        str, typer.Argument(help="The article: a .txt/.html file, an http(s) URL, HTML or text.")
    ],
    source: Annotated[str, typer.Argument(help="The source it cites, in any of the same forms.")],
    format: FormatOption = Format.text,
    output: OutputOption = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the side-by-side view here.")
    ] = None,
    json_out: JsonOption = None,
    title: Annotated[str | None, typer.Option("--title", help="The article's headline.")] = None,
    source_title: Annotated[str | None, typer.Option("--source-title", help="The source's headline.")] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help="The article's language code; skips detection.", callback=language_option
        ),
    ] = None,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, envvar=MAX_BYTES_ENV, help="Refuse larger inputs.")
    ] = DEFAULT_MAX_BYTES,
) -> None:
    """Hold an article against the source it cites: each quote and sentence verbatim, trimmed, paraphrased,
    changed (numbers, dates, actors, negations, hedges, modals) or not in the source; the headline's elements
    and the claims looked up in the source; the check-worthy source sentences the article leaves out."""
    try:
        for path in (p for p in (output, html, json_out) if p is not None):
            check_output_path(path)
        from unspin.comparison.inputs import load_side
        from unspin.server.ssrf import SafeFetcher

        fetch = SafeFetcher(max_bytes=max_bytes).article
        left = load_side(article, "article", fetch, title=title, max_bytes=max_bytes)
        right = load_side(source, "source", fetch, title=source_title, max_bytes=max_bytes)
        from unspin.comparison import compare_articles
        from unspin.pipeline import Pipeline
        from unspin.render import render_json, render_text
        from unspin.render.compare_html import render_comparison_html

        report = compare_articles(Pipeline(), left, right, language=lang)
        renderers = {Format.json: render_json, Format.html: render_comparison_html, Format.text: render_text}
        outputs = [(p, r(report)) for p, r in ((html, render_comparison_html), (json_out, render_json)) if p]
        rendered = renderers[format](report)
        if output is not None:
            outputs.append((output, rendered))
        write_all(outputs)
    except UnspinError as exc:
        _fail(str(exc))
        return
    if output is None:
        sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
    if html or json_out:
        typer.echo(f"wrote {', '.join(str(p) for p in (html, json_out) if p)}", err=True)


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
def stance(
    headline: Annotated[str, typer.Argument(help="The headline or claim, or a file holding it.")],
    body: Annotated[
        str,
        typer.Argument(
            help="The body: a .txt/.html file (its title line is left out), a URL, or '-' for stdin."
        ),
    ],
    lang: Annotated[str | None, typer.Option("--lang", help="Language code; skips detection.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the HeadlineCheck as JSON.")] = False,
) -> None:
    """Does the body back the headline? FNC-1 stance and the headline's key elements, with evidence."""
    from unspin.ingest import load_article, read_file
    from unspin.ingest.decode import decode_bytes
    from unspin.pipeline import stance as run

    try:
        path = Path(headline)
        if "\n" not in headline and len(headline) < 4096 and path.is_file():
            headline = decode_bytes(read_file(path), str(path)).strip()
        art = load_article(body if body == "-" or body.startswith(("http://", "https://")) else Path(body))
        # An article file's own title line is not evidence for the headline: only its body counts.
        result = run(headline, art.body, language=lang)
    except UnspinError as exc:
        _fail(str(exc))
        return
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    typer.echo(f"verdict: {result.verdict}")
    if result.stance:
        probs = ", ".join(f"{k} {v:.2f}" for k, v in result.stance_probabilities.items())
        typer.echo(f"stance:  {result.stance} ({probs})")
    typer.echo(result.explanation)
    for e in result.elements:
        typer.echo(f"  {e.kind:<8} {e.span.text!r:<40} {e.status}")
    for m in result.closest:
        typer.echo(f"  closest ({m.similarity:.2f}): {m.span.text[:160]}")


@app.command()
def verify(
    claim: Annotated[str, typer.Argument(help="The claim to verify.")],
    evidence: Annotated[str, typer.Argument(help="Evidence: a .txt file, or the text itself.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Does the evidence support or refute the claim? A verdict per sentence and for the claim."""
    from dataclasses import asdict

    from unspin.ingest import read_file
    from unspin.ingest.decode import decode_bytes
    from unspin.pipeline import verify as run

    try:
        path = Path(evidence)
        if "\n" not in evidence and len(evidence) < 4096 and path.is_file():
            evidence = decode_bytes(read_file(path), str(path))
            if not evidence.strip():
                raise UnspinError(str(path), "empty file: no evidence to weigh")
        if not evidence.strip():  # the API answers NOT_ENOUGH_INFO; on the command line it is a slip
            raise UnspinError("evidence", "empty: give the evidence text or a file with it")
        result = run(claim, evidence)
    except UnspinError as exc:
        _fail(str(exc))
        return
    if as_json:
        sys.stdout.write(json.dumps(asdict(result), ensure_ascii=False, indent=2) + "\n")
        return
    typer.echo(f"verdict: {result.label} ({result.score:.2f})")
    for ev in result.evidence:
        typer.echo(f"  {ev.label:<16} {max(ev.probabilities.values()):.2f}  {ev.evidence[:140]}")


techniques_app = typer.Typer(no_args_is_help=True, help="Persuasion techniques in the shared tasks' formats.")
app.add_typer(techniques_app, name="techniques")


class TechniqueFormat(StrEnum):
    semeval2023 = "semeval2023"
    ptc_si = "ptc-si"
    ptc_tc = "ptc-tc"
    framing = "framing"
    genre = "genre"


@techniques_app.command("predict")
def techniques_predict(
    articles: Annotated[
        Path, typer.Argument(help="Folder of articleNNN.txt files (offsets are into each file).")
    ],
    format: Annotated[
        TechniqueFormat, typer.Option("--format", help="Output format.")
    ] = TechniqueFormat.ptc_si,
    template: Annotated[Path | None, typer.Option(help="TC gold-span template, for --format ptc-tc.")] = None,
    lang: Annotated[str, typer.Option(help="Language of the articles.")] = "en",
) -> None:
    """Predict techniques for every article of a folder, one line per span, to stdout. A file that is not a
    readable article is named on stderr and skipped, and the exit code is then 1."""
    from unspin.datasets.ptc import read_articles_checked

    if not articles.is_dir():
        _fail(f"{articles}: not a folder of articleNNN.txt files")
    if lang != "en" and format in (TechniqueFormat.ptc_si, TechniqueFormat.ptc_tc):
        _fail(f"{lang}: the PTC span model is English-only")
    texts, failed = read_articles_checked(articles)
    for exc in failed:  # a bad file is named and skipped; the other articles still get their lines
        typer.echo(f"unspin: warning: skipped {exc}", err=True)
    if not texts:
        _fail(
            f"{articles}: no readable articleNNN.txt files"
            if failed
            else f"{articles}: no articleNNN.txt files"
        )
    _predict_technique_lines(articles, texts, format, template, lang)
    if failed:
        typer.echo(f"unspin: {len(failed)} of {len(texts) + len(failed)} articles skipped", err=True)
        raise typer.Exit(EXIT_PARTIAL)


def _predict_technique_lines(
    articles: Path, texts: dict[str, str], format: TechniqueFormat, template: Path | None, lang: str
) -> None:
    """The lines of one --format for the readable articles, to stdout."""
    from unspin.models.registry import ModelRegistry
    from unspin.render.formats import ptc_si_lines, read_tc_template, tc_template_lines

    if format in (TechniqueFormat.semeval2023, TechniqueFormat.framing, TechniqueFormat.genre):
        _predict_paragraph_formats(texts, format, lang)
        return
    model = ModelRegistry().get("span_tagger")
    if format is TechniqueFormat.ptc_si:
        for aid, text in texts.items():
            for line in ptc_si_lines(aid, [(p.start, p.end) for p in model.spans(text)]):
                typer.echo(line)
        return
    if template is None:
        _fail("--format ptc-tc needs --template (the organisers' gold-span template)")
        return
    try:
        rows = read_tc_template(template.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(f"{template}: cannot read ({exc.strerror})")
        return
    except ValueError as exc:
        _fail(f"{template}: {exc}")
        return
    skipped = {aid for aid, _, _ in rows if aid not in texts and (articles / f"article{aid}.txt").exists()}
    rows = [r for r in rows if r[0] not in skipped]  # the skipped files were named on stderr already
    missing = next((aid for aid, _, _ in rows if aid not in texts), None)
    if missing is not None:
        _fail(f"{template}: article {missing} is not in {articles}")
    for line in tc_template_lines(model, texts, rows):
        typer.echo(line)


def _predict_paragraph_formats(texts: dict[str, str], format: TechniqueFormat, lang: str) -> None:
    """SemEval-2023 lines: every non-empty paragraph line (numbered as in the organisers' templates)."""
    from unspin.analyzers.paragraphs import role_for
    from unspin.models.registry import ModelRegistry

    models = ModelRegistry()
    model = models.get(role_for(lang, models))
    for aid, text in texts.items():
        numbered = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
        result = model.predict([line for _, line in numbered])
        if format is TechniqueFormat.semeval2023:
            for (n, _), labels in zip(numbered, result["paragraph_labels"], strict=True):  # type: ignore[call-overload]
                typer.echo(f"{aid}\t{n}\t{','.join(labels)}")
        elif format is TechniqueFormat.framing:
            typer.echo(f"{aid}\t{','.join(result['frames'])}")  # type: ignore[arg-type]
        else:
            typer.echo(f"{aid}\t{result['genre']}")


def _register_task_apps() -> None:
    from unspin.eval.cli import app as eval_app
    from unspin.kb.cli import app as kb_app
    from unspin.server.cli import serve
    from unspin.train.cli import app as train_app

    app.add_typer(kb_app, name="kb")
    app.add_typer(train_app, name="train")
    app.add_typer(eval_app, name="eval")
    app.command("serve")(serve)
    from unspin.cli_corpus import register as register_batch

    register_batch(app, eval_app)


_register_task_apps()


@app.command()
def version() -> None:
    """Print unspin's version."""
    from unspin.version import __version__

    typer.echo(__version__)


def main() -> None:
    """Console-script entry point. A bad option or argument (checked by its type at parse time, environment
    values included), an UnspinError that a command did not handle, or a file that is missing or unreadable
    (a corpus absent from the data directory given to train or eval, say), is one line on stderr and exit
    code 2, not a traceback or a box."""
    try:  # typer >= 0.24 carries its own copy of click
        from typer._click import exceptions as click
    except ImportError:  # pragma: no cover - older typer
        from click import exceptions as click  # type: ignore[no-redef]

    try:
        code = app(standalone_mode=False)
    except click.NoArgsIsHelpError as exc:
        exc.show()  # `unspin` alone, or a command group alone: its help, as before
        sys.exit(EXIT_INPUT_ERROR)
    except click.UsageError as exc:
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        message = " ".join(exc.format_message().split())
        typer.echo(f"unspin: error: {message}{where}", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    except click.ClickException as exc:
        typer.echo(f"unspin: error: {' '.join(exc.format_message().split())}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("unspin: aborted", err=True)
        sys.exit(130)
    except UnspinError as exc:
        typer.echo(f"unspin: error: {exc}", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    except OSError as exc:
        if exc.filename is None:
            raise
        typer.echo(f"unspin: error: {exc.filename}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
