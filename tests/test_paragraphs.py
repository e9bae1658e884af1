"""Paragraph techniques, framing and genre: shipped model, report fields, formats, the SemEval-2023 reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import model, report_for_text, run_cli, write_semeval2023_bundle
from unspin.datasets.semeval2023 import load_semeval2023, split_by_article
from unspin.eval.scorers import multilabel_f1, single_label_f1
from unspin.model import Report
from unspin.models.registry import default_folder

ARTICLES = {
    "800000001": "Minister attacks the press\n\nThe minister called the journalists traitors and liars.\n\n"
    "He said that the country must be defended at any cost.\n",
    "800000002": "Council approves library\n\nThe city council approved the new library on Monday.\n",
}


def test_artifact_loads_with_inventories_and_card() -> None:
    m = model("paragraph_heads")
    assert (len(m.techniques), len(m.frames), m.genres) == (23, 14, ["opinion", "reporting", "satire"])
    assert m.technique_thresholds.shape == (23,)
    card = (default_folder("paragraph_heads") / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "unspin train paragraphs" in card and "unspin eval semeval2023" in card


def test_ngram_artifact_loads_with_inventories_and_card() -> None:
    m, e5 = model("paragraph_ngram"), model("paragraph_heads")
    assert (m.techniques, m.frames, m.genres) == (e5.techniques, e5.frames, e5.genres)
    assert m.tech_w.shape == (23, m.featurizer.dim) and m.frame_w.shape == (14, m.featurizer.dim)
    card = (default_folder("paragraph_ngram") / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "unspin train paragraphs-ngram" in card and "unspin eval semeval2023" in card
    # Shipped with the rule the validation protocol chose (docs/BENCHMARKS.md), which the command's default is.
    meta = json.loads((default_folder("paragraph_ngram") / "meta.json").read_text(encoding="utf-8"))
    assert meta["decision_rule"] == "calibrated" and "--decision calibrated" in card
    out = m.predict(["The traitors lie to us again and again.", "The council met on Monday."])
    assert out["paragraph_probs"].shape == (2, 23) and out["genre"] in m.genres  # type: ignore[attr-defined]
    assert m.predict([])["paragraph_labels"] == []


def test_the_blend_names_the_shipped_members_it_averages() -> None:
    meta = json.loads((default_folder("paragraph_blend") / "blend.json").read_text(encoding="utf-8"))
    assert meta["members"] == {
        "e5": default_folder("paragraph_heads").name,
        "ngram": default_folder("paragraph_ngram").name,
    }


def test_report_has_paragraph_labels_frames_and_genre(example_report: Report) -> None:
    c = example_report.classification
    assert c is not None and c.genre.label in ("opinion", "reporting", "satire") and not c.zero_shot
    assert c.model == default_folder("paragraph_ngram").name  # English uses the fast n-gram heads
    assert abs(sum(g.probability for g in c.genre_probabilities) - 1) < 1e-3
    assert {f.label for f in c.frames} and all(0 <= f.probability <= 1 for f in c.frames)
    body_paras = [p for p in example_report.paragraphs if p.field == "body"]
    assert len(body_paras) == 6
    for p in body_paras:
        assert example_report.body[p.start : p.end].strip() == example_report.body[p.start : p.end]
    assert any(p.techniques for p in body_paras)


def test_the_other_training_languages_use_the_shipped_blend(ru_report: Report) -> None:
    m = model("paragraph_blend")
    assert m.languages == ["fr", "de", "it", "pl", "ru"] and (m.techniques, m.genres) == (
        model("paragraph_heads").techniques,
        model("paragraph_heads").genres,
    )
    assert all(0.0 <= w <= 1.0 for w in m.weights.values())
    assert m.e5 is model("paragraph_heads") and m.ngram is model(
        "paragraph_ngram"
    )  # each member held once per process
    card = (default_folder("paragraph_blend") / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "unspin train paragraph-blend" in card and "unspin eval semeval2023" in card
    c = ru_report.classification
    assert c is not None and c.model == default_folder("paragraph_blend").name and not c.zero_shot
    assert abs(sum(g.probability for g in c.genre_probabilities) - 1) < 1e-3


def test_unseen_language_is_marked_zero_shot() -> None:
    r = report_for_text(  # over the 50 words under which no genre or frames are given
        " ".join(
            ["Міністр оборони заявив, що армія потребує більше зимового спорядження до настання холодів."] * 5
        )
    )
    assert r.language.code == "uk" and r.classification is not None and r.classification.zero_shot
    assert (
        r.classification.model == default_folder("paragraph_heads").name
    )  # the multilingual encoder reads what n-grams cannot
    assert any("zero-shot" in n for n in r.notes)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for aid, text in ARTICLES.items():
        (folder / f"article{aid}.txt").write_text(text, encoding="utf-8")
    return folder


def test_semeval2023_format_round_trips(tmp_path: Path) -> None:
    p = run_cli("techniques", "predict", str(_folder(tmp_path)), "--format", "semeval2023", "--lang", "en")
    assert p.returncode == 0, p.stderr
    rows = [line.split("\t") for line in p.stdout.splitlines()]
    # Every non-empty line of each article, numbered as in the organisers' templates (1, 3, 5 …).
    assert [(a, n) for a, n, _ in rows] == [
        ("800000001", "1"),
        ("800000001", "3"),
        ("800000001", "5"),
        ("800000002", "1"),
        ("800000002", "3"),
    ]
    labels = [[x for x in lab.split(",") if x] for _, _, lab in rows]
    inventory = model("paragraph_heads").techniques
    assert all(x in inventory for row in labels for x in row)
    assert multilabel_f1(labels, labels, inventory) == (1.0, 1.0)


def test_framing_and_genre_formats(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    frames = run_cli("techniques", "predict", str(folder), "--format", "framing")
    genres = run_cli("techniques", "predict", str(folder), "--format", "genre")
    assert frames.returncode == 0 and genres.returncode == 0, frames.stderr + genres.stderr
    f_rows = [line.split("\t") for line in frames.stdout.splitlines()]
    g_rows = [line.split("\t") for line in genres.stdout.splitlines()]
    assert [r[0] for r in f_rows] == [r[0] for r in g_rows] == list(ARTICLES)
    assert all(g in ("opinion", "reporting", "satire") for _, g in g_rows)
    assert single_label_f1([g for _, g in g_rows], [g for _, g in g_rows])[1] == 1.0


PARAGRAPHS = {  # language -> (loaded paragraph, plain paragraph)
    "en": ("The traitors in power lie to us again and again.", "The council met on Monday."),
    "fr": ("Les traîtres au pouvoir nous mentent encore et encore.", "Le conseil s'est réuni lundi."),
}


def _bundle(tmp_path: Path, languages: tuple[str, ...] = ("en",), per_language: int = 5) -> Path:
    """A tiny SemEval-2023 bundle in the organisers' layout, as a tar.xz."""
    root = "semeval2023-task3-data"
    files: dict[str, str] = {
        f"{root}/label-inventories/techniques_subtask3.txt": "\n".join(model("paragraph_heads").techniques)
        + "\n",
        f"{root}/label-inventories/frames_subtask2.txt": "\n".join(model("paragraph_heads").frames) + "\n",
    }
    for k, lang in enumerate(languages):
        loaded, plain = PARAGRAPHS[lang]
        t3, t2, t1, template = [], [], [], []
        for i in range(per_language):
            aid = f"7{k}000000{i:02d}"
            text = f"Title {i}\n\n{loaded}\n\n{plain}\n"
            files[f"{root}/{lang}/train-articles-subtask-3/article{aid}.txt"] = text
            files[f"{root}/{lang}/train-articles-subtask-1/article{aid}.txt"] = text
            t3 += [f"{aid}\t1\t", f"{aid}\t3\tName_Calling-Labeling,Loaded_Language", f"{aid}\t5\t"]
            template += [f"{aid}\t1\tTitle {i}", f"{aid}\t3\t{loaded}", f"{aid}\t5\t{plain}"]
            t2.append(f"{aid}\tPolitical,Morality")
            t1.append(f"{aid}\t{'opinion' if i % 2 == 0 else 'reporting'}")
        files[f"{root}/{lang}/train-labels-subtask-3.txt"] = "\n".join(t3) + "\n"
        files[f"{root}/{lang}/train-labels-subtask-3.template"] = "\n".join(template) + "\n"
        files[f"{root}/{lang}/train-labels-subtask-2.txt"] = "\n".join(t2) + "\n"
        files[f"{root}/{lang}/train-labels-subtask-1.txt"] = "\n".join(t1) + "\n"
    return write_semeval2023_bundle(tmp_path, files)


