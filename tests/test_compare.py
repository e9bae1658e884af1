"""`unspin compare`: an article held against the source it cites (fixtures written for these tests)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import unspin
from conftest import FIXTURES, run_cli
from unspin.comparison.cues import tokens
from unspin.comparison.diff import close_diff, loose_diff
from unspin.comparison.elements import check_element
from unspin.eval.compare_pairs import build_pair, sentences
from unspin.model import Report

CMP = FIXTURES / "compare"


def _diff(article: str, source: str):  # type: ignore[no-untyped-def]
    return close_diff(tokens(article), tokens(source), article, source)


@pytest.mark.parametrize(
    ("article", "source", "kind", "changes"),
    [
        ("Nato will not send troops.", "Nato will not send troops.", "verbatim", []),
        ("Nato will not send troops to Ukraine.", "Nato will not send any more troops to Ukraine.", "trimmed", []),
        ("The army needs 500,000 sets.", "The army needs 200,000 sets.", "changed", ["number"]),
        ("Ukraine would attack Russia.", "Ukraine would not attack Russia.", "changed", ["negation-removed"]),
        ("Ukraine will never attack Russia.", "Ukraine will attack Russia.", "changed", ["negation-added"]),
        ("Officials discussed a mission.", "Officials reportedly discussed a mission.", "changed", ["hedge-removed"]),
        ("Officials allegedly discussed a mission.", "Officials discussed a mission.", "changed", ["hedge-added"]),
        ("Russia will attack Kyiv next week.", "Russia may attack Kyiv next week.", "changed", ["modal-strengthened"]),
        ("The talks ended on Friday in Minsk.", "The talks ended on Thursday in Minsk.", "changed", ["date"]),
        ("He said Poland sent the tanks to Kyiv.", "He said Germany sent the tanks to Kyiv.", "changed", ["actor"]),
        ("The UK is likely to send jets to Ukraine.", "The UK is unlikely to send jets to Ukraine.", "changed",
         ["negation-removed"]),
    ],
)  # fmt: skip
def test_each_kind_of_change_is_named(article: str, source: str, kind: str, changes: list[str]) -> None:
    d = _diff(article, source)
    assert d.kind == kind
    assert sorted(c.kind for c in d.changes) == changes


def test_spelling_variants_are_not_a_change_of_actor() -> None:
    d = loose_diff(
        tokens("The minister Aleksey Reznikov said Kiev asked NATO for weapons."),
        tokens("Defence minister Oleksii Reznikov said Kyiv had asked Nato for more weapons."),
        "",
        "",
    )
    assert "actor" not in {c.kind for c in d.changes}


def test_headline_elements_found_different_absent() -> None:
    source = (
        "Nato will never send forces to Ukraine. Reznikov met Stoltenberg in Kyiv. About 200 troops left."
    )
    spans = list(sentences(source))
    assert check_element("send forces to Ukraine", source, spans).status == "different"  # negated there
    assert check_element("Kiev", source, spans, "actor").status == "found"  # any spelling
    assert check_element("to capture Donbass", source, spans).status == "absent"
    assert check_element("5,000 troops", source, spans).status == "different"


@pytest.fixture(scope="module")
def english() -> Report:
    return unspin.compare(CMP / "article_en.txt", CMP / "source_en.txt")


def test_english_article_against_its_source(english: Report) -> None:
    c = english.comparison
    assert c is not None
    by_text = {u.span.text[:30]: u for u in c.units}
    kinds = {u.kind for u in c.units}
    assert {"trimmed", "changed", "not-in-source"} <= kinds
    changed = {ch.kind for u in c.units for ch in u.changes}
    assert {"number", "negation-removed", "hedge-removed", "modal-strengthened"} <= changed
    nato = next(u for t, u in by_text.items() if t.startswith("Thousands of NATO"))
    assert nato.kind == "not-in-source" and nato.source is None
    quote = next(u for u in c.units if u.unit == "quote")
    assert quote.kind == "trimmed" and "for the air defence systems" in [cut.text for cut in quote.cuts]
    assert c.headline_verdict == "not supported by the source"
    purpose = next(h for h in c.headline if h.kind == "purpose")
    assert purpose.status == "absent" and purpose.evidence is None
    assert any(h.status == "absent" for h in c.claims)
    assert any("did not say a word" in o.span.text for o in c.omissions)
    for u in c.units:  # every span points at the text it quotes
        assert english.body[u.span.start : u.span.end] == u.span.text
        if u.source:
            assert c.source_body[u.source.start : u.source.end] == u.source.text


def test_russian_article_against_its_source() -> None:
    c = unspin.compare(CMP / "article_ru.txt", CMP / "source_ru.txt").comparison
    assert c is not None
    changed = {ch.kind for u in c.units for ch in u.changes}
    assert {"number", "negation-removed"} <= changed
    assert any(u.kind == "not-in-source" and "Харьков" in u.span.text for u in c.units)
    assert any(u.kind == "verbatim" for u in c.units)
    assert c.headline_verdict == "not supported by the source"


def test_cli_compare_json_html_and_errors(tmp_path: Path) -> None:
    html = tmp_path / "view.html"
    r = run_cli("compare", str(CMP / "article_en.txt"), str(CMP / "source_en.txt"), "--format", "json",
                "--html", str(html))  # fmt: skip
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["comparison"]["headline_verdict"] == "not supported by the source"
    page = html.read_text(encoding="utf-8")
    assert 'class="u u-changed"' in page and 'class="cut"' in page
    missing = run_cli("compare", str(tmp_path / "nope.txt"), str(CMP / "source_en.txt"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "Traceback" not in missing.stderr
    loopback = run_cli("compare", str(CMP / "article_en.txt"), "http://127.0.0.1:9/source")
    assert loopback.returncode == 2 and "loopback" in loopback.stderr


def test_eval_pairs_are_built_from_offsets(tmp_path: Path) -> None:
    data = tmp_path / "data" / "war-news"
    data.mkdir(parents=True)
    source = (CMP / "source_en.txt").read_text(encoding="utf-8").split("\n\n", 1)[1]
    with (data / "guard-articles-nato.csv").open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["", "Heading", "Text", "Date Formatted", "Article Url"])
        w.writerow(["7", "Reznikov", source, "2022-05-01", "https://example.org/a"])
    s = source.index("He said the army")
    e = source.index("equipment.", s) + len("equipment.")
    piece = source[s:e]
    record = {
        "pair": "cmp-t01",
        "split": "dev",
        "source": {"corpus": "war-news", "file": "guard-articles-nato.csv", "id": "7"},
        "headline": {"text": "Army needs 500,000 sets", "elements": [{"text": "500,000 sets", "status": "different"}]},
        "units": [
            {"from": [s, e], "kind": "changed", "changes": ["number"],
             "edits": [{"at": [piece.index("200,000"), piece.index("200,000") + 7], "new": "500,000"}]},
            {"from": None, "kind": "not-in-source", "text": "Thousands of NATO troops are already in Kharkov."},
        ],
    }  # fmt: skip
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps(record) + "\n", encoding="utf-8")
    pair = build_pair(record, tmp_path / "data")
    assert "500,000" in pair.body and pair.units[1].kind == "not-in-source"
    r = run_cli(
        "eval", "compare", "--data", str(tmp_path / "data"), "--pairs", str(pairs), "--split", "dev", "--json"
    )
    assert r.returncode == 0, r.stderr
    scores = json.loads(r.stdout)["scores"]
    assert scores["change:number"]["recall"] == 1.0 and scores["not-in-source"]["recall"] == 1.0
    bad = run_cli(
        "eval", "compare", "--data", str(tmp_path / "data"), "--pairs", str(tmp_path / "none.jsonl")
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
