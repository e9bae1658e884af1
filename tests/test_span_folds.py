"""Out-of-fold span probabilities and the ensemble decoding tuned on them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from unspin.datasets.ptc import LabelledArticle, load_ptc
from unspin.models import artifact
from unspin.models.registry import default_folder
from unspin.models.span_ensemble import SpanEnsemble
from unspin.models.span_model import merge_runs, trim_edges
from unspin.train.span_folds import fold_of, load_oof, oof_file, save_oof

MINI = Path(__file__).parent / "fixtures" / "ptc-mini"
# Two members made of the shipped span model's files, each with its own held-out list and fold files.
MEMBERS = {"member-a": "minilm", "member-b": "minilm"}
DECODING_KEYS = ("threshold", "extend_threshold", "merge_gap", "min_chars")


def test_folds_are_balanced_disjoint_and_independent_of_order() -> None:
    ids = [str(i) for i in range(23)]
    where = fold_of(ids, 5)
    assert set(where) == set(ids) and set(where.values()) == set(range(5))
    sizes = sorted(list(where.values()).count(k) for k in range(5))
    assert sizes == [4, 4, 5, 5, 5]
    assert fold_of(list(reversed(ids)), 5) == where


def test_oof_files_round_trip_and_report_missing_articles(tmp_path: Path) -> None:
    articles = [LabelledArticle("1", "Evil regime lied."), LabelledArticle("2", "It rained today, again.")]
    p1 = np.linspace(0, 1, len(articles[0].text)).astype(np.float32)
    c1 = np.array([not c.isspace() for c in articles[0].text])
    save_oof(oof_file(tmp_path, "minilm", 0), {"1": (p1, c1)})
    with pytest.raises(ValueError, match="no out-of-fold minilm probabilities for 1 articles"):
        load_oof(tmp_path, "minilm", articles)
    p2 = np.full(len(articles[1].text), 0.25, dtype=np.float32)
    save_oof(oof_file(tmp_path, "minilm", 1), {"2": (p2, np.ones(len(p2), dtype=bool))})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["oof-minilm-fold0.npz", "oof-minilm-fold1.npz"]
    loaded = load_oof(tmp_path, "minilm", articles)
    assert np.allclose(loaded["1"][0], p1, atol=1e-3) and (loaded["1"][1] == c1).all()
    assert loaded["2"][1].all() and loaded["2"][0].shape == (len(articles[1].text),)


def test_span_edges_lose_quotes_and_punctuation() -> None:
    text = 'He said: "the evil, corrupt regime," and left.'
    s, e = text.index('"'), text.index("left") - 5  # from the opening quote to after the comma
    assert text[slice(*trim_edges(text, s, e))] == "the evil, corrupt regime"
    assert trim_edges(text, 0, 0) == (0, 0)
    runs = [[s, e, 3.0, 3]]
    assert [text[a:b] for a, b, _ in merge_runs(text, runs, 0, 1)] == ["the evil, corrupt regime"]
    assert merge_runs(text, [[7, 10, 1.0, 1]], 0, 2) == []  # ': "' trims to nothing


def _oof_member(root: Path, folder: Path, name: str, held: list[str]) -> Path:
    """A member folder beside the ensemble: the shipped member's files, another held-out list."""
    member = folder / name
    member.mkdir(parents=True)
    for f in default_folder("span_tagger").iterdir():
        if f.name != "training.json":
            (member / f.name).symlink_to(f.resolve())
    meta = {"heldout_ids": held, "encoder": MEMBERS[name]}
    (member / "training.json").write_text(json.dumps(meta), encoding="utf-8")
    return member


