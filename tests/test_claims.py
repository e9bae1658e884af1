"""Check-worthy claims: scores for every sentence, claimant, attribution, type, times and quantities."""

from __future__ import annotations

import numpy as np

from conftest import model, report_for_text
from unspin.model import Report

ARTICLE = (
    "Sources say that 5,000 NATO troops were deployed near Kharkiv last week.\n\n"
    'Defence Minister Oleksii Reznikov said: "Unemployment fell to 8 percent in 2021, and we will double '
    'our air defence budget next year."\n\n'
    "Thank you all for reading, and have a nice day.\n\n"
    "The government spent $2 billion on roads in March 2022, three times more than in 2019."
)


def _report() -> Report:
    return report_for_text(ARTICLE, "en", "Ukraine's budget: the numbers")


def test_every_sentence_is_scored_title_included() -> None:
    r = _report()
    assert r.checkworthiness, "no sentence scored"
    assert {s.field for s in r.checkworthiness} == {"title", "body"}
    assert all(0.0 <= s.score <= 1.0 for s in r.checkworthiness)
    pleasantry = next(s for s in r.checkworthiness if r.body[s.start : s.end].startswith("Thank you"))
    statistic = next(s for s in r.checkworthiness if r.body[s.start : s.end].startswith("The government"))
    assert statistic.score > 0.5 > pleasantry.score


def test_anonymous_source_sentence_becomes_unattributed_claim() -> None:
    claim = next(c for c in _report().claims if c.span.text.startswith("Sources say"))
    assert claim.attribution == "unnamed source"
    assert claim.unattributed is True
    assert claim.type == "unnamed source"
    assert claim.claimant.kind == "unnamed source"
    assert "5,000 NATO troops" in " ".join(q.text for q in claim.quantities) or any(
        q.text.startswith("5,000") for q in claim.quantities
    )
    assert any(t.text == "last week" for t in claim.times)
    assert claim.entities, "NATO / Kharkiv should be linked to entity ids"


def test_quoted_claim_names_the_speaker() -> None:
    r = _report()
    claim = next(c for c in r.claims if "Unemployment" in c.span.text)
    assert claim.attribution == "quoted"
    assert claim.type == "quote"
    assert "Reznikov" in claim.claimant.name
    assert claim.unattributed is False
    assert claim.quote_id is not None


def test_statistic_with_no_source_is_unattributed() -> None:
    claim = next(c for c in _report().claims if c.span.text.startswith("The government"))
    assert claim.type == "statistic"
    assert claim.attribution == "none"
    assert claim.unattributed
    assert claim.claimant.kind == "article"
    assert {t.text for t in claim.times} >= {"March 2022", "2019"}
    assert any("$2 billion" in q.text for q in claim.quantities)


def test_claims_are_ranked_and_point_into_the_text() -> None:
    r = _report()
    scores = [c.score for c in r.claims]
    assert scores == sorted(scores, reverse=True)
    for c in r.claims:
        text = r.title if c.span.field == "title" else r.body
        assert text[c.span.start : c.span.end] == c.span.text
        assert c.score >= model("checkworthiness").threshold


def test_model_is_deterministic_and_calibrated_range() -> None:
    m = model("checkworthiness")
    a = m.predict_proba(["In 2020 the deficit reached 3.1 trillion dollars.", "Good evening."])
    b = m.predict_proba(["In 2020 the deficit reached 3.1 trillion dollars.", "Good evening."])
    assert np.array_equal(a, b)
    assert a[0] > a[1]


def test_non_english_gets_a_note_not_claims() -> None:
    r = report_for_text(
        "Министр обороны заявил, что 5000 солдат были переброшены к Харькову.", "ru", "Новости"
    )
    assert r.claims == [] and r.checkworthiness == []
    assert any("check-worthiness" in n for n in r.notes)


def test_checkworthiness_eval_on_tiny_fixture(tmp_path) -> None:
    import gzip
    import json as _json

    from typer.testing import CliRunner

    from unspin.cli import app

    root = tmp_path / "checkworthiness"
    for d in (
        "claimbuster",
        "clef2019-checkthat-task1",
        "clef2020-checkthat-task5-debates",
        "clef2020-checkthat-task1-tweets",
    ):
        (root / d).mkdir(parents=True)
    pos = "Unemployment rose to 9 percent in 2010, the highest rate in 26 years."
    neg = "Thank you very much, good evening."
    (root / "claimbuster" / "test.json").write_text(
        _json.dumps(
            [{"sentence_id": 1, "label": 1, "text": pos}, {"sentence_id": 2, "label": 0, "text": neg}]
        )
    )
    (root / "clef2019-checkthat-task1" / "CT19-T1-Test.csv").write_text(
        "line_number,speaker,text,label,file_name\n"
        f'1,A,"{neg}",0,d1.tsv\n2,A,"{pos}",1,d1.tsv\n1,B,"{neg}",0,d2.tsv\n2,B,"{pos}",1,d2.tsv\n'
    )
    (root / "clef2020-checkthat-task5-debates" / "test-gold.tsv.gz").write_bytes(
        gzip.compress(f"text\tlabel\n{neg}\t0\n{pos}\t1\n".encode())
    )
    (root / "clef2020-checkthat-task1-tweets" / "test-gold.tsv").write_text(
        "topic_id\ttweet_id\ttweet_url\ttweet_text\tclaim\tclaim_worthiness\n"
        f"covid-19\t1\tu\t{pos}\t1\t1\ncovid-19\t2\tu\t{neg}\t0\t0\n"
    )
    res = CliRunner().invoke(app, ["eval", "checkworthiness", "--data", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    out = _json.loads(res.output)
    # The factual sentence outranks the pleasantry everywhere, so every AP is 1 and F1 is 1.
    assert out["clef2019"] == {"map": 1.0, "rankings": 2}
    assert out["clef2020-debates"]["map"] == 1.0 and out["clef2020-tweets"]["map"] == 1.0
    assert out["claimbuster"]["f1"] == 1.0


def test_cached_ngram_hashing_counts_what_the_definition_counts_in_the_same_order() -> None:
    """ngram_counts caches each word's character n-gram hashes; the counts, and the order in which they are
    first seen (the order of the feature rows, so of every sum over them), must be the uncached ones."""
    import zlib
    from collections import Counter
    from itertools import pairwise

    from unspin.models.checkworthiness import _DIGIT, _WORD, BLOCK, ngram_counts

    def h(s: str) -> int:
        return zlib.crc32(s.encode("utf-8")) & (BLOCK - 1)

    def reference(text: str) -> tuple[Counter[int], Counter[int]]:
        words = [_DIGIT.sub("0", w) for w in _WORD.findall(text.lower())]
        word = Counter(h(w) for w in words)
        word.update(h(f"{a} {b}") for a, b in pairwise(words))
        char: Counter[int] = Counter()
        for w in words:
            padded = f" {w} "
            for n in (2, 3, 4, 5):
                char.update(h(padded[i : i + n]) for i in range(len(padded) - n + 1))
        return word, char

    for text in (ARTICLE, ARTICLE.upper(), "Київ і Москва: 1,500 військових", "", "a", ARTICLE):
        got, want = ngram_counts(text), reference(text)
        for g, w in zip(got, want, strict=True):
            assert list(g.items()) == list(w.items())
