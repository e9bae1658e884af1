"""Sentence-level technique spans for the languages the English span model does not read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import model, report_for_text, write_semeval2023_bundle
from test_techniques import run_cli
from unspin.datasets.semeval2023 import load_spans, split_by_article
from unspin.model import Report
from unspin.models.registry import default_folder
from unspin.pipeline import default_pipeline
from unspin.taxonomy import techniques_2023
from unspin.train.sentence_spans import sentence_labels

LOADED_RU = "Преступный режим предателей снова лжёт нашему великому народу."
CALM_RU = "Городской совет утвердил бюджет в понедельник."


def test_technique_sentences_are_the_sentences_unspin_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    from unspin.analyzers import techniques
    from unspin.model import Article
    from unspin.nlp import parse

    doc = parse(
        Article(title="Они лгут!", body=f"{LOADED_RU} {CALM_RU}\n\nПочему Запад молчит?"), language="ru"
    )
    monkeypatch.setattr(model("sentence_spans"), "threshold", 0.0)  # every sentence reported
    spans = techniques.analyze(doc, default_pipeline().models).fields["techniques"]
    parsed = [(p.field, s.start, s.end, s.text) for p in (doc.title, doc.body) for s in p.sentences]
    assert [(t.field, t.start, t.end, t.text) for t in spans] == parsed
    assert len(parsed) == 4 and all(t.unit == "sentence" and 0 <= t.score <= 1 for t in spans)


def test_a_sentence_takes_the_techniques_of_spans_that_cover_half_of_it_or_of_themselves() -> None:
    sentences = [(0, 40), (41, 100)]
    spans = [(5, 30, "Loaded_Language"), (38, 45, "Doubt"), (41, 42, "Slogans"), (90, 200, "Repetition")]
    y = sentence_labels(sentences, spans, ["Loaded_Language", "Doubt", "Slogans", "Repetition"])
    # Doubt: 2 of its 7 characters in the first sentence, 4 in the second; Repetition: 10 of 59 / 110.
    assert y.tolist() == [[1, 0, 0, 0], [0, 1, 1, 0]]


def _bundle(tmp_path: Path) -> Path:
    """A tiny SemEval-2023 bundle with Russian span files, in the organisers' layout (CRLF text as theirs)."""
    root = "semeval2023-task3-data"
    files = {f"{root}/label-inventories/techniques_subtask3.txt": "\n".join(techniques_2023()) + "\n"}
    for i in range(6):
        aid = f"80000000{i}"
        text = f"Заголовок {i}\r\n\r\n{LOADED_RU} {CALM_RU}\r\n"
        s = text.index("Преступный")
        files[f"{root}/ru/train-articles-subtask-3/article{aid}.txt"] = text
        files[f"{root}/ru/train-labels-subtask-3-spans/article{aid}-labels-subtask-3.txt"] = (
            f"{aid}\tLoaded_Language\t{s}\t{s + len(LOADED_RU) - 1}\n{aid}\tbroken line\n"
        )
    return write_semeval2023_bundle(tmp_path, files)


def test_span_files_load_and_heads_train_and_evaluate_on_a_tiny_bundle(tmp_path: Path) -> None:
    data = _bundle(tmp_path)
    articles = load_spans(data, "ru")
    assert len(articles) == 6 and load_spans(data, "fr") == []
    a = articles[0]
    ((s, e, tech),) = a.spans  # the malformed line is skipped
    assert tech == "Loaded_Language" and a.text[s:e] == LOADED_RU[:-1] and "\r\n" in a.text
    fit, held = split_by_article(articles)
    assert len(held) == 1 and len(fit) == 5
    out = tmp_path / "model"
    p = run_cli(
        "train", "sentence-spans", "--data", str(data), "--out", str(out), "--cache", str(tmp_path / "c")
    )
    assert p.returncode == 0, p.stderr
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["articles"] == 5 and meta["sentences"] == 15 and meta["sentences_with_a_technique"] == 5
    p = run_cli("eval", "sentence-spans", "--data", str(data), "--model", str(out), "--json")
    assert p.returncode == 0, p.stderr
    ru = next(r for r in json.loads(p.stdout) if r["language"] == "ru")
    assert ru["articles"] == 1 and ru["gold_spans"] == 1
    assert ru["f1"] >= ru["every_sentence_f1"] > 0  # the loaded sentence, not the title or the council


def test_shipped_sentence_heads_load_offline_and_have_a_card() -> None:
    folder = default_folder("sentence_spans")
    card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "unspin train sentence-spans" in card and "unspin eval sentence-spans" in card
    heads = model("sentence_spans")
    assert len(heads.techniques) == 23 and 0 < heads.threshold < 1
    p_any, tech = heads.from_features(np.zeros((2, 768), dtype=np.float32))
    assert p_any.shape == (2,) and np.allclose(tech.sum(axis=1), 1)


def test_russian_article_gets_sentence_spans_in_its_report(ru_report: Report) -> None:
    assert ru_report.techniques, "the Russian fixture uses loaded language; some sentence should be marked"
    for t in ru_report.techniques:
        assert t.unit == "sentence" and t.end > t.start and t.text.strip() == t.text
        assert len(t.semeval2023) == 1 and t.technique  # a 2020 label, or the 2023 name where 2020 has none
    assert any("per sentence" in n for n in ru_report.notes)
    zero_shot = report_for_text(
        "Злочинний режим знову бреше нашому народу. Рада затвердила бюджет.", language="uk"
    )
    assert any("zero-shot" in n for n in zero_shot.notes)


def test_embedding_cache_gives_the_encoders_vectors_and_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from unspin.models import e5_embedder
    from unspin.models.e5_embedder import CachedEncoder

    encoder = CachedEncoder(model("encoder").embedder)  # its own cache, the session's encoder underneath
    first = encoder.embed([LOADED_RU, CALM_RU, LOADED_RU])
    assert np.array_equal(first[0], first[2]) and not np.array_equal(first[0], first[1])
    assert np.array_equal(encoder.embed([CALM_RU])[0], first[1])  # from the cache
    encoder.clear()
    assert np.allclose(encoder.embed([CALM_RU])[0], first[1], atol=1e-6)  # computed again: the same vector
    monkeypatch.setattr(e5_embedder, "CACHE_SIZE", 2)
    encoder.embed(["Первый текст.", "Второй текст.", "Третий текст."])
    assert len(encoder._cache) == 2 and "Первый текст." not in encoder._cache
