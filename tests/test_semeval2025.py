"""SemEval-2025 Task 10: the loader (RU CRLF offsets, EN quotes), the scorers, `unspin eval semeval2025` on a
folder of the task's layout, the narratives_taxonomy and entity_roles analysers, and where their output shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from unspin.datasets.semeval2025 import _crlf_to_lf, _language_of, load, load_folder
from unspin.engines.records import SCHEMA, flat_columns
from unspin.errors import DataError
from unspin.eval.semeval2025 import _f1, mean_interval, ratio_interval
from unspin.model import Article, Report
from unspin.models.storyline_features import cut_sentences, pieces_in
from unspin.models.storylines import read_count
from unspin.pipeline import Pipeline
from unspin.render.html import render_html
from unspin.render.text import render_text

TASK = FIXTURES / "semeval2025"
TEXT = (
    "Sanctions are destroying Europe, not Russia\n\n"
    "The sanctions imposed by Brussels are destroying European industry while Moscow grows stronger. "
    "Ursula von der Leyen ignores the suffering of ordinary families who cannot pay for heating. "
    "Von der Leyen keeps sending weapons to Kyiv, and the war drags on because Washington wants it to. "
    "Vladimir Putin has offered talks many times, but the West refuses to listen."
)


def test_loader_reads_offsets_as_annotated() -> None:
    docs = {d.id: d for d in load(TASK)}
    assert set(docs) == {"EN_T_1.txt", "EN_T_2.txt", "RU_T_1.txt"}
    for d in docs.values():
        for m in d.mentions:  # RU offsets count CRLF; the EN quoted mention is one character off
            assert d.text[m.start : m.end].strip('"') == m.text.strip('"'), (d.id, m.text)
    assert docs["RU_T_1.txt"].language == "RU" and "\r" not in docs["RU_T_1.txt"].text
    en = docs["EN_T_1.txt"]
    assert en.narratives == ["URW: Discrediting the West, Diplomacy"]  # repeats collapse
    assert len(en.subnarratives) == 2 and en.mentions[1].fine == ["Guardian", "Virtuous"]
    assert docs["EN_T_2.txt"].narratives == ["Other"]
    assert _crlf_to_lf("a\nb", 3) == 2  # 'b' is at 3 when the line break counts two
    assert (
        _language_of(Path("dev"), "A9_BG_2566.txt") == "BG"
        and _language_of(Path("x"), "RU-URW-1.txt") == "RU"
    )


def test_loader_rejects_a_folder_out_of_layout(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        load(tmp_path)
    (tmp_path / "raw-documents").mkdir()
    with pytest.raises(DataError, match="subtask-1-annotations"):
        load_folder(tmp_path, subtask=1)


def test_scorers_and_intervals() -> None:
    assert _f1({"a", "b"}, {"a"}) == pytest.approx(2 / 3)
    assert _f1({"Other"}, {"Other"}) == 1.0
    lo, hi = mean_interval([0.0, 1.0] * 20)
    assert lo < 0.5 < hi
    assert ratio_interval([(3, 3), (0, 3)])[0] <= 0.5 <= ratio_interval([(3, 3), (0, 3)])[1]


def test_sentences_and_pieces() -> None:
    text = "Title line\n\nFirst one. Second one!\nThird"
    assert [text[s:e] for s, e in cut_sentences(text)] == ["Title line", "First one.", "Second one!", "Third"]
    pieces = ("▁Ursula", "▁von", "▁der", "▁Ley", "en", "▁said")
    assert pieces_in("Ursula von der Leyen said", pieces, 11, 20) == [2, 3, 4]
    assert read_count([5, 100, 100, 100], "en") == 2 and read_count([5, 100, 100, 100], "ru") == 4


def test_eval_command_scores_a_task_folder(tmp_path: Path) -> None:
    out = tmp_path / "pred.txt"
    p = run_cli(
        "eval", "semeval2025", "--subtask", "2", "--folder", str(TASK), "--json", "--predictions", str(out)
    )
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    langs = {r["language"]: r for r in data["results"]}
    assert set(langs) == {"EN", "RU"} and langs["EN"]["documents"] == 2
    assert 0.0 <= langs["EN"]["narratives_f1"] <= 1.0 and len(langs["EN"]["narratives_f1_interval"]) == 2
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 3 and all(len(r.split("\t")) == 3 for r in rows)
    p = run_cli("eval", "semeval2025", "--subtask", "1", "--folder", str(TASK / "EN"))
    assert p.returncode == 0, p.stderr
    assert "exact-match ratio" in p.stdout and "4 mentions" in p.stdout


def test_eval_command_bad_folder_exits_2(tmp_path: Path) -> None:
    p = run_cli("eval", "semeval2025", "--subtask", "2", "--folder", str(tmp_path))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "layout" in p.stderr
    p = run_cli("eval", "semeval2025", "--subtask", "3", "--folder", str(TASK))
    assert p.returncode == 2 and "Traceback" not in p.stderr


@pytest.fixture(scope="module")
def report() -> Report:
    return Pipeline().analyze(
        Article(title=TEXT.split("\n")[0], body=TEXT.split("\n", 2)[2]),
        language="en",
        only=["narratives_taxonomy", "entity_roles"],
    )


def test_analysers_on_an_english_text(report: Report) -> None:
    st = report.storylines
    assert st is not None and st.model == "semeval25-storylines-v1" and not st.zero_shot
    assert st.other == (not st.storylines) and len(st.top) == 5
    for s in st.storylines:
        assert s.probability >= st.threshold and s.evidence and s.explanation.startswith("The text pushes")
        for e in s.evidence:
            assert (report.title if e.field == "title" else report.body)[e.start : e.end] == e.text
    by_name = {a.canonical: a for a in report.entity_roles}
    assert by_name, "the cast names the article's entities"
    # Both spellings of von der Leyen are one entity, read over both mentions, with one role.
    leyen = [a for a in report.entity_roles if "Leyen" in a.canonical]
    assert len(leyen) == 1 and leyen[0].mentions == 2
    for a in report.entity_roles:
        assert a.main_role in ("Protagonist", "Antagonist", "Innocent")
        assert sum(a.main_probabilities.values()) == pytest.approx(1.0, abs=1e-3)
        ev = a.evidence
        assert (
            ev is not None
            and (report.title if ev.field == "title" else report.body)[ev.start : ev.end] == ev.text
        )


def test_report_outputs_show_storylines_and_cast(report: Report) -> None:
    html = render_html(report)
    assert 'id="storylines"' in html and "Cast of actors" in html
    text = render_text(report)
    assert "cast:" in text and ("storyline" in text)
    row = flat_columns(report)
    for column in ("storylines", "subnarratives", "actors", "actor_roles"):
        assert column in SCHEMA.names and isinstance(row[column], list)
    assert len(row["actors"]) == len(row["actor_roles"]) == len(report.entity_roles)
    schema = json.loads((Path(__file__).parent.parent / "schema" / "report.schema.json").read_text())
    assert "storylines" in schema["properties"] and "entity_roles" in schema["properties"]
