"""`unspin batch` (local or Spark engine), `unspin corpus report` and `unspin eval clusters`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from unspin.errors import UnspinError
from unspin.ingest import DEFAULT_MAX_BYTES

EXIT_INPUT_ERROR = 2


class Engine(StrEnum):
    local = "local"
    spark = "spark"


def _fail(message: str) -> None:
    typer.echo(f"unspin: error: {message}", err=True)
    raise typer.Exit(EXIT_INPUT_ERROR)


def parse_sections(values: list[str] | None) -> list[str] | None:
    """'entities,quotes' or repeated --sections; each must name an analyser."""
    from unspin.analyzers import NAMES

    if not values:
        return None
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        _fail(f"--sections: unknown section(s) {', '.join(unknown)} (choose from {', '.join(NAMES)})")
    return names


def batch(
    inputs: Annotated[list[Path], typer.Argument(help="Corpus files: .jsonl, .csv or .parquet.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (Parquet part files + manifest.json).")],
    engine: Annotated[
        Engine, typer.Option("--engine", help="local processes or Apache Spark.")
    ] = Engine.local,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Worker processes (local) or cores (spark).")
    ] = 1,
    kb: Annotated[Path | None, typer.Option("--kb", help="Knowledge base of known narratives.")] = None,
    sections: Annotated[
        list[str] | None,
        typer.Option("--sections", help="Only these analysers, e.g. entities,quotes,signals."),
    ] = None,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", help="Longer texts become error rows.")
    ] = DEFAULT_MAX_BYTES,
    chunk_rows: Annotated[
        int, typer.Option("--chunk-rows", min=1, help="Rows per part file (the unit of resuming).")
    ] = 32,
    master: Annotated[
        str | None, typer.Option("--master", help="Spark master URL (default local[WORKERS]).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress output.")] = False,
) -> None:
    """Analyse a corpus into Parquet (one row per article). Rerun the same command after a crash to resume."""
    from unspin.engines.run import BatchConfig

    config = BatchConfig(
        inputs=inputs,
        out=out,
        engine=engine.value,
        workers=workers,
        kb=kb,
        sections=parse_sections(sections),
        max_bytes=max_bytes,
        chunk_rows=chunk_rows,
        master=master,
    )
    try:
        if engine is Engine.spark:
            from unspin.engines.spark import run_spark

            manifest = run_spark(config, quiet=quiet)
        else:
            from unspin.engines.local import run_local

            manifest = run_local(config, quiet=quiet)
    except UnspinError as exc:
        _fail(str(exc))
    counts = manifest["counts"]
    typer.echo(f"{counts['rows']} rows ({counts['ok']} analysed, {counts['errors']} error rows) in {out}")


corpus_app = typer.Typer(no_args_is_help=True, help="The corpus view of a batch output.")


@corpus_app.command("report")
def corpus_report(
    out_dir: Annotated[Path, typer.Argument(help="A folder written by `unspin batch`.")],
    html: Annotated[Path, typer.Option("--html", help="Write the dashboard here.")] = Path("corpus.html"),
    csv_dir: Annotated[
        Path | None, typer.Option("--csv-dir", help="Write the tables as CSV here (default: next to --html).")
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.05, max=1.0, help="Jaccard threshold of near-duplicates.")
    ] = 0.5,
    spark_master: Annotated[
        str | None,
        typer.Option("--spark", help="Cluster on Spark at this master (local[4], spark://host:7077)."),
    ] = None,
) -> None:
    """Aggregates (techniques, narratives, headlines, sources, near-copies) as an HTML dashboard and CSVs."""
    from unspin.corpus.report import build_report

    try:
        summary = build_report(out_dir, html, csv_dir=csv_dir, threshold=threshold, spark_master=spark_master)
    except UnspinError as exc:
        _fail(str(exc))
    typer.echo(json.dumps(summary))


def eval_clusters(
    data: Annotated[Path, typer.Option("--data", help="The labelled data directory (../shared/data).")],
    articles: Annotated[int, typer.Option("--articles", min=2, help="Real articles to rewrite.")] = 150,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="One Jaccard threshold (default: 0.3, 0.5 and 0.7).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 13,
) -> None:
    """Pairwise precision/recall of the near-duplicate clustering on synthetic rewrites and EUvsDisinfo."""
    from unspin.corpus.evaluate import evaluate_clusters

    typer.echo(
        json.dumps(evaluate_clusters(data, n_articles=articles, threshold=threshold, seed=seed), indent=2)
    )


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `batch`, `corpus` and `eval clusters` to the main CLI."""
    app.command("batch")(batch)
    app.add_typer(corpus_app, name="corpus")
    eval_app.command("clusters")(eval_clusters)
