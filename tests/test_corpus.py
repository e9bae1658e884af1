"""`unspin corpus report`: aggregates over a fixture batch, near-duplicate clusters, CSVs, and the dashboard
rendered by headless Chromium with charts and no console errors."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from unspin.corpus import aggregate
from unspin.corpus.clusters import differences, link, pairs
from unspin.corpus.report import build_report
from unspin.engines.local import run_local
from unspin.engines.run import BatchConfig

CORPUS = FIXTURES / "corpus"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus (plus one bad row) through the full pipeline, with a two-entry knowledge base."""
    tmp = tmp_path_factory.mktemp("corpus")
    kb = tmp / "kb.sqlite"
    imported = run_cli("kb", "import", str(CORPUS / "kb.jsonl"), "--format", "jsonl", "--kb", str(kb))
    assert imported.returncode == 0, imported.stderr
    bad = tmp / "more.jsonl"
    bad.write_text(json.dumps({"id": "blank", "text": " ", "outlet": "RT"}) + "\n", encoding="utf-8")
    run_local(BatchConfig(inputs=[CORPUS / "articles.jsonl", bad], out=tmp / "out", kb=kb), quiet=True)
    return tmp / "out"


@pytest.fixture(scope="module")
def dashboard(batch_out: Path) -> tuple[Path, dict[str, object]]:
    html = batch_out.parent / "site" / "corpus.html"
    return html, build_report(batch_out, html)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_aggregates(batch_out: Path) -> None:
    con = aggregate.connect(batch_out)
    overview = aggregate.overview(con)
    assert overview == {
        "rows": 11, "analysed": 10, "errors": 1, "outlets": 8, "first_date": "2024-01-20", "last_date": "2024-03-08"
    }  # fmt: skip
    outlets = {r["outlet"]: r for r in aggregate.outlets(con).records()}
    assert outlets["RT"]["articles"] == 2 and outlets["Reuters"]["articles"] == 2
    for r in outlets.values():
        assert r["headlines_checked"] == r["articles"]  # every fixture article has a headline
        assert 0 <= (r["headline_not_supported_rate"] or 0) <= 1
        assert r["unattributed_claims"] <= r["claims"]
    by_outlet = aggregate.techniques_by(con, "outlet_name").records()
    rt = [r for r in by_outlet if r["outlet"] == "RT"]
    assert rt and all(r["of_articles"] == 2 and r["rate"] == r["articles"] / 2 for r in rt)
    assert not [r for r in by_outlet if r["outlet"] == "BBC"]  # the plain science story uses none
    months = {r["month"] for r in aggregate.techniques_by(con, "month").records()}
    assert months <= {"2024-02", "2024-03"} and months
    speakers = {r["speaker"]: r for r in aggregate.people(con, "speakers").records()}
    assert speakers["Vladimir Solovyov"]["articles"] == 3 and speakers["Vladimir Solovyov"]["outlets"] == 2
    narratives = aggregate.narratives_by(con, "outlet_name").records()
    west = {r["outlet"]: r["articles"] for r in narratives if r["narrative"] == "fixture-west-war"}
    assert west == {"RT": 2, "Sputnik": 1}
    assert aggregate.errors(con).records()[0]["rows"] == 1


def test_storylines_and_casting_by_outlet(batch_out: Path, dashboard: tuple[Path, dict[str, object]]) -> None:
    con = aggregate.connect(batch_out)
    stories = aggregate.storylines_by(con, "outlet_name")
    assert stories.columns == ["outlet", "storyline", "articles", "of_articles", "rate"]
    for r in stories.records():
        assert r["storyline"].startswith(("URW: ", "CC: ")) and 0 < r["rate"] <= 1
    assert aggregate.storylines_by(con, "month").columns[0] == "month"
    cast = aggregate.casting(con, actors=5).records()
    assert cast and len({r["actor"] for r in cast}) <= 5
    for r in cast:  # every cast row counts its articles once, under one main role
        assert r["protagonist"] + r["antagonist"] + r["innocent"] == r["articles"]
    page = dashboard[0].read_text(encoding="utf-8")
    assert "Storylines by outlet" in page and "How each outlet casts the most named actors" in page