def test_reader_and_eval_on_a_tiny_bundle(tmp_path: Path) -> None:
    data = _bundle(tmp_path)
    articles = load_semeval2023(data, "en")
    assert len(articles) == 5
    a = articles[0]
    assert a.techniques[3] == ["Name_Calling-Labeling", "Loaded_Language"] and a.techniques[1] == []
    assert (
        a.frames == ["Political", "Morality"]
        and a.genre == "opinion"
        and a.paragraphs[5] == "The council met on Monday."
    )
    fit, held = split_by_article(articles)
    assert len(held) == 1 and not {x.id for x in fit} & {x.id for x in held}
    p = run_cli("eval", "semeval2023", "--data", str(data), "--json")
    assert p.returncode == 0, p.stderr
    en = next(r for r in json.loads(p.stdout) if r["language"] == "en")
    assert en["articles"] == 1 and en["paragraphs"] == 3
    assert all(0.0 <= en[k] <= 1.0 for k in ("st3_micro_f1", "st2_micro_f1", "st1_macro_f1"))
    # One held-out article: every resample is that article, so the interval is the score itself.
    assert en["st3_micro_f1_interval"] == pytest.approx([en["st3_micro_f1"]] * 2)


def test_ngram_heads_train_and_evaluate_on_a_tiny_bundle(tmp_path: Path) -> None:
    from unspin.models.ngram_paragraph_model import NgramParagraphModel
    from unspin.train.paragraphs_ngram import train

    data = _bundle(tmp_path)
    meta = train(data, tmp_path / "ngram")
    assert meta["paragraphs"] == 12 and meta["columns"] > 0 and len(meta["technique_thresholds"]) == 23
    m = NgramParagraphModel(tmp_path / "ngram")
    probs = m.paragraph_probs(
        ["The traitors in power lie to us again and again.", "The council met on Monday."]
    )
    j = m.techniques.index("Loaded_Language")
    assert probs[0, j] > probs[1, j]  # learnt from the four training articles
    p = run_cli("eval", "semeval2023", "--data", str(data), "--model", str(tmp_path / "ngram"), "--json")
    assert p.returncode == 0, p.stderr
    en = next(r for r in json.loads(p.stdout) if r["language"] == "en")
    assert en["articles"] == 1 and en["paragraphs"] == 3 and 0.0 <= en["st3_micro_f1"] <= 1.0


