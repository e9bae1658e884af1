"""The technique span model: ships and loads offline, finds obvious spans, writes formats the scorers read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, model, report_for_text, run_cli
from unspin.datasets.ptc import TECHNIQUES_2020, read_articles, read_labels
from unspin.eval.scorers import span_f1, tc_micro_f1
from unspin.models import artifact
from unspin.models.registry import default_folder
from unspin.render.formats import ptc_si_lines, ptc_tc_lines, read_tc_template

MINI = FIXTURES / "ptc-mini"
MINILM = "ptc-spans-minilm-v4"  # one member of the shipped span ensemble
LOADED = (
    "The corrupt globalist elites have once again betrayed our great nation. These traitors will stop at "
    "nothing to destroy everything we hold dear, and the rotten regime in Kiev cheers them on."
)


def test_artifact_ships_with_card_and_loads_offline() -> None:
    folder = default_folder("span_tagger")
    card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "unspin train techniques" in card and "unspin eval ptc" in card
    assert (folder / "encoder.onnx").stat().st_size < 32_000_000
    cal = json.loads((folder / "calibration.json").read_text(encoding="utf-8"))
    assert cal["labels"] == list(TECHNIQUES_2020) and 0 < cal["threshold"] < 1
    assert model("span_tagger").labels == list(TECHNIQUES_2020)


def test_obvious_loaded_language_is_found() -> None:
    r = report_for_text(LOADED, language="en")
    found = [t for t in r.techniques if t.field == "body"]
    assert found, "no technique span found in an obviously loaded text"
    words = " ".join(t.text for t in found).lower()
    assert any(w in words for w in ("corrupt", "traitors", "rotten", "betrayed"))
    for t in found:
        assert r.body[t.start : t.end] == t.text and 0 <= t.score <= 1 and t.category
    assert any(f.kind == "technique" for f in r.findings)


def test_neutral_text_has_few_spans() -> None:
    r = report_for_text("The city council approved the budget on Monday. The vote was 7 to 2.", language="en")
    assert len(r.techniques) <= 1


def test_si_format_round_trips_through_the_scorer() -> None:
    gold = read_labels(MINI / "ptc-semeval2020-task11" / "dev-task-TC.labels")
    lines = ptc_si_lines("900000001", [(s, e) for s, e, _ in gold["900000001"]])
    parsed: dict[str, list[tuple[int, int]]] = {}
    for line in lines:
        aid, s, e = line.split("\t")
        parsed.setdefault(aid, []).append((int(s), int(e)))
    assert span_f1({a: [(s, e) for s, e, _ in v] for a, v in gold.items()}, parsed).f1 == 1.0


def test_tc_format_round_trips_through_the_scorer() -> None:
    rows = [("1", "Doubt", 0, 5), ("1", "Slogans", 9, 12)]
    lines = ptc_tc_lines(rows)
    template = read_tc_template(
        "\n".join(line.replace("Doubt", "?").replace("Slogans", "?") for line in lines)
    )
    assert template == [("1", 0, 5), ("1", 9, 12)]
    assert tc_micro_f1([r[1] for r in rows], [line.split("\t")[1] for line in lines]) == 1.0


def test_repeated_template_fragment_gets_its_next_best_technique() -> None:
    import numpy as np

    from unspin.models.span_model import label_lines

    probs = np.array([[0.1, 0.6, 0.3], [0.1, 0.6, 0.3], [0.7, 0.2, 0.1]])
    spans = [(0, 5), (0, 5), (9, 12)]
    assert label_lines(["A", "B", "C"], spans, probs) == ["B", "C", "A"]


def test_eval_ptc_on_a_fixture_corpus() -> None:
    p = run_cli("eval", "ptc", "--data", str(MINI), "--json")
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout)
    assert result["articles"] == 2 and result["gold_spans"] == 3
    assert 0.0 <= result["si"]["f1"] <= 1.0 and 0.0 <= result["tc_micro_f1"] <= 1.0
    lo, hi = result["si"]["f1_95_interval_by_article_bootstrap"]
    assert 0.0 <= lo <= result["si"]["f1"] <= hi <= 1.0


def test_predict_formats_on_a_folder(tmp_path: Path) -> None:
    folder = MINI / "ptc-semeval2020-task11" / "dev-articles"
    p = run_cli("techniques", "predict", str(folder), "--format", "ptc-si")
    assert p.returncode == 0, p.stderr
    texts = read_articles(folder)
    for line in p.stdout.splitlines():
        aid, s, e = line.split("\t")
        assert aid in texts and 0 <= int(s) < int(e) <= len(texts[aid])
    template = tmp_path / "template.out"
    template.write_text("900000001\t?\t4\t20\n900000002\t?\t0\t7\n", encoding="utf-8")
    p = run_cli("techniques", "predict", str(folder), "--format", "ptc-tc", "--template", str(template))
    assert p.returncode == 0, p.stderr
    out = [line.split("\t") for line in p.stdout.splitlines()]
    assert [(a, s, e) for a, _, s, e in out] == [("900000001", "4", "20"), ("900000002", "0", "7")]
    assert all(t in TECHNIQUES_2020 for _, t, _, _ in out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["techniques", "predict", "nope-dir"], "not a folder"),
        (
            [
                "techniques",
                "predict",
                str(MINI / "ptc-semeval2020-task11" / "dev-articles"),
                "--format",
                "ptc-tc",
            ],
            "needs --template",
        ),
    ],
)
def test_predict_errors(args: list[str], message: str) -> None:
    p = run_cli(*args)
    assert p.returncode == 2 and message in p.stderr


def test_span_context_sees_quotations_attribution_and_questions() -> None:
    from unspin.models.span_context import FEATURES, SpanContext

    text = (
        'Experts say the "so-called" reform is a disaster. "We will never accept this betrayal of our people," '
        "the minister said.\nWho benefits from it? The reform may collapse. The reform may collapse."
    )
    ctx = SpanContext(text)
    feats = {
        name: dict(
            zip(FEATURES, ctx.features(text.index(name), text.index(name) + len(name), 3), strict=True)
        )
        for name in ("so-called", "betrayal of our people", "Who benefits", "may collapse")
    }
    assert feats["so-called"]["scare_quote"] == 1.0 and feats["so-called"]["attributed"] == 1.0
    assert feats["betrayal of our people"]["in_quotation"] == 1.0
    assert feats["Who benefits"]["question"] == 1.0 and feats["Who benefits"]["in_quotation"] == 0.0
    assert feats["may collapse"]["hedged"] == 1.0 and feats["may collapse"]["repetition"] > 0


def test_windows_cover_the_text_wherever_the_first_cut_falls() -> None:
    from unspin.models.span_model import SpanModel
    from unspin.models.windows import windows

    model = SpanModel(artifact(MINILM))
    text = " ".join([LOADED] * 20)
    plain = windows(model.tokenizer, text)
    for first in (16, 100, 254):
        cut = windows(model.tokenizer, text, first=first)
        assert len(cut[0].ids) == first
        assert [i for w in cut for i in w.ids] == [i for w in plain for i in w.ids]
        assert max(len(w.ids) for w in cut) <= 254


def test_windows_spread_over_cores_give_the_states_of_one_window_after_another() -> None:
    import numpy as np

    from unspin.models.span_model import SpanModel

    spread = SpanModel(artifact(MINILM), threads=2)  # two windows at a time, whatever the machine's cores
    serial = SpanModel(artifact(MINILM), threads=2, spread_windows=False)  # one call after another
    assert spread.workers == 2 and serial.workers == 1
    text = "\n".join([LOADED] * 40)  # several windows of different lengths
    a, b = spread.encode(text), serial.encode(text)
    assert len(a.windows) >= 3 and spread._pool is not None
    assert [w.ids for w in a.windows] == [w.ids for w in b.windows]
    for x, y in zip(a.hidden, b.hidden, strict=True):
        # Same float32 operations; only the intra-op split of the serial session may round differently.
        assert x.shape == y.shape
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-5)


def test_technique_head_refit_writes_a_loadable_model(tmp_path: Path) -> None:
    pytest.importorskip("torch")  # a training-time extra
    import shutil

    from unspin.datasets.ptc import load_ptc
    from unspin.models.span_model import SpanModel
    from unspin.train.technique_head import refit

    folder = tmp_path / "model"
    shutil.copytree(artifact(MINILM), folder)
    articles = load_ptc(MINI, "dev")
    meta = refit(folder, articles, articles)
    assert meta["train_spans"] == 3 and meta["kept"] in {"context head", "joint head"}
    model = SpanModel(folder)
    probs = model.classify(LOADED, [(4, 21)])
    assert probs.shape == (1, len(TECHNIQUES_2020)) and abs(probs.sum() - 1) < 1e-5


def test_predict_skips_a_bad_file_and_names_it(tmp_path: Path) -> None:
    """A folder run goes on past a file that is not an article: the others get their lines, the bad ones are
    named on stderr, and the exit code (1) says that something was skipped."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "article1.txt").write_text("Rotten regime\n\n" + LOADED + "\n", encoding="utf-8")
    (folder / "article2.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00" * 20)
    (folder / "article3.txt").write_bytes(b"")
    p = run_cli("techniques", "predict", str(folder), "--format", "ptc-si")
    assert p.returncode == 1, p.stderr
    assert {line.split("\t")[0] for line in p.stdout.splitlines()} == {"1"}
    assert "article2.txt: looks like binary data" in p.stderr and "article3.txt: empty article" in p.stderr
    assert "2 of 3 articles skipped" in p.stderr and "Traceback" not in p.stderr
    template = tmp_path / "template.out"
    template.write_text("1\t?\t15\t40\n2\t?\t0\t5\n", encoding="utf-8")
    p = run_cli("techniques", "predict", str(folder), "--format", "ptc-tc", "--template", str(template))
    assert p.returncode == 1 and [line.split("\t")[0] for line in p.stdout.splitlines()] == ["1"]