def test_clusters_find_the_copies_and_what_changed(dashboard: tuple[Path, dict[str, object]]) -> None:
    html, summary = dashboard
    assert summary["clusters"] == 2
    rows = read_csv(html.parent / "corpus_csv" / "clusters.csv")
    clusters: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        clusters.setdefault(r["cluster"], []).append(r)
    assert sorted(sorted(r["id"] for r in c) for c in clusters.values()) == [
        ["a1", "a2", "a3"],
        ["b1", "b2", "b3"],
    ]
    for members in clusters.values():
        assert members[0]["earliest"] == "True" and members[0]["id"] in {"a1", "b1"}  # the earliest dates
    a3 = next(r for r in rows if r["id"] == "a3")
    assert "Yuriy Vaskov" in a3["names_added"] and "Oleksandr Kubrakov" in a3["names_removed"]


def test_differences_name_added_and_removed_sentences() -> None:
    change = differences(
        "One fact here. Kyiv said so. Maria Ivanova agreed.", "One fact here. Petro Shevchenko agreed."
    )
    assert change["sentences_removed"] == ["Kyiv said so.", "Maria Ivanova agreed."]
    assert change["sentences_added"] == ["Petro Shevchenko agreed."]
    assert change["names_added"] == ["Petro Shevchenko"] and change["names_removed"] == ["Maria Ivanova"]


def test_link_separates_unrelated_texts() -> None:
    base = " ".join(f"word{i}" for i in range(200))
    other = " ".join(f"other{i}" for i in range(200))
    groups = link([("0:1", base), ("0:2", base.replace("word7 ", "changed ")), ("0:3", other)], threshold=0.5)
    assert pairs(groups) == {frozenset({"0:1", "0:2"})}


def test_csvs_hold_the_dashboard_numbers(dashboard: tuple[Path, dict[str, object]], batch_out: Path) -> None:
    html, _ = dashboard
    outlets = read_csv(html.parent / "corpus_csv" / "outlets.csv")
    con = aggregate.connect(batch_out)
    assert [r["outlet"] for r in outlets] == [r["outlet"] for r in aggregate.outlets(con).records()]
    page = html.read_text(encoding="utf-8")
    data = json.loads(page.split('id="corpus-data">', 1)[1].split("</script>", 1)[0])
    assert [r["outlet"] for r in data["outlets"]] == [r["outlet"] for r in outlets]
    assert not re.search(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=", page)  # nothing to fetch
    assert "Plotly.newPlot" in page and len(page) > 3_000_000  # plotly.min.js is inline
    reports = sorted(p.name for p in (html.parent / "corpus_reports").glob("*.html"))
    assert "0-1.html" in reports and 'href="corpus_reports/0-1.html"' in page


def _chromium(page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and every console message the page logged."""
    assert CHROMIUM is not None
    run = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=10000", "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return run.stdout, [line for line in run.stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs it)")
def test_dashboard_renders_charts_without_console_errors(
    dashboard: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    control = tmp_path / "control.html"
    control.write_text("<html><body><script>missingFunction();</script></body></html>", encoding="utf-8")
    _, messages = _chromium(control, tmp_path / "p1")
    assert any("missingFunction" in m for m in messages)  # the capture sees a page's errors

    dom, messages = _chromium(dashboard[0], tmp_path / "p2")
    assert messages == []
    assert 'data-charts="7"' in dom  # every Plotly.newPlot promise resolved
    assert dom.count('class="main-svg"') >= 7 and "js-plotly-plot" in dom


def test_report_on_a_folder_without_parts_fails_cleanly(tmp_path: Path) -> None:
    result = run_cli("corpus", "report", str(tmp_path), "--html", str(tmp_path / "x.html"))
    assert (
        result.returncode == 2 and "holds no part files" in result.stderr and "Traceback" not in result.stderr
    )
