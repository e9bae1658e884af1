"""The span ensemble: members averaged per character, hysteresis decoding, calibration guards."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from unspin.models.registry import default_folder
from unspin.models.span_ensemble import SpanEnsemble, load_span_model
from unspin.models.span_model import SpanModel

TEXT = "Officials said the evil corrupt regime lied. Then it rained."


def _bare(threshold: float, extend: float, gap: int = 0, min_chars: int = 1) -> SpanEnsemble:
    """An ensemble without members, to decode given character probabilities."""
    e = SpanEnsemble.__new__(SpanEnsemble)
    e.threshold, e.extend_threshold, e.merge_gap, e.min_chars = threshold, extend, gap, min_chars
    return e


def _probs(levels: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    p = np.zeros(len(TEXT), dtype=np.float32)
    covered = np.array([not c.isspace() for c in TEXT])
    for word, level in levels.items():
        s = TEXT.index(word)
        p[s : s + len(word)] = level
    return p, covered


def test_hysteresis_extends_a_confident_core_over_weaker_neighbours() -> None:
    probs = _probs({"evil": 0.9, "corrupt": 0.4, "regime": 0.4, "rained": 0.4})
    plain = _bare(0.5, 0.5).decode(TEXT, [], probs=probs)
    assert [TEXT[s:e] for s, e, _ in plain] == ["evil"]
    spans = _bare(0.5, 0.35).decode(TEXT, [], probs=probs)
    # "rained" passes the lower threshold but has no confident character, so it is no span.
    assert [TEXT[s:e] for s, e, _ in spans] == ["evil corrupt regime"]
    (_, _, score) = spans[0]
    assert score == pytest.approx((4 * 0.9 + 13 * 0.4) / 17)  # mean over the characters inside tokens


def test_runs_merge_within_a_sentence_only() -> None:
    probs = _probs({"evil": 0.9, "regime": 0.9, "lied": 0.9, "Then": 0.9})
    spans = _bare(0.5, 0.5, gap=10).decode(TEXT, [], probs=probs)
    assert [TEXT[s:e] for s, e, _ in spans] == ["evil corrupt regime lied", "Then"]
    short_dropped = _bare(0.5, 0.5, gap=10, min_chars=5).decode(TEXT, [], probs=probs)
    assert [TEXT[s:e] for s, e, _ in short_dropped] == ["evil corrupt regime lied"]


def _two_member_ensemble(tmp_path: Path, weights: list[float]) -> SpanEnsemble:
    """An ensemble of two members made of the shipped span model's files (members sit beside the ensemble)."""
    for name in ("member-a", "member-b"):
        (tmp_path / name).mkdir()
        for f in default_folder("span_tagger").iterdir():
            (tmp_path / name / f.name).symlink_to(f.resolve())
    return SpanEnsemble(
        tmp_path / "ensemble",
        {"members": ["member-a", "member-b"], "weights": weights, "threshold": 0.5, "extend_threshold": 0.3,
         "merge_gap": 10, "min_chars": 4, "platt": [1.0, 0.0]},
    )  # fmt: skip


def test_an_ensemble_averages_its_members_character_probabilities(tmp_path: Path) -> None:
    model = _two_member_ensemble(tmp_path, [0.6, 0.4])
    assert {type(m) for m in model.members} == {SpanModel}
    text = "The treacherous regime in Kiev will stop at nothing."
    encs = model.encode(text)
    p, covered = model.char_probs(text, encs)
    assert p.shape == (len(text),) and ((p >= 0) & (p <= 1)).all()
    assert not covered[text.index(" ")] and covered[0]
    solo = [m.token_probs(e) for m, e in zip(model.members, encs, strict=True)]
    first = text.index("treacherous")  # a token starts there
    assert p[first] == pytest.approx(
        np.average([1 - s[0][1, 0] for s in solo], weights=model.weights), abs=1e-6
    )
    probs = model.classify(text, [(4, 29)])
    assert probs.shape == (1, len(model.labels)) and probs.sum() == pytest.approx(1, abs=1e-5)


def test_the_shipped_span_model_loads_as_the_span_tagger() -> None:
    assert isinstance(load_span_model(default_folder("span_tagger")), SpanModel)


def test_an_ensemble_refuses_a_weight_count_unlike_its_members(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="1 weights for 2 members"):
        SpanEnsemble(tmp_path / "ens", {"members": ["a", "b"], "weights": [1.0]})


def _member(folder: Path, held: list[str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "training.json").write_text(json.dumps({"heldout_ids": held}), encoding="utf-8")
    return folder


def test_calibration_refuses_members_that_held_out_different_articles(tmp_path: Path) -> None:
    from unspin.datasets.ptc import LabelledArticle
    from unspin.train.calibrate_spans import calibrate_ensemble

    a, b = _member(tmp_path / "a", ["1", "2"]), _member(tmp_path / "b", ["1", "3"])
    held = [LabelledArticle("1", "x"), LabelledArticle("2", "y")]
    with pytest.raises(ValueError, match="did not all hold out"):
        calibrate_ensemble(tmp_path / "ens", [a, b], held)
    elsewhere = _member(tmp_path / "other" / "c", ["1", "2"])
    with pytest.raises(ValueError, match="beside"):
        calibrate_ensemble(tmp_path / "ens", [a, elsewhere], held)
