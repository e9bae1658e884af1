"""`unspin eval claim-retrieval`: the command over `eval/claim_retrieval.py` (options, output, exit codes)."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from unspin.errors import UnspinError


def claim_retrieval_command(
    task_dir: Annotated[
        Path | None,
        typer.Option(
            help="A CheckThat! split folder: the queries file (name holds 'queries'), the qrels file ('qrels') "
            "and the verified claims (vclaims/, vclaims.tar.gz or verified_claims*.tsv, here or in the parent)."
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(
            help="Where a folder holds several queries or qrels files: the one whose name holds this."
        ),
    ] = None,
    queries: Annotated[
        Path | None, typer.Option(help="Queries TSV (tweet_id, text); overrides the folder's.")
    ] = None,
    qrels: Annotated[
        Path | None, typer.Option(help="Qrels (tweet_id 0 vclaim_id 1); overrides the folder's.")
    ] = None,
    vclaims: Annotated[
        Path | None, typer.Option(help="Verified claims: folder of JSON, .tar.gz of it, or TSV; overrides.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the ranking here in the official run format (top 20 a tweet).")
    ] = None,
    cache_dir: Annotated[
        Path, typer.Option(help="Knowledge base and vectors of the pool and queries, reused by reruns.")
    ] = Path("build/claim-retrieval"),
    scorer: Annotated[
        str, typer.Option(help="ranker (the shipped reranker), or one retriever alone: mpnet, e5, bm25.")
    ] = "ranker",
    model: Annotated[Path | None, typer.Option(help="Ranker folder (default: the shipped one).")] = None,
    ties: Annotated[
        str,
        typer.Option(
            help="pool-order: copies of one claim (same words, other quotes or case) in the pool's order; "
            "score: as scored."
        ),
    ] = "pool-order",
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """CheckThat! claim retrieval: rank the verified claims for each tweet; MAP@5 (official), MAP@1, MRR, recall@k."""
    from unspin.eval import claim_retrieval as cr

    def fail(message: str) -> None:
        typer.echo(f"unspin: error: {message}", err=True)
        raise typer.Exit(2)

    if scorer not in cr.SCORERS:
        fail(f"--scorer {scorer}: one of {', '.join(cr.SCORERS)}")
    if ties not in ("pool-order", "score"):
        fail(f"--ties {ties}: pool-order or score")
    if out is not None and not (out.parent if str(out.parent) else Path(".")).is_dir():
        fail(f"{out}: its folder does not exist")
    started = time.perf_counter()
    try:
        task = cr.load_task(*cr.locate(task_dir, split, queries, qrels, vclaims))
        ranker = None
        if scorer == "ranker":
            from unspin.models.registry import ModelRegistry

            ranker = ModelRegistry({"claim_ranker": model} if model else None).get("claim_ranker")
        metrics, rankings, pool_recall = cr.evaluate(
            task,
            cache_dir,
            scorer,
            ranker,
            progress=lambda what, i, n: typer.echo(f"\r  {what} {i}/{n}", nl=False, err=True),
            ties=ties,
        )
        if out is not None:
            cr.write_run(out, rankings, f"unspin-{scorer}")
    except UnspinError as exc:
        fail(str(exc))
        return
    result: dict[str, Any] = {
        "task": "checkthat-claim-retrieval",
        "files": task.files,
        "queries": len(task.qrels),
        "vclaims": len(task.vclaims),
        "scorer": scorer,
        "ties": ties,
        "candidate_pool_recall": pool_recall,
        "metrics": {
            k: {"value": m.value, "95_interval_queries_resampled": [m.low, m.high]}
            for k, m in metrics.items()
        },
        "seconds": round(time.perf_counter() - started, 1),
        "cpu": platform.processor() or platform.machine(),
    }
    typer.echo("", err=True)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(
        f"CheckThat! claim retrieval: {len(task.qrels)} queries, {len(task.vclaims)} verified claims, "
        f"scorer {scorer}, ties {ties} (95 % intervals, queries resampled)"
    )
    for name, m in metrics.items():
        official = "  (official)" if name == "map@5" else ""
        typer.echo(f"  {name:<10} {m.value:.4f}  ({m.low:.4f}-{m.high:.4f}){official}")
    typer.echo(f"  candidate pool recall {pool_recall:.4f}")
    if out is not None:
        typer.echo(f"wrote {out}")
