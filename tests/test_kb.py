"""Knowledge base: every import format, malformed files, idempotence, retrieval, narratives in the report."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import unspin
from conftest import EXAMPLE, ROOT
from unspin.cli import app
from unspin.kb import Entry, KBError, SqliteKB
from unspin.kb.importers import read_entries, read_import
from unspin.kb.retrieval import retrieve

KALKUN = (
    '"issue","date","outlet","language","origin","reported by","keywords","source","title","summary","disproof"\n'
    '82,10/03/17,"TV Zvezda","Russian","Ukraine","X","TV Zvezda, Military","https://example.org/a",'
    '"Explosions in Vinnitsa were organized by Ukrainian soldiers",'
    '"The explosions in the munitions depot in Vinnitsa were organized by Ukrainian soldiers to cover up theft.",'
    '"No evidence supports this; investigators considered sabotage."\n'
    '82,10/02/17,"Sputnik","English","Spain","X","Catalonia","https://example.org/b",'
    '"EU officials supported the violence in Catalonia","EU officials supported violence in Catalonia.",'
    '"The EU called for dialogue."\n'
    '82,10/02/17,"Sputnik","English","Spain","X","","","","",""\n'
)
CKNABS = (
    "date,id,title,countries,keywords,languages,outlets\n"
    "2021-02-18,https://euvsdisinfo.eu/report/german-special-services-helped-navalny/,"
    "German special services helped Navalny,Russia+Germany,Alexei Navalny+Vladimir Putin,Russian,TASS - Russian\n"
)
CLAIMREVIEW = {
    "@context": "https://schema.org",
    "@graph": [
        {
            "@type": "ClaimReview",
            "url": "https://factcheck.example/biolabs",
            "claimReviewed": "The US runs secret biological weapons labs in Ukraine",
            "reviewRating": {"@type": "Rating", "alternateName": "False"},
            "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization", "name": "RT"}},
            "datePublished": "2022-03-10",
            "reviewBody": "The labs are public-health facilities; no weapons programme exists.",
        },
        {"@type": "ClaimReview", "url": "https://factcheck.example/empty"},
        {"@type": "Article", "headline": "not a review"},
    ],
}


def _kb(tmp_path: Path) -> SqliteKB:
    return SqliteKB(tmp_path / "kb.sqlite")


def test_euvsdisinfo_both_schemas_and_gzip(tmp_path: Path) -> None:
    (tmp_path / "cases.csv.gz").write_bytes(gzip.compress(KALKUN.encode("utf-8")))
    (tmp_path / "posts.csv").write_text(CKNABS, encoding="utf-8")
    kb = _kb(tmp_path)
    r = kb.upsert(read_entries(tmp_path / "cases.csv.gz", "euvsdisinfo"))
    assert (r.added, r.updated, r.skipped) == (2, 0, 0)
    assert r.rejected == [("line 4", "no title and no summary")]
    r = kb.upsert(read_entries(tmp_path / "posts.csv", "euvsdisinfo"))
    assert r.added == 1
    e = kb.get("https://euvsdisinfo.eu/report/german-special-services-helped-navalny/")
    assert (
        e is not None and e.keywords == ["Alexei Navalny", "Vladimir Putin"] and e.verdict == "disinformation"
    )
    vinnitsa = kb.search("Vinnitsa depot explosions")[0].entry
    assert vinnitsa.date == "2017-10-03" and vinnitsa.outlet == "TV Zvezda"
    assert vinnitsa.explanation.startswith("No evidence") and vinnitsa.keywords == ["TV Zvezda", "Military"]


def test_reimport_is_idempotent_and_changes_update(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(KALKUN, encoding="utf-8")
    kb = _kb(tmp_path)
    kb.upsert(read_entries(path, "euvsdisinfo"))
    again = kb.upsert(read_entries(path, "euvsdisinfo"))
    assert (again.added, again.updated, again.skipped) == (0, 0, 2)
    path.write_text(KALKUN.replace("The EU called for dialogue.", "The EU called for dialogue and calm."))
    changed = kb.upsert(read_entries(path, "euvsdisinfo"))
    assert (changed.added, changed.updated, changed.skipped) == (0, 1, 1)
    assert kb.stats()["entries"] == 2
    assert "calm" in kb.search("Catalonia violence EU officials")[0].entry.explanation


def test_claimreview_jsonld(tmp_path: Path) -> None:
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(CLAIMREVIEW), encoding="utf-8")
    kb = _kb(tmp_path)
    r = kb.upsert(read_entries(path, "claimreview"))
    assert r.added == 1
    assert [w for w, _ in r.rejected] == ["item 1", "item 2"]
    e = kb.get("https://factcheck.example/biolabs")
    assert e is not None and e.verdict == "false" and e.outlet == "RT" and e.date == "2022-03-10"


def test_csv_jsonl_and_bad_rows(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(
        "claim,verdict,explanation,url,date,language,outlet,keywords\n"
        "Ukraine is run by Nazis,false,Zelensky was elected with 73 %,https://x.example/1,2022-02-24,en,RT,nazi;ukraine\n"
        ",false,no claim here,,,,,\n",
        encoding="utf-8",
    )
    (tmp_path / "b.jsonl").write_text(
        '{"id": "j1", "claim": "Sanctions hurt Europe more than Russia", "keywords": ["sanctions"]}\n'
        "{not json\n"
        '{"id": "j1", "claim": "duplicate id"}\n'
        "[1, 2]\n",
        encoding="utf-8",
    )
    kb = _kb(tmp_path)
    r = kb.upsert(read_entries(tmp_path / "a.csv", "csv"))
    assert r.added == 1 and r.rejected == [("line 3", "no claim")]
    read = read_import(tmp_path / "b.jsonl", "jsonl")
    r = kb.upsert(read.items)
    assert r.added == 1
    reasons = dict(r.rejected)
    assert reasons["line 2"].startswith("bad JSON") and reasons["line 4"] == "not a JSON object"
    # The same id again with another claim: the first row is kept and the repeat named, not imported.
    assert [(c.where, c.first, c.differs) for c in read.conflicts] == [
        ("line 3", "line 1", ["claim", "keywords"])
    ]
    assert kb.get("j1").claim.startswith("Sanctions")  # type: ignore[union-attr]
    nazi = kb.search("nazis run Ukraine")[0].entry
    assert nazi.keywords == ["nazi", "ukraine"] and nazi.verdict == "false"


def test_wrong_encoding_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "ru.csv"
    path.write_bytes("claim,verdict\nНАТО готовит наступление на Донбасс,false\n".encode("cp1251"))
    kb = _kb(tmp_path)
    assert kb.upsert(read_entries(path, "csv")).added == 1
    assert kb.search("наступление на Донбасс")[0].entry.claim.startswith("НАТО")


@pytest.mark.parametrize(
    ("name", "content", "fmt", "message"),
    [
        ("missing.csv", b"verdict,url\nfalse,x\n", "csv", "missing required column(s): claim"),
        ("wrong.csv", b"a,b\n1,2\n", "euvsdisinfo", "not an EUvsDisinfo export"),
        ("bad.json", b'{"@graph": [', "claimreview", "bad JSON-LD"),
        ("bin.csv", b"\x00\x01\x02claim\x00", "csv", "binary"),
        ("bad.csv.gz", b"not gzip", "csv", "not a valid gzip file"),
    ],
)
def test_malformed_files_raise_and_write_nothing(
    tmp_path: Path, name: str, content: bytes, fmt: str, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    kb = _kb(tmp_path)
    with pytest.raises(KBError, match=message.replace("(", r"\(").replace(")", r"\)")):
        kb.upsert(read_entries(path, fmt))
    assert kb.stats()["entries"] == 0


def test_failure_mid_import_rolls_back(tmp_path: Path) -> None:
    kb = _kb(tmp_path)

    def items():
        yield Entry(id="a", claim="first claim about tanks")
        raise KBError("file", "broken in the middle")

    with pytest.raises(KBError):
        kb.upsert(items())
    assert kb.get("a") is None and kb.stats()["entries"] == 0


def test_search_is_safe_with_fts_syntax_and_ranks_the_right_entry(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    kb.upsert(
        [
            Entry(id="1", claim="NATO troops are secretly deployed near Kharkiv"),
            Entry(id="2", claim="Sanctions hurt Europe more than Russia"),
        ]
    )
    assert kb.search('NEAR(" OR AND * ^troops')[0].entry.id == "1"
    assert kb.search("!!!") == []
    m = retrieve(kb, "thousands of NATO troops were deployed secretly near Kharkiv")
    assert m[0].entry.id == "1" and m[0].similarity > 0.5
    assert all(x.similarity == 0.0 for x in m if x.entry.id == "2")
    result = CliRunner().invoke(app, ["kb", "search", "  ", "--kb", str(tmp_path / "kb.sqlite")])
    assert result.exit_code == 2 and "search text: empty" in result.output


def test_narratives_in_the_report_and_verdict_inheritance(tmp_path: Path) -> None:
    kb_path = tmp_path / "demo.sqlite"
    SqliteKB(kb_path).upsert(read_entries(ROOT / "examples" / "demo-kb.jsonl", "jsonl"))
    r = unspin.analyze(EXAMPLE, kb=kb_path)
    ids = {n.entry_id for n in r.narratives}
    assert "demo-1" in ids and "demo-4" not in ids
    troops = next(n for n in r.narratives if n.entry_id == "demo-1")
    assert troops.explanation.startswith("Demo entry") and troops.verdict == "false"
    claim = next(c for c in r.claims if "NATO troops" in c.span.text)
    assert claim.verdict == "refuted" and "demo-1" in claim.evidence
    assert any(f.kind == "narrative" for f in r.findings)
    text = {"title": r.title, "body": r.body}
    assert all(text[n.matched.field][n.matched.start : n.matched.end] == n.matched.text for n in r.narratives)


def test_no_kb_gives_a_note(example_report) -> None:
    assert example_report.narratives == []
    assert any("No knowledge base" in n for n in example_report.notes)


def test_kb_cli_round_trip(tmp_path: Path) -> None:
    kb = str(tmp_path / "cli.sqlite")
    runner = CliRunner()
    res = runner.invoke(
        app, ["kb", "import", str(ROOT / "examples" / "demo-kb.jsonl"), "-f", "jsonl", "--kb", kb]
    )
    assert res.exit_code == 0 and "added 4" in res.output
    res = runner.invoke(app, ["kb", "search", "secret NATO troops in Kharkiv", "--kb", kb, "--json"])
    assert res.exit_code == 0 and json.loads(res.output)[0]["id"] == "demo-1"
    stats = json.loads(runner.invoke(app, ["kb", "stats", "--kb", kb]).output)
    assert stats["entries"] == 4 and stats["by_verdict"]["false"] == 2
    for fmt, ext in (("claimreview", "json"), ("jsonl", "jsonl")):
        out = tmp_path / f"export.{ext}"
        assert runner.invoke(app, ["kb", "export", "-f", fmt, "--kb", kb, "-o", str(out)]).exit_code == 0
        fresh = str(tmp_path / f"re-{fmt}.sqlite")
        res = runner.invoke(app, ["kb", "import", str(out), "-f", fmt, "--kb", fresh])
        assert res.exit_code == 0 and "added 4" in res.output, res.output
    res = runner.invoke(app, ["kb", "import", str(tmp_path / "nope.csv"), "-f", "csv", "--kb", kb])
    assert res.exit_code == 2 and "nope.csv" in res.output


def test_outlet_records(tmp_path: Path) -> None:
    kb_path = tmp_path / "kb.sqlite"
    (tmp_path / "cases.csv").write_text(KALKUN, encoding="utf-8")
    (tmp_path / "labels.csv").write_text(
        "domain,label,source\nhttps://www.example.org/,state-affiliated,demo list\nsputnik,state media,demo list\n"
        ",missing,x\n",
        encoding="utf-8",
    )
    kb = SqliteKB(kb_path)
    kb.upsert(read_entries(tmp_path / "cases.csv", "euvsdisinfo"))
    r = kb.upsert(read_entries(tmp_path / "labels.csv", "outlets"))
    assert r.added == 2 and r.rejected == [("line 4", "domain, label and source are all required")]
    assert kb.upsert(read_entries(tmp_path / "labels.csv", "outlets")).added == 0  # idempotent
    by_domain = kb.outlet("https://example.org/news/1")
    assert by_domain is not None and by_domain.cases == 2 and by_domain.labels[0].label == "state-affiliated"
    assert (by_domain.first_seen, by_domain.last_seen) == ("2017-10-02", "2017-10-03")
    by_name = kb.outlet("Sputnik")
    assert by_name is not None and by_name.cases == 1 and by_name.labels[0].source == "demo list"
    assert kb.outlet("unknown.example") is None
    from unspin.model import Article

    report = unspin.analyze_article(
        Article(
            title="Depot fire", body="A fire broke out at a depot.", url="https://example.org/a2", outlet="X"
        ),
        kb=kb_path,
        only=["narratives"],
    )
    assert report.outlet is not None and report.outlet.matched_by == "url" and report.outlet.cases == 2


def test_verify_cites_each_sentence() -> None:
    from unspin.models.verification import LABELS

    v = unspin.verify(
        "Arctic sea ice is not declining",
        "Arctic sea ice has declined sharply since 1979, with record lows in 2012. Polar bears live in the Arctic.",
    )
    assert v.label == "REFUTES"
    assert len(v.evidence) == 2 and v.evidence[0].evidence.startswith("Arctic sea ice has declined")
    assert all(e.label in LABELS and abs(sum(e.probabilities.values()) - 1) < 1e-3 for e in v.evidence)
    assert unspin.verify("Any claim", "   ").label == "NOT_ENOUGH_INFO"
    with pytest.raises(unspin.IngestError, match="claim"):
        unspin.verify(" ", "text")


def test_verify_cli_names_empty_evidence(tmp_path: Path) -> None:
    empty = tmp_path / "evidence.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    for evidence, named in ((str(empty), f"{empty}: empty file"), ("   ", "evidence: empty")):
        result = CliRunner().invoke(app, ["verify", "Arctic sea ice is not declining", evidence])
        assert result.exit_code == 2 and named in result.output


def test_verification_eval_on_tiny_fixture(tmp_path: Path) -> None:
    folder = tmp_path / "climate-fever"
    folder.mkdir()
    rows = []
    for i in range(10):
        rows.append(
            {
                "claim_id": str(i),
                "claim": f"Sea levels are rising {i}",
                "claim_label": "SUPPORTS" if i % 2 else "NOT_ENOUGH_INFO",
                "evidences": [
                    {"evidence": "Sea levels have risen by 20 cm since 1900.", "evidence_label": "SUPPORTS"},
                    {"evidence": "The moon orbits the Earth.", "evidence_label": "NOT_ENOUGH_INFO"},
                ],
            }
        )
    (folder / "climate-fever.jsonl.gz").write_bytes(
        gzip.compress("\n".join(json.dumps(r) for r in rows).encode())
    )
    res = CliRunner().invoke(app, ["eval", "verification", "--data", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["claims"] == 2 and out["pairs"] == 4  # 20 % of 10 claims, 2 sentences each
    assert 0.0 <= out["claim_macro_f1"] <= 1.0 and set(out["pair_f1"]) == {
        "SUPPORTS",
        "REFUTES",
        "NOT_ENOUGH_INFO",
    }


def test_cross_lingual_match_with_embeddings(tmp_path: Path) -> None:
    from unspin.kb.embeddings import embed_missing
    from unspin.model import Article
    from unspin.models.registry import ModelRegistry

    kb_path = tmp_path / "kb.sqlite"
    kb = SqliteKB(kb_path)
    kb.upsert(read_entries(ROOT / "examples" / "demo-kb.jsonl", "jsonl"))
    encoder = ModelRegistry().get("encoder")
    assert (
        embed_missing(kb, encoder) == 4 and embed_missing(kb, encoder) == 0
    )  # only missing or stale vectors are computed
    assert kb.stats()["vectors"] == 4
    article = Article(
        # The demo case, translated: the Russian text shares no word with the English entry.
        title="Тысячи солдат НАТО тайно размещены на Украине",
        body="Тысячи военнослужащих НАТО тайно размещены на Украине под Харьковом и Одессой, "
        "а западные наёмники готовятся штурмовать города Донбасса.",
    )
    r = unspin.analyze_article(article, language="ru", kb=kb_path)
    # Retrieval crosses the language gap; the verifier reads English only, so the case is related, no verdict.
    assert [c.entry_id for c in r.related_cases][:1] == ["demo-1"]
    assert r.narratives == [] and not [c for c in r.claims if c.verdict]
    assert "demo-4" not in {c.entry_id for c in r.related_cases}
