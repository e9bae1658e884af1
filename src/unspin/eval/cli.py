"""`unspin eval …`: every reported score comes from one of these commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from unspin.cli_options import DataOption
from unspin.datasets import data_dir
from unspin.errors import UnspinError
from unspin.eval.attribution import attribution_command
from unspin.eval.claim_retrieval_cli import claim_retrieval_command
from unspin.eval.compare import compare_agreement_command, compare_command

app = typer.Typer(no_args_is_help=True, help="Evaluate shipped models with the tasks' official metrics.")
app.command("attribution")(attribution_command)
app.command("claim-retrieval")(claim_retrieval_command)
app.command("compare")(compare_command)
app.command("compare-agreement")(compare_agreement_command)


def _model(role: str, folder: Path | None) -> Any:
    """The model that serves ``role`` (the shipped one, or ``folder`` in its place), loaded and validated
    through the registry as the pipeline loads it."""
    from unspin.models.registry import ModelRegistry

    try:
        return ModelRegistry({role: folder} if folder else None).get(role)
    except UnspinError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command("ptc")
def ptc(
    data: DataOption = None,
    split: Annotated[str, typer.Option(help="PTC split to score: dev (gold from PeerDA) or train.")] = "dev",
    model: Annotated[
        Path | None, typer.Option(help="Model folder (default: the shipped span model).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """SemEval-2020 Task 11 on PTC: SI span F1, TC micro-F1 on gold spans, calibration (ECE)."""
    from unspin.datasets.ptc import load_ptc
    from unspin.eval.techniques import evaluate_ptc

    articles = load_ptc(data_dir(data), split)
    r = evaluate_ptc(_model("span_tagger", model), articles)
    result = {
        "task": "semeval2020-task11",
        "split": split,
        "articles": r.articles,
        "si": {
            "precision": r.si.precision,
            "recall": r.si.recall,
            "f1": r.si.f1,
            "f1_95_interval_by_article_bootstrap": list(r.si_interval),
        },
        "tc_micro_f1": r.tc_micro_f1,
        "tc_per_class_f1": r.tc_per_class,
        "span_score_ece": r.span_ece,
        "technique_probability_ece": r.technique_ece,
        "predicted_spans": r.predicted_spans,
        "gold_spans": r.gold_spans,
    }
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(
        f"PTC {split} ({r.articles} articles, {r.gold_spans} gold spans, {r.predicted_spans} predicted)"
    )
    typer.echo(
        f"  SI  precision {r.si.precision:.4f}  recall {r.si.recall:.4f}  F1 {r.si.f1:.4f}  "
        f"(95 % interval, articles resampled: {r.si_interval[0]:.4f}-{r.si_interval[1]:.4f})"
    )
    typer.echo(f"  TC  micro-F1 {r.tc_micro_f1:.4f}")
    for label, f1 in sorted(r.tc_per_class.items(), key=lambda kv: -kv[1]):
        typer.echo(f"      {label:<40} F1 {f1:.4f}")
    typer.echo(f"  ECE span scores {r.span_ece:.4f}, technique probabilities {r.technique_ece:.4f}")


@app.command("semeval2023")
def semeval2023(
    data: DataOption = None,
    model: Annotated[
        Path | None, typer.Option(help="Model folder (default: the shipped paragraph model).")
    ] = None,
    cache: Annotated[Path | None, typer.Option(help="Folder to cache paragraph embeddings in.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    language: Annotated[
        list[str] | None,
        typer.Option("--lang", help="Score only this language (repeatable; default: all six)."),
    ] = None,
) -> None:
    """SemEval-2023 Task 3 subtasks 3 (paragraph techniques), 2 (framing), 1 (genre), per language.

    Scored on the held-out 20 % of each language's train set (split by article, seed 13): the organisers'
    dev and test gold labels are not public.
    """
    from dataclasses import asdict

    from unspin.datasets.semeval2023 import LANGUAGES
    from unspin.eval.semeval2023 import evaluate_all
    from unspin.models.metadata import kind_of

    unknown = sorted(set(language or []) - set(LANGUAGES))
    if unknown:
        raise typer.BadParameter(
            f"no SemEval-2023 training data for {unknown}; choose from {sorted(LANGUAGES)}"
        )
    kinds = {"paragraph-blend": "paragraph_blend", "ngram-heads": "paragraph_ngram"}
    loaded = _model(kinds.get(kind_of(model), "paragraph_heads") if model else "paragraph_heads", model)
    results = evaluate_all(loaded, data_dir(data), cache, language)
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in results], indent=2))
        return
    typer.echo(
        "lang  articles  paragraphs  ST3 micro  (95 % interval)  ST3 macro  ST2 micro  (95 % interval)  "
        "ST2 macro  ST1 macro  ST1 micro"
    )
    for r in results:
        (a3, b3), (a2, b2) = r.st3_micro_f1_interval, r.st2_micro_f1_interval
        typer.echo(
            f"{r.language:<5} {r.articles:>8}  {r.paragraphs:>10}  {r.st3_micro_f1:9.4f}  ({a3:.3f}-{b3:.3f})  "
            f"{r.st3_macro_f1:9.4f}  {r.st2_micro_f1:9.4f}  ({a2:.3f}-{b2:.3f})  {r.st2_macro_f1:9.4f}  "
            f"{r.st1_macro_f1:9.4f}  {r.st1_micro_f1:9.4f}"
        )
    typer.echo("intervals: 2,000 resamples of the held-out articles (unspin.eval.protocol)")


@app.command("sentence-spans")
def sentence_spans(
    data: DataOption = None,
    model: Annotated[
        Path | None, typer.Option(help="Model folder (default: the shipped sentence-span model).")
    ] = None,
    cache: Annotated[Path | None, typer.Option(help="Folder to cache sentence embeddings in.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Sentence-level technique spans for fr, de, it, pl, ru: SI F1 (SemEval-2020 partial overlap) against the
    SemEval-2023 gold spans of the held-out 20 % of each language's train set (split by article, seed 13)."""
    from dataclasses import asdict

    from unspin.eval.sentence_spans import evaluate_all

    results = evaluate_all(_model("sentence_spans", model), data_dir(data), cache)
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in results], indent=2))
        return
    typer.echo(
        "lang  articles  gold spans  predicted  SI P    SI R    SI F1   every sentence F1  technique hit"
    )
    for r in results:
        typer.echo(
            f"{r.language:<5} {r.articles:>8}  {r.gold_spans:>10}  {r.predicted:>9}  {r.precision:.4f}  "
            f"{r.recall:.4f}  {r.f1:.4f}  {r.every_sentence_f1:17.4f}  {r.technique_hit:13.4f}"
        )