def test_ensemble_decoding_is_tuned_on_out_of_fold_probabilities(tmp_path: Path) -> None:
    from unspin.train.calibrate_spans import calibrate_ensemble

    train = load_ptc(MINI, "dev")  # stands in for PTC train: two articles with gold spans
    held = train[:1]
    models = tmp_path / "models"
    members = [_oof_member(tmp_path, models, name, [held[0].id]) for name in MEMBERS]
    for name, encoder in MEMBERS.items():
        # Out-of-fold probabilities that mark the gold spans (0.9), a decoy opening at 0.4 and nothing else.
        probs = {}
        for a in train:
            p = np.zeros(len(a.text), dtype=np.float32)
            for s, e, _ in a.spans:
                p[s:e] = 0.9
            p[:30] = np.maximum(p[:30], 0.4)  # longer than every minimum length of the grid
            probs[a.id] = (p, np.array([not c.isspace() for c in a.text]))
        save_oof(oof_file(tmp_path / "oof" / name, encoder, 0), probs)
    meta = calibrate_ensemble(models / "ensemble", members, held, oof=tmp_path / "oof", train_articles=train)
    assert meta["tuned_on"] == "out-of-fold PTC train" and meta["tuned_articles"] == len(train)
    assert meta["tuned_si_f1"] == 1.0 and meta["threshold"] >= 0.4  # the decoy stays out
    written = json.loads((models / "ensemble" / "ensemble.json").read_text(encoding="utf-8"))
    assert written["members"] == list(MEMBERS) and 0 < written["temperature"] <= 3
    with pytest.raises(ValueError, match="needs the PTC train articles"):
        calibrate_ensemble(models / "ensemble", members, held, oof=tmp_path / "oof")


def test_member_weights_are_tuned_with_the_decoding(tmp_path: Path) -> None:
    from unspin.train.calibrate_spans import calibrate_ensemble

    train = load_ptc(MINI, "dev")
    held = train[:1]
    models = tmp_path / "models"
    members = [_oof_member(tmp_path, models, name, [held[0].id]) for name in MEMBERS]
    good, bad = MEMBERS.items()
    for (name, encoder), gold_level, decoy_level in ((good, 0.9, 0.0), (bad, 0.0, 1.0)):
        # The first member finds the gold spans; the second only a decoy opening. Averaged equally the decoy
        # (0.5) outranks the gold (0.45); weighted 0.6 or more towards the first, the gold wins.
        probs = {}
        for a in train:
            p = np.zeros(len(a.text), dtype=np.float32)
            for s, e, _ in a.spans:
                p[s:e] = gold_level
            p[:30] = np.maximum(p[:30], decoy_level)
            probs[a.id] = (p, np.array([not c.isspace() for c in a.text]))
        save_oof(oof_file(tmp_path / "oof" / name, encoder, 0), probs)
    oof = tmp_path / "oof"
    equal = calibrate_ensemble(models / "ensemble", members, held, oof=oof, train_articles=train)
    assert "weights" not in equal and equal["tuned_si_f1"] < 1.0
    meta = calibrate_ensemble(
        models / "ensemble", members, held, oof=oof, train_articles=train, tune_weights=True
    )
    assert (
        meta["weights"] == [0.6, 0.4] and meta["tuned_si_f1"] == 1.0
    )  # the lower of the two perfect weights
    by_weight = meta["best_by_first_member_weight"]
    assert list(by_weight) == ["0.3", "0.4", "0.5", "0.6", "0.7"]
    assert by_weight["0.5"]["si_f1"] == equal["tuned_si_f1"]
    assert by_weight["0.5"]["decoding"] == "/".join(str(equal[k]) for k in DECODING_KEYS)
    written = json.loads((models / "ensemble" / "ensemble.json").read_text(encoding="utf-8"))
    assert SpanEnsemble(models / "ensemble", written).weights == [0.6, 0.4]
    with pytest.raises(ValueError, match="exactly two members"):
        calibrate_ensemble(
            models / "ensemble", members[:1], held, oof=oof, train_articles=train, tune_weights=True
        )


def test_a_fold_trains_on_the_others_and_predicts_its_own(tmp_path: Path) -> None:
    pytest.importorskip("torch")  # a training-time extra
    from unspin.train.span_folds import run_fold

    articles = load_ptc(MINI, "dev")
    extra = [LabelledArticle("fr-1", "Ce régime corrompu ment.", [(3, 18, "Loaded_Language"), (19, 23, "")])]
    path = run_fold(articles, "minilm", 0, 2, tmp_path, max_steps=1, threads=1, extra=extra)
    unseen = [a for a in articles if fold_of([x.id for x in articles], 2)[a.id] == 0]
    with np.load(path) as z:
        assert sorted(k[2:] for k in z.files if k.startswith("p/")) == sorted(a.id for a in unseen)


def _write_fnc1_bodies(folder: Path, bodies: dict[int, str]) -> None:
    from conftest import write_gz_csv

    folder.mkdir(parents=True)
    write_gz_csv(
        folder / "train_bodies.csv.gz", ["Body ID", "articleBody"], [[str(b), t] for b, t in bodies.items()]
    )
    write_gz_csv(folder / "train_stances.csv.gz", ["Headline", "Body ID", "Stance"], [])