def test_framing_and_genre_commands_reproduce_the_artifact_that_holds_their_heads(tmp_path: Path) -> None:
    from unspin.models.ngram_paragraph_model import NgramParagraphModel

    data = _bundle(tmp_path)
    p = run_cli("train", "framing", "--data", str(data), "--out", str(tmp_path / "f"))
    assert p.returncode == 0, p.stderr
    assert "semeval23-ngram-heads-v2" in p.stdout
    m = NgramParagraphModel(tmp_path / "f")
    assert len(m.frames) == 14 and m.genres == ["opinion", "reporting", "satire"]
    bad = run_cli("train", "genre", "--data", str(data), "--heads", "bert", "--out", str(tmp_path / "g"))
    assert bad.returncode != 0 and "--heads must be one of ngram, blend, e5" in bad.stderr + bad.stdout


def test_blend_trains_on_both_members_and_scores_the_languages_it_serves(tmp_path: Path) -> None:
    from unspin.models.registry import ModelRegistry
    from unspin.train.paragraph_blend import WEIGHTS

    data = _bundle(tmp_path / "d", ("en", "fr"), per_language=6)
    models = tmp_path / "models"
    # `train genre --heads blend` trains both members beside the blend, then the blend itself.
    p = run_cli("train", "genre", "--heads", "blend", "--data", str(data), "--out", str(models / "blend"))
    assert p.returncode == 0, p.stderr
    assert "e5 weights" in p.stdout and "out-of-fold techniques micro-F1 by e5 weight" in p.stdout
    assert (models / "semeval23-e5-heads-v2" / "heads.npz").exists()
    assert (models / "semeval23-ngram-heads-v2" / "weights.npz").exists()
    meta = json.loads((models / "blend" / "blend.json").read_text(encoding="utf-8"))
    assert meta["languages"] == ["fr", "de", "it", "pl", "ru"] and meta["paragraphs"] == 15  # 5 fit fr x 3
    assert all(meta["weights"][t] in WEIGHTS for t in ("techniques", "frames", "genre"))
    assert len(meta["technique_thresholds"]) == 23 and len(meta["frame_thresholds"]) == 14
    assert set(meta["oof_scores"]["techniques micro-F1"]) == {str(w) for w in WEIGHTS}

    blend = ModelRegistry(
        {
            "paragraph_blend": models / "blend",
            "paragraph_heads": models / "semeval23-e5-heads-v2",
            "paragraph_ngram": models / "semeval23-ngram-heads-v2",
        }
    ).get("paragraph_blend")
    texts = list(PARAGRAPHS["fr"])
    tp, fp, gp = blend.predict_proba(texts)
    e5_tp, _, e5_gp = blend.e5.predict_proba(texts)
    ng_tp, _, ng_gp = blend.ngram.predict_proba(texts)
    w = blend.weights
    assert abs(tp - (w["techniques"] * e5_tp + (1 - w["techniques"]) * ng_tp)).max() < 1e-5
    assert abs(gp - (w["genre"] * e5_gp + (1 - w["genre"]) * ng_gp)).max() < 1e-5
    assert abs(gp.sum() - 1) < 1e-4 and fp.shape == (14,)

    scored = run_cli(
        "eval", "semeval2023", "--data", str(data), "--model", str(models / "blend"), "--lang", "fr", "--json"
    )
    assert scored.returncode == 0, scored.stderr
    (fr,) = json.loads(scored.stdout)
    assert fr["language"] == "fr" and fr["articles"] == 1 and fr["paragraphs"] == 3
    bad = run_cli("eval", "semeval2023", "--data", str(data), "--lang", "xx")
    assert bad.returncode != 0 and "no SemEval-2023 training data for ['xx']" in bad.stderr


def test_blend_refuses_members_that_are_not_beside_it(tmp_path: Path) -> None:
    from unspin.train.paragraph_blend import train

    with pytest.raises(ValueError, match="must be artifact folders beside"):
        train(
            tmp_path,
            tmp_path / "a" / "blend",
            default_folder("paragraph_heads"),
            default_folder("paragraph_ngram"),
        )