@app.command("checkworthiness")
def checkworthiness(
    data: DataOption = None,
    model: Annotated[
        Path | None, typer.Option(help="Model folder (default: the shipped check-worthiness model).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Check-worthiness: ClaimBuster test F1, CLEF 2019 task 1 test MAP, CLEF 2020 task 5 and task 1."""
    from unspin.eval.checkworthiness import evaluate_checkworthiness

    m = _model("checkworthiness", model)
    result = evaluate_checkworthiness(m, data_dir(data))
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    cb = result["claimbuster"]
    typer.echo(
        f"ClaimBuster test (threshold {m.threshold}): F1 {cb['f1']:.4f}  P {cb['precision']:.4f}  "
        f"R {cb['recall']:.4f}  ECE {cb['ece']:.4f}"
    )
    typer.echo(
        f"CLEF 2019 task 1 test: MAP {result['clef2019']['map']:.4f} over {result['clef2019']['rankings']} debates"
    )
    typer.echo(
        f"CLEF 2020 task 5 test: AP {result['clef2020-debates']['map']:.4f} (one ranking: no debate ids)"
    )
    typer.echo(f"CLEF 2020 task 1 tweets test: MAP {result['clef2020-tweets']['map']:.4f}")


@app.command("fnc1")
def fnc1(
    data: DataOption = None,
    split: Annotated[str, typer.Option(help="test (the competition test set) or train.")] = "test",
    model: Annotated[
        Path | None, typer.Option(help="Model folder (default: the shipped stance model).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """FNC-1 headline/body stance: official weighted score (% of maximum), per-class and macro F1."""
    from dataclasses import asdict

    from unspin.datasets.fnc1 import load_fnc1
    from unspin.eval.stance import evaluate_fnc1

    r = evaluate_fnc1(_model("stance", model), load_fnc1(data_dir(data), split))
    if as_json:
        typer.echo(json.dumps({"task": "fnc1", "split": split, **asdict(r)}, indent=2))
        return
    typer.echo(
        f"FNC-1 {split} ({r.pairs} pairs): score {r.score:.2f} / {r.max_score:.2f} = {r.relative:.2f}%"
    )
    typer.echo(
        "  F1 " + "  ".join(f"{k} {v:.4f}" for k, v in r.per_class_f1.items()) + f"  macro {r.macro_f1:.4f}"
    )
    typer.echo("  confusion (rows gold, columns predicted: agree disagree discuss unrelated)")
    for g, row in r.confusion.items():
        typer.echo(f"    {g:<10} " + " ".join(f"{n:>6}" for n in row.values()))


@app.command("narratives")
def narratives(
    data: DataOption = None,
    embeddings: Annotated[
        bool, typer.Option("--embeddings", help="Hybrid retrieval with multilingual-e5 vectors (~5 minutes).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    kb: Annotated[
        Path | None,
        typer.Option(
            help="Article level instead: run claims + narratives with this knowledge base (the full EUvsDisinfo "
            "import) over the labelled propaganda texts (data/annotations/narratives.jsonl) and PolNeAR test."
        ),
    ] = None,
    split: Annotated[
        str, typer.Option(help="Article level: labelled texts of this split (dev, test, all).")
    ] = "test",
    mainstream: Annotated[
        int | None, typer.Option(help="Article level: the first N PolNeAR test articles (all 84).")
    ] = None,
) -> None:
    """EUvsDisinfo: each case title finds its own summary (recall@1/5, MRR); false matches on PTC articles.

    With --kb: which cases each labelled propaganda text repeats (recall@5, precision of the shown list) and
    the share of mainstream articles (PolNeAR test) that list any narrative.
    """
    from dataclasses import asdict

    from unspin.eval.narratives import evaluate_article_narratives, evaluate_narratives

    if kb is not None:
        if not kb.exists():
            typer.echo(f"error: {kb}: no knowledge base there", err=True)
            raise typer.Exit(2)
        if split not in ("dev", "test", "all"):
            typer.echo(f"error: --split {split}: use dev, test or all", err=True)
            raise typer.Exit(2)
        a = evaluate_article_narratives(
            data_dir(data), kb, split=None if split == "all" else split, mainstream=mainstream
        )
        typer.echo(json.dumps(asdict(a), indent=1))
        return
    r = evaluate_narratives(data_dir(data), embeddings=embeddings)
    if as_json:
        typer.echo(json.dumps(asdict(r), indent=2))
        return
    typer.echo(
        f"EUvsDisinfo, {r.cases} cases: recall@1 {r.recall_at_1:.4f}  recall@5 {r.recall_at_5:.4f}  MRR {r.mrr:.4f}"
    )
    typer.echo(
        f"  threshold {r.threshold:.2f} (≤5 % false matches on {r.negatives_train} PTC train articles without the topic): "
        f"recall@1 above it {r.recall_at_1_above_threshold:.4f}; false-match rate on {r.negatives_dev} PTC dev "
        f"articles {r.false_match_rate_dev:.4f}"
    )
    typer.echo(
        f"  claim threshold {r.claim_threshold:.2f} (≤1 % of PTC train sentences): recall@1 above it "
        f"{r.recall_at_1_above_claim_threshold:.4f}; false-match rate on {r.claim_negatives_dev} PTC dev sentences "
        f"{r.claim_false_match_rate_dev:.4f}"
    )


@app.command("verification")
def verification(
    data: DataOption = None,
    model: Annotated[Path | None, typer.Option(help="Model folder (default: the shipped model).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Claim verification on held-out CLIMATE-FEVER claims: evidence-pair and claim-level accuracy and macro-F1."""
    from dataclasses import asdict

    from unspin.eval.verification import evaluate_verification

    r = evaluate_verification(_model("verification", model), _model("stance", None), data_dir(data))
    if as_json:
        typer.echo(json.dumps(asdict(r), indent=2))
        return
    typer.echo(f"CLIMATE-FEVER held-out ({r.claims} claims, {r.pairs} evidence pairs)")
    typer.echo(f"  pairs:  accuracy {r.pair_accuracy:.4f}  macro-F1 {r.pair_macro_f1:.4f}  {r.pair_f1}")
    typer.echo(
        f"  claims ({r.claims_scored}, DISPUTED left out): accuracy {r.claim_accuracy:.4f}  "
        f"macro-F1 {r.claim_macro_f1:.4f}  {r.claim_f1}"
    )


@app.command("claim-matching")
def claim_matching(
    data: DataOption = None,
    kb: Annotated[
        Path, typer.Option(help="Knowledge base with the full EUvsDisinfo import and its vectors.")
    ] = Path("build/kb-full.sqlite"),
    articles: Annotated[
        int | None, typer.Option(help="Mainstream articles of each source for the false-refute rate (all).")
    ] = None,
) -> None:
    """Same-claim precision and recall on the labelled test pairs, and the false-refute rate on mainstream news."""
    from dataclasses import asdict

    from unspin.eval.claim_matching import evaluate_claim_matching

    if not kb.exists():
        typer.echo(
            f"error: {kb}: no knowledge base (`unspin kb import` both EUvsDisinfo files, then `kb embed`)",
            err=True,
        )
        raise typer.Exit(2)
    r = evaluate_claim_matching(data_dir(data), kb, articles=articles)
    typer.echo(json.dumps(asdict(r), indent=1))


@app.command("semeval2025")
def semeval2025_task10(
    subtask: Annotated[
        int, typer.Option(help="1: entity roles (exact-match ratio); 2: narratives (samples-F1).")
    ],
    folder: Annotated[
        Path | None,
        typer.Option(
            help="A folder in the task's layout (raw-documents/ + subtask-N-annotations.txt, or language folders "
            "holding them): every document there is scored. Default: the held-out part of the train split "
            "(data/splits/semeval2025.json) under --data."
        ),
    ] = None,
    data: DataOption = None,
    model: Annotated[Path | None, typer.Option(help="Model folder (default: the shipped heads).")] = None,
    cache: Annotated[Path | None, typer.Option(help="Folder to cache sentence embeddings in.")] = None,
    language: Annotated[
        list[str] | None, typer.Option("--lang", help="Score only this language (repeatable; default: all).")
    ] = None,
    predictions: Annotated[
        Path | None, typer.Option(help="Also write the predictions here, in the organisers' format.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """SemEval-2025 Task 10, subtask 1 (entity framing: exact-match ratio on fine roles, main-role accuracy) or
    subtask 2 (narratives: samples-F1 on narratives and on subnarratives), with 95 % intervals (documents
    resampled), per language."""
    from dataclasses import asdict

    from unspin.datasets.semeval2025 import heldout_ids, load, train_folder
    from unspin.eval.semeval2025 import evaluate, write_predictions

    if subtask not in (1, 2):
        raise typer.BadParameter(f"--subtask {subtask}: use 1 (entity roles) or 2 (narratives)")
    if folder is not None:
        docs = load(folder, subtask)
        where = str(folder)
    else:
        held = heldout_ids()
        docs = [d for d in load(train_folder(data_dir(data))) if d.id in held]
        where = "train split, held-out part (data/splits/semeval2025.json)"
    if language:
        wanted = {x.upper() for x in language}
        docs = [d for d in docs if d.language.upper() in wanted]
    loaded = _model("entity_roles" if subtask == 1 else "storylines", model)
    results = evaluate(subtask, loaded, docs, cache)
    if predictions is not None:
        write_predictions(results, predictions)
    rows = [{k: v for k, v in asdict(r).items() if k != "predictions"} for r in results]
    if as_json:
        typer.echo(
            json.dumps({"subtask": subtask, "data": where, "model": loaded.name, "results": rows}, indent=2)
        )
        return
    typer.echo(
        f"SemEval-2025 Task 10 subtask {subtask} on {where} ({loaded.name}); 95 % intervals, documents resampled"
    )
    for r in rows:
        shot = "  zero-shot" if r["zero_shot"] else ""
        if subtask == 2:
            (a, b), (c, d) = r["narratives_f1_interval"], r["subnarratives_f1_interval"]
            typer.echo(
                f"  {r['language']:<3} {r['documents']:>4} docs  samples-F1 narratives {r['narratives_f1']:.4f} "
                f"({a:.3f}-{b:.3f})  subnarratives {r['subnarratives_f1']:.4f} ({c:.3f}-{d:.3f}){shot}"
            )
        else:
            (a, b), (c, d) = r["exact_match_ratio_interval"], r["main_role_accuracy_interval"]
            typer.echo(
                f"  {r['language']:<3} {r['documents']:>4} docs {r['mentions']:>5} mentions  exact-match ratio "
                f"{r['exact_match_ratio']:.4f} ({a:.3f}-{b:.3f})  main-role accuracy {r['main_role_accuracy']:.4f} "
                f"({c:.3f}-{d:.3f}){shot}"
            )


@app.command("semeval2025-guardian")
def semeval2025_guardian(
    data: DataOption = None,
    model: Annotated[
        Path | None, typer.Option(help="Model folder (default: the shipped storyline heads).")
    ] = None,
    all_rows: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every row, the half the heads trained on as negatives too (default: the other half).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """False storylines on mainstream news: the share of the Guardian war articles (war-news) that get a
    propaganda storyline (a narrative other than Other) at the reporting threshold, and which, with evidence."""
    from dataclasses import asdict

    from unspin.eval.semeval2025 import evaluate_mainstream

    r = evaluate_mainstream(_model("storylines", model), data_dir(data), measured_only=not all_rows)
    if as_json:
        typer.echo(json.dumps(asdict(r), indent=1, ensure_ascii=False))
        return
    a, b = r.rate_interval
    typer.echo(
        f"Guardian war articles ({r.part}): {r.flagged} of {r.articles} get a propaganda storyline at the "
        f"reporting threshold {r.threshold:.3f}: {r.rate:.4f} (95 % interval {a:.3f}-{b:.3f})"
    )
    for f in r.flagged_articles:
        typer.echo(f"  row {f['id']} {f['date']} {f['title'][:80]}")
        for s in f["storylines"]:
            typer.echo(f"    {s['label']} ({s['probability']:.3f}): {s['evidence'][:160]}")