def test_self_training_labels_unlabelled_news_with_the_teacher(tmp_path: Path) -> None:
    from unspin.datasets.ptc import TECHNIQUES_2020
    from unspin.train.span_extra_data import pseudo_label, unlabelled_texts
    from unspin.train.span_recipe import teacher_member

    test_dir = tmp_path / "ptc-semeval2020-task11" / "test-articles"
    test_dir.mkdir(parents=True)
    loaded = (
        "The corrupt, evil regime of traitors is destroying our great nation, and every patriot must stand up "
        "now before these criminals burn everything we love to the ground. "
    )
    (test_dir / "article1.txt").write_text(loaded * 20, encoding="utf-8")
    calm = "The council met on Tuesday and approved the budget for the new school year. " * 20  # ~280 words
    _write_fnc1_bodies(tmp_path / "fnc1", {7: calm, 8: "Too short to be an article."})
    texts = unlabelled_texts(tmp_path, fnc1_bodies=5)
    assert [aid for aid, _ in texts] == ["ptc-test-1", "fnc1-7"]  # the stub body is left out
    teacher = default_folder("span_tagger")
    assert teacher_member(teacher).name == "ptc-spans-minilm-v4"
    silver = {a.id: a for a in pseudo_label(teacher, texts)}
    spans = silver["ptc-test-1"].spans
    assert spans, "the loaded text must get silver spans"
    text = silver["ptc-test-1"].text
    assert all(0 <= s < e <= len(text) and t in TECHNIQUES_2020 for s, e, t in spans)
    assert any("evil" in text[s:e] or "corrupt" in text[s:e] for s, e, _ in spans)
    assert len(silver["fnc1-7"].spans) < len(spans)


def test_other_languages_gold_marks_spans_and_trains_only_ptc_techniques(tmp_path: Path) -> None:
    from conftest import write_semeval2023_bundle
    from unspin.models.windows import load_tokenizer
    from unspin.train.span_extra_data import semeval2023_gold
    from unspin.train.techniques_ptc import make_examples

    root = "semeval2023-task3-data"
    text = "Titre\n\nCe régime corrompu ment. Nos valeurs sacrées nous obligent à résister.\n"
    loaded, values = text.index("régime corrompu"), text.index("Nos valeurs")
    files = {
        f"{root}/fr/train-articles-subtask-3/article1.txt": text,
        f"{root}/fr/train-labels-subtask-3-spans/article1-labels-subtask-3.txt": (
            f"1\tLoaded_Language\t{loaded}\t{loaded + 15}\n1\tAppeal_to_Values\t{values}\t{values + 20}\n"
        ),
    }
    gold = semeval2023_gold(write_semeval2023_bundle(tmp_path, files), per_language=3)
    assert [a.id for a in gold] == ["fr-1"]  # languages without articles add none; English is never read
    assert gold[0].spans == [(loaded, loaded + 15, "Loaded_Language"), (values, values + 20, "")]
    (example,) = make_examples(gold, load_tokenizer(str(artifact("ptc-spans-minilm-v4") / "tokenizer.json")))
    assert example.bio.count(1) == 2  # both spans open a BIO run
    assert len(example.spans) == 1  # only the technique PTC has trains the technique head


def test_a_teacher_that_saw_the_held_out_articles_is_refused(tmp_path: Path) -> None:
    """Its silver labels would carry what it learnt from the articles the student is judged on."""
    import shutil

    from typer.testing import CliRunner

    from unspin.cli import app

    ptc = tmp_path / "ptc-semeval2020-task11"
    shutil.copytree(MINI / "ptc-semeval2020-task11" / "dev-articles", ptc / "train-articles")
    shutil.copy(MINI / "ptc-semeval2020-task11" / "dev-task-TC.labels", ptc / "train-task2-TC.labels")
    args = ["train", "techniques", "--data", str(tmp_path), "--out", str(tmp_path / "student")]
    res = CliRunner().invoke(app, [*args, "--teacher", str(default_folder("span_tagger"))])
    said = " ".join(res.output.replace("│", " ").split())  # the error box wraps lines
    assert res.exit_code == 2 and "held out other articles than this run: its labels would leak" in said
    assert not (tmp_path / "student").exists()
