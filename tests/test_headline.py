"""Headline vs body: the verdict, its elements, `unspin.stance` and `unspin stance`, and the FNC-1 eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import unspin
from conftest import ROOT, model, report_for_text, write_gz_csv
from unspin.cli import app
from unspin.datasets.fnc1 import load_fnc1
from unspin.eval.scorers import fnc_score
from unspin.eval.stance import evaluate_fnc1

BODY = (
    "Ukrainian Defence Minister Oleksii Reznikov asked NATO partners for more air defence systems on Tuesday. "
    "In an interview with The Globe and Mail, Reznikov said Ukraine needs the systems to protect its cities "
    "and power plants from Russian missile strikes before winter.\n\n"
    "He thanked the partners for the air defence systems already delivered and said he hoped deliveries "
    "would continue. NATO ministers will discuss the request at a meeting in Brussels next week.\n\n"
    "Reznikov did not mention any offensive operations."
)
INVENTED = "Ukraine asked NATO for air defence to capture Donbass"
FAITHFUL = "Reznikov asks NATO partners for more air defence systems before winter"


def test_invented_purpose_is_flagged() -> None:
    r = report_for_text(BODY, "en", INVENTED)
    h = r.headline
    assert h is not None and h.verdict == "not supported"
    purpose = next(e for e in h.elements if e.kind == "purpose")
    assert purpose.span.text == "to capture Donbass"
    assert purpose.status == "absent"
    assert "not supported" in h.explanation
    flagged = [f for f in r.findings if f.kind == "headline"]
    assert flagged and all(f.field == "title" for f in flagged)
    assert any(r.title[f.start : f.end] == "to capture Donbass" for f in flagged)
    assert h.closest and h.closest[0].span.field == "body"


def test_faithful_headline_is_supported() -> None:
    r = report_for_text(BODY, "en", FAITHFUL)
    h = r.headline
    assert h is not None
    assert h.verdict == "supported", h.explanation
    assert h.stance in ("agree", "discuss")
    assert all(e.status == "supported" for e in h.elements)
    assert not [f for f in r.findings if f.kind == "headline"]


def test_element_only_in_an_anonymous_claim() -> None:
    body = BODY + "\n\nSources say that Kyiv plans to capture Donbass by spring."
    h = unspin.stance(INVENTED, body, language="en")
    purpose = next(e for e in h.elements if e.kind == "purpose")
    assert purpose.status == "only in others' claims"
    assert purpose.evidence is not None and purpose.evidence.text.startswith("Sources say")
    assert h.verdict == "not supported"


def test_invented_number_is_flagged() -> None:
    h = unspin.stance("Reznikov asks NATO for 300 air defence systems", BODY, language="en")
    number = next(e for e in h.elements if e.kind == "number")
    assert number.status == "absent" and h.verdict == "not supported"


def test_stance_api_rejects_empty_input() -> None:
    with pytest.raises(unspin.IngestError, match="headline"):
        unspin.stance("  ", BODY)
    with pytest.raises(unspin.IngestError, match="body"):
        unspin.stance(FAITHFUL, "")


def test_stance_model_on_unrelated_and_related_pairs() -> None:
    m = model("stance")
    preds = m.predict(["Apple unveils a new iPhone with a foldable screen", FAITHFUL], [BODY, BODY])
    assert preds[0].stance == "unrelated"
    assert preds[1].stance != "unrelated"
    assert abs(sum(preds[0].probabilities.values()) - 1.0) < 1e-3


def test_stance_cli(tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text(BODY, encoding="utf-8")
    headline = tmp_path / "headline.txt"
    headline.write_text(INVENTED + "\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["stance", str(headline), str(body), "--json", "--lang", "en"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["verdict"] == "not supported"
    res = runner.invoke(app, ["stance", FAITHFUL, str(body), "--lang", "en"])
    assert res.exit_code == 0 and "verdict: supported" in res.output
    res = runner.invoke(app, ["stance", FAITHFUL, str(tmp_path / "missing.txt")])
    assert res.exit_code == 2 and "missing.txt" in res.output


def test_fnc1_eval_on_a_tiny_fixture(tmp_path: Path) -> None:
    folder = tmp_path / "fnc1"
    folder.mkdir()
    bodies = [["1", BODY], ["2", "The football club won the cup final 3-1 on Saturday evening."]]
    stances = [
        [FAITHFUL, "1", "agree"],
        [INVENTED, "1", "disagree"],
        ["Apple unveils a new iPhone with a foldable screen", "1", "unrelated"],
        [FAITHFUL, "2", "unrelated"],
    ]
    for split, (s_name, b_name) in {
        "test": ("competition_test_stances.csv.gz", "competition_test_bodies.csv.gz")
    }.items():
        write_gz_csv(folder / s_name, ["Headline", "Body ID", "Stance"], stances)
        write_gz_csv(folder / b_name, ["Body ID", "articleBody"], bodies)
        data = load_fnc1(tmp_path, split)
        r = evaluate_fnc1(model("stance"), data)
        preds = [
            p.stance
            for p in model("stance").predict(
                [p.headline for p in data.pairs], [data.body(p) for p in data.pairs]
            )
        ]
        score, best = fnc_score([p.stance for p in data.pairs], preds)
        assert (r.score, r.max_score) == (score, best) and best == 2.5
        assert r.relative == pytest.approx(100 * score / best)
        assert sum(sum(row.values()) for row in r.confusion.values()) == 4
    res = CliRunner().invoke(app, ["eval", "fnc1", "--data", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["pairs"] == 4


def test_shipped_artifacts_load_offline() -> None:
    for name in ("fnc1-stance-mlp-v1", "checkworthy-ngram-v1", "verify-climate-lr-v1"):
        folder = ROOT / "src" / "unspin" / "models" / name
        assert (folder / "MODEL_CARD.md").read_text(encoding="utf-8").startswith("# ")
        assert sum(p.stat().st_size for p in folder.iterdir()) < 30_000_000


def test_stance_cli_leaves_the_body_files_own_title_out(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(f"{INVENTED}\n\n{BODY}", encoding="utf-8")
    res = CliRunner().invoke(app, ["stance", INVENTED, str(article), "--json", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["verdict"] == "not supported"