def test_article_files_read_as_the_organisers_read_them(tmp_path: Path) -> None:
    """Gold offsets count a UTF-8 byte-order mark and universal newlines; another encoding is decoded."""
    from unspin.datasets.ptc import read_article_file

    bom = tmp_path / "article1.txt"
    bom.write_bytes(b"\xef\xbb\xbfTitle\r\n\r\nBody.\r\n")
    assert read_article_file(bom) == "\ufeffTitle\n\nBody.\n" == bom.read_text(encoding="utf-8")
    cp1251 = tmp_path / "article2.txt"
    cp1251.write_bytes("Киевский режим снова показал своё истинное лицо.".encode("cp1251"))
    assert read_article_file(cp1251).startswith("Киевский режим")


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        (["eval", "ptc"], "dev-task-TC.labels"),
        (["eval", "semeval2023"], "semeval2023-task3-data.tar.xz"),
        (["eval", "ptc", "--data", "no-such-dir"], "data directory not found"),
    ],
)
def test_eval_without_the_corpus_is_one_line(tmp_path: Path, args: list[str], missing: str) -> None:
    if "--data" not in args:
        args = [*args, "--data", str(tmp_path)]  # a data directory that lacks the corpus
    p = run_cli(*args)
    assert p.returncode == 2 and missing in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert p.stderr.startswith("unspin: error: ") and len(p.stderr.strip().splitlines()) == 1
