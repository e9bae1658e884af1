"""Claim-to-case matching: a verdict only from a case the verifier accepted, on a large knowledge base."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import numpy as np
import pytest

from conftest import model
from unspin.kb.store import Entry, SqliteKB
from unspin.model import Article
from unspin.models.claim_match_features import FEATURES, CaseText, align, headline_for, pair_features
from unspin.pipeline import analyze_article

ROOT = Path(__file__).resolve().parents[1]

# Written for this test: ordinary wire-style reporting on the same topics as the knowledge base.
MAINSTREAM = Article(
    id="mainstream-fixture",
    title="NATO ministers discuss air defence for Ukraine ahead of winter",
    body=(
        "NATO defence ministers met in Brussels on Thursday to discuss how to supply more air defence systems "
        "to Ukraine before the winter, officials said.\n\n"
        "The German defence minister told the newspaper Die Welt that Berlin would deliver a second Patriot "
        "battery in the spring, subject to approval by parliament.\n\n"
        "Ukraine's foreign minister said Kyiv had asked its partners for additional generators after strikes "
        "on power stations left parts of Kharkiv without electricity.\n\n"
        "The European Commission proposed extending sanctions on Russian banks for another six months; "
        "Hungary said it would study the proposal.\n\n"
        "Russia's foreign ministry said the meeting showed that the alliance was a party to the conflict, a "
        "claim NATO officials rejected. Observers from the OSCE reported shelling near Donetsk overnight."
    ),
)

ACTORS = [
    "NATO",
    "Ukraine",
    "The West",
    "The US",
    "Poland",
    "The EU",
    "Kyiv",
    "Germany",
    "Lithuania",
    "Britain",
]
PREDICATES = [
    "is secretly deploying troops to",
    "is preparing an offensive in",
    "is sending mercenaries to",
    "is building biolabs in",
    "is planning a provocation in",
    "has lost control over",
    "is shelling civilians in",
    "is hiding nuclear weapons in",
    "is rigging the elections in",
    "is stealing grain from",
]
PLACES = [
    "Donbas",
    "Kharkiv",
    "Odesa",
    "Crimea",
    "Moldova",
    "Belarus",
    "the Baltics",
    "Georgia",
    "Brussels",
    "Kyiv",
]


def synthetic_kb(path: Path, n: int = 3000) -> SqliteKB:
    """The demo cases plus ``n`` generated topical distractors (every actor x predicate x place, then more)."""
    kb = SqliteKB(path)
    demo = [
        json.loads(line) for line in (ROOT / "examples" / "demo-kb.jsonl").read_text().splitlines() if line
    ]
    kb.upsert(
        Entry(id=d["id"], claim=d["claim"], verdict=d["verdict"], explanation=d.get("explanation", ""))
        for d in demo
    )
    rng = random.Random(3)
    combos = list(itertools.product(ACTORS, PREDICATES, PLACES))
    rng.shuffle(combos)
    entries = []
    for i in range(n):
        actor, predicate, place = combos[i % len(combos)]
        tail = (
            ""
            if i < len(combos)
            else rng.choice([", officials admit.", " before the winter.", " with US money."])
        )
        entries.append(
            Entry(id=f"syn-{i}", claim=f"{actor} {predicate} {place}{tail}", verdict="disinformation")
        )
    kb.upsert(entries)
    return kb


@pytest.fixture(scope="module")
def big_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kb") / "big.sqlite"
    kb = synthetic_kb(path)
    assert kb.stats()["entries"] >= 3000
    kb.close()
    return path


def test_report_shows_no_verdict_the_verifier_did_not_accept(big_kb: Path) -> None:
    matcher = model("claim_matcher")
    report = analyze_article(MAINSTREAM, kb=big_kb, language="en")
    accepted = {(n.entry_id, n.claim_id) for n in report.narratives}
    for n in report.narratives:
        assert n.verifier is not None and n.verifier >= matcher.threshold
    for claim in report.claims:
        for entry_id in claim.evidence:
            # The claim's verdict rests on a pair of this very claim that the verifier accepted.
            assert (entry_id, claim.id) in accepted
        assert (claim.verdict is None) == (not claim.evidence)
    for r in report.related_cases:
        assert r.verifier < matcher.threshold
        assert not hasattr(r, "verdict")
        assert all(r.entry_id not in c.evidence for c in report.claims)
    # Ordinary reporting on the topic: nothing in it repeats a case, so no claim is refuted.
    assert not [c for c in report.claims if c.verdict]
    assert not report.narratives


def test_demo_article_matches_the_nato_troops_case() -> None:
    kb_path = ROOT / "build" / "test-demo-kb.sqlite"
    kb_path.unlink(missing_ok=True)
    kb = SqliteKB(kb_path)
    kb.upsert(
        Entry(id=d["id"], claim=d["claim"], verdict=d["verdict"])
        for d in (json.loads(x) for x in (ROOT / "examples" / "demo-kb.jsonl").read_text().splitlines() if x)
    )
    kb.close()
    text = (ROOT / "examples" / "nato-donbass.txt").read_text()
    title, _, body = text.partition("\n")
    report = analyze_article(Article(id="demo", title=title, body=body.strip()), kb=kb_path, language="en")
    nato = [n for n in report.narratives if n.entry_id == "demo-1"]
    assert nato and "NATO troops" in nato[0].matched.text
    refuted = [c for c in report.claims if c.verdict == "refuted"]
    assert refuted and all(c.evidence == ["demo-1"] for c in refuted)


def features(claim: str, case: CaseText, cosine: float) -> np.ndarray:
    """pair_features with the token states of the claim and its case headline, as the verifier passes them."""
    states = model("encoder").token_states([claim, headline_for(claim, case)])
    return pair_features(claim, case, cosine, *states)


def test_features_see_polarity_and_actors() -> None:
    case = CaseText(
        title="NATO is secretly deploying troops to Donbas",
        text="NATO is secretly deploying troops to Donbas",
    )
    same = features("NATO has secretly deployed thousands of troops to Donbas.", case, 0.95)
    denied = features("It is false that NATO is deploying troops to Donbas.", case, 0.95)
    other_actor = features("Poland is sending grain to Odesa.", case, 0.85)
    i = {f: n for n, f in enumerate(FEATURES)}
    assert denied[i["claim_disputes"]] == 1.0 and same[i["claim_disputes"]] == 0.0
    assert denied[i["negation_mismatch"]] == 0.0 or denied[i["claim_disputes"]] == 1.0
    assert same[i["case_actors_in_claim"]] == 1.0 and other_actor[i["case_actors_in_claim"]] == 0.0
    matcher = model("claim_matcher")
    p = matcher.predict_proba(np.stack([same, denied, other_actor]))[:, 1]
    assert p[0] > p[1] and p[0] > p[2]
    assert matcher.predict_proba(same).shape == (1, 2)


def test_malformed_annotations_and_missing_kb_are_one_clear_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from unspin.cli import app
    from unspin.errors import UnspinError
    from unspin.eval.claim_pairs import load_pairs

    bad = tmp_path / "pairs.jsonl"
    bad.write_text(
        '{"pair_id": "x", "claim_source": "fnc1", "claim_row_id": "train/1", "start": 0, "end": 5, '
        '"case_id": "c", "label": "maybe", "split": "dev"}\n',
        encoding="utf-8",
    )
    with pytest.raises(UnspinError, match=r"pairs.jsonl:1: unknown label 'maybe'"):
        load_pairs(tmp_path, bad)
    res = CliRunner().invoke(
        app, ["eval", "claim-matching", "--data", str(tmp_path), "--kb", str(tmp_path / "no.sqlite")]
    )
    assert res.exit_code == 2 and "no.sqlite" in res.output


def test_bootstrap_intervals_bracket_the_point_estimate() -> None:
    from unspin.eval.claim_matching import bootstrap_pr, rate_interval

    pred = np.array([True, True, False, True, False, False])
    gold = np.array([True, False, False, True, True, False])
    precision, recall = bootstrap_pr(pred, gold, ["a", "a", "b", "c", "c", "d"])
    assert precision.value == pytest.approx(2 / 3) and recall.value == pytest.approx(2 / 3)
    assert precision.low <= precision.value <= precision.high and recall.low <= recall.value <= recall.high
    assert rate_interval([False] * 10, list("abcdefghij")).high == 0.0


def test_article_level_narrative_eval_on_a_small_data_dir(tmp_path: Path) -> None:
    """Propaganda texts with their labelled cases and mainstream articles, in the layout of ../shared/data."""
    import io
    import tarfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    from unspin.eval.narratives import evaluate_article_narratives

    war = tmp_path / "russia-ukraine-war"
    war.mkdir()
    texts = [
        "Thousands of NATO troops are secretly deployed in Ukraine near Kharkiv and Odesa, sources report.",
        "The weather in Kyiv was mild on Sunday and the markets were busy.",
    ]
    pq.write_table(pa.table({"Text": texts}), war / "data_russian_fakes_text.parquet")
    (tmp_path / "polnear").mkdir()
    with tarfile.open(tmp_path / "polnear" / "polnear-v1.0.0.tar.gz", "w:gz") as tar:
        raw = MAINSTREAM.title.encode() + b"\n\n" + MAINSTREAM.body.encode()
        info = tarfile.TarInfo("test/text/fixture.txt")
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
    annotations = tmp_path / "narratives.jsonl"
    annotations.write_text(
        json.dumps({"text_id": "0", "source": "ruwar-fakes", "case_ids": ["demo-1"], "split": "test"})
        + "\n"
        + json.dumps({"text_id": "1", "source": "ruwar-fakes", "case_ids": [], "split": "test"})
        + "\n",
        encoding="utf-8",
    )
    kb_path = tmp_path / "demo.sqlite"
    SqliteKB(kb_path).upsert(
        Entry(id=d["id"], claim=d["claim"], verdict=d["verdict"], title=d.get("title", ""))
        for d in (json.loads(x) for x in (ROOT / "examples" / "demo-kb.jsonl").read_text().splitlines() if x)
    )
    r = evaluate_article_narratives(tmp_path, kb_path, split="test", annotations=annotations)
    assert (r.texts, r.texts_with_cases, r.mainstream_articles) == (2, 1, 1)
    assert r.recall_at_5 == 1.0 and r.precision == 1.0 and r.shown == 1  # demo-1 found, nothing else shown
    assert r.mainstream_with_narrative == 0.0 and r.mainstream_refuted_claims == 0.0


def test_token_states_are_the_texts_pieces_without_the_prefix() -> None:
    encoder = model("encoder")
    (states,) = encoder.token_states(["Ukraine is shelling Donbas."])
    assert "".join(states.pieces).replace("▁", " ").strip() == "Ukraine is shelling Donbas."
    assert states.states.shape == (len(states.pieces), encoder.dim)
    assert np.allclose(np.linalg.norm(states.states.astype(np.float32), axis=1), 1.0, atol=1e-2)
    assert encoder.token_states(["Ukraine is shelling Donbas."])[0] is states  # remembered


def test_alignment_finds_the_word_of_the_proposition_the_claim_lacks() -> None:
    encoder = model("encoder")
    headline, same, other = encoder.token_states(
        [
            "Ukraine is becoming a totalitarian state",
            "Ukraine is increasingly becoming a totalitarian state.",
            "Ukraine is increasingly becoming a terrorist state.",
        ]
    )
    recall_same, min_same, _, _ = align(same, headline)
    recall_other, min_other, _, _ = align(other, headline)
    assert min_same > 0.9 and min_other < min_same - 0.1  # "totalitarian" has no match in the other
    assert recall_same > recall_other


def test_a_model_on_the_first_features_reads_only_those() -> None:
    from unspin.errors import UnspinError
    from unspin.models.claim_matcher import ClaimMatcher

    k = FEATURES.index("align_recall")  # a model from before the alignment features
    data = {
        "kind": "claim-matcher-logreg",
        "features": list(FEATURES[:k]),
        "mean": [0.0] * k,
        "scale": [1.0] * k,
        "weights": [1.0] + [0.0] * (k - 1),
        "bias": 0.0,
        "threshold": 0.5,
    }
    matcher = ClaimMatcher.from_json(data)
    assert not matcher.reads_alignment
    rows = np.zeros((2, len(FEATURES)))
    rows[0, 0], rows[:, k:] = 2.0, 99.0  # the alignment columns must not move its answer
    p = matcher.predict_proba(rows)[:, 1]
    assert p[0] == pytest.approx(1 / (1 + np.exp(-2.0))) and p[1] == pytest.approx(0.5)
    with pytest.raises(UnspinError, match="trained on features"):
        ClaimMatcher.from_json({**data, "features": ["dense", "something_else"]})


def test_token_states_are_computed_only_for_a_model_that_reads_them() -> None:
    from unspin.kb.retrieval import Match
    from unspin.kb.verifier import verify

    class NoStates:
        def token_states(self, texts: list[str]) -> list:
            raise AssertionError("token states asked for a model without alignment features")

    from unspin.models.claim_matcher import ClaimMatcher

    k = FEATURES.index("align_recall")  # a model from before the alignment features (claim-matcher-v1)
    matcher = ClaimMatcher.from_json(
        {
            "kind": "claim-matcher-logreg",
            "features": list(FEATURES[:k]),
            "mean": [0.0] * k,
            "scale": [1.0] * k,
            "weights": [1.0] + [0.0] * (k - 1),
            "bias": -0.5,
            "threshold": 0.5,
        }
    )
    assert not matcher.reads_alignment
    entry = Entry(id="c1", claim="NATO is secretly deploying troops to Donbas", verdict="false")
    matches = [Match(entry=entry, similarity=0.9, bm25=1.0, lexical=0.9, dense=0.95)]
    claim = "Thousands of NATO troops are secretly deployed in Donbas."
    (v,) = verify(matcher, NoStates(), claim, matches)  # type: ignore[arg-type]
    assert 0.0 < v.probability < 1.0


def test_train_claim_matcher_names_an_unknown_design(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from unspin.cli import app

    res = CliRunner().invoke(
        app,
        ["train", "claim-matcher", "--design", "v9", "--data", str(tmp_path), "--kb", str(tmp_path / "kb")],
    )
    assert res.exit_code == 2 and "--design 'v9'" in res.output


def _matcher_reading_sentence_cosine(weight: float) -> object:
    """A model over every feature that reads only the e5 'dense' column and the sentence cosine."""
    from unspin.models.claim_matcher import ClaimMatcher

    n = len(FEATURES)
    weights = [0.0] * n
    weights[FEATURES.index("dense")] = 4.0
    weights[FEATURES.index("sentence_cosine")] = weight
    data = {
        "kind": "claim-matcher-logreg",
        "features": list(FEATURES),
        "mean": [0.0] * n,
        "scale": [1.0] * n,
        "weights": weights,
        "bias": -4.0,
        "threshold": 0.6,
    }
    return ClaimMatcher.from_json(data)


class CountingEncoder:
    """A sentence encoder that records what it embeds: every text the same vector (cosine 1)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return np.ones((len(texts), 4)) / 2.0


def test_the_sentence_encoder_reads_only_pairs_that_could_be_accepted() -> None:
    from unspin.kb.retrieval import Match
    from unspin.kb.verifier import verify

    matcher = _matcher_reading_sentence_cosine(3.0)
    assert matcher.reads_sentence_cosine  # type: ignore[attr-defined]
    matcher.sentence_encoder = counting = CountingEncoder()  # type: ignore[attr-defined]
    close = Entry(id="close", claim="NATO is secretly deploying troops to Donbas", verdict="false")
    far = Entry(id="far", claim="The EU is preparing new sanctions against Belarus", verdict="false")
    matches = [
        Match(entry=close, similarity=0.9, bm25=1.0, lexical=0.9, dense=1.0),  # dense feature 1: can pass
        Match(entry=far, similarity=0.2, bm25=0.5, lexical=0.1, dense=0.70),  # dense feature 0: cannot
    ]
    claim = "Thousands of NATO troops are secretly deployed in Donbas."
    out = {v.entry.id: v for v in verify(matcher, None, claim, matches)}  # type: ignore[arg-type]
    # Ceiling of "far": sigmoid(-4 + 3) < 0.6, so the encoder never reads it; "close" reaches sigmoid(3).
    assert counting.texts == [claim, headline_for(claim, CaseText(title=close.claim, text=close.claim))]
    assert out["close"].same_claim and out["close"].probability == pytest.approx(1 / (1 + np.exp(-3.0)))
    assert not out["far"].same_claim
    # A rejected pair's probability reads the feature at its training mean (0 here): sigmoid(-4).
    assert out["far"].probability == pytest.approx(1 / (1 + np.exp(4.0)))


def test_no_sentence_encoder_for_a_sentence_in_another_script() -> None:
    from unspin.kb.retrieval import Match
    from unspin.kb.verifier import verify

    matcher = _matcher_reading_sentence_cosine(3.0)
    matcher.sentence_encoder = counting = CountingEncoder()  # type: ignore[attr-defined]
    entry = Entry(id="c", claim="NATO is secretly deploying troops to Donbas", verdict="false")
    (v,) = verify(
        matcher,  # type: ignore[arg-type]
        None,
        "Тысячи солдат НАТО тайно развернуты в Донбассе.",
        [Match(entry=entry, similarity=0.9, bm25=1.0, lexical=0.9, dense=1.0)],
    )
    assert counting.texts == [] and not v.same_claim


def test_a_word_for_word_repeat_of_a_case_is_accepted(tmp_path: Path) -> None:
    """The most certain match there is: a sentence that copies a known case. (claim-matcher-v3, with free
    weights, scored it 0.68 against its threshold 0.80: the e5 cosine had a negative weight.)"""
    kb_path = tmp_path / "demo.sqlite"
    demo = [json.loads(x) for x in (ROOT / "examples" / "demo-kb.jsonl").read_text().splitlines() if x]
    SqliteKB(kb_path).upsert(
        Entry(id=d["id"], claim=d["claim"], verdict=d["verdict"], title=d.get("title", "")) for d in demo
    )
    from unspin.eval.narratives import ARTICLE_ANALYZERS

    for d in demo[:2]:
        report = analyze_article(
            Article(id="repeat", body=d["claim"]), kb=kb_path, only=ARTICLE_ANALYZERS, language="en"
        )
        assert [n.entry_id for n in report.narratives] == [d["id"]]


def test_sign_constrained_weights_keep_their_signs() -> None:
    from unspin.models.claim_matcher import fit_logistic

    rng = np.random.default_rng(0)
    a = rng.normal(size=400)
    x = np.column_stack([a, a + 0.1 * rng.normal(size=400), rng.normal(size=400)])  # two collinear columns
    y = (a + 0.3 * rng.normal(size=400) > 0).astype(float)
    free = fit_logistic(x, y, np.ones(400), l2=0.01, steps=3000)[2]
    signed = fit_logistic(x, y, np.ones(400), l2=0.01, steps=3000, signs=np.array([1.0, 1.0, -1.0]))[2]
    assert signed[0] >= 0 and signed[1] >= 0 and signed[2] <= 0
    assert free[0] > 0  # the constraint binds only where the free fit would cross it


def test_the_sentence_encoder_skips_pairs_under_the_floor() -> None:
    from unspin.kb.retrieval import Match
    from unspin.kb.verifier import verify

    matcher = _matcher_reading_sentence_cosine(3.0)
    matcher.sentence_encoder = counting = CountingEncoder()  # type: ignore[attr-defined]
    entry = Entry(id="c", claim="NATO is secretly deploying troops to Donbas", verdict="false")
    match = Match(entry=entry, similarity=0.9, bm25=1.0, lexical=0.9, dense=0.9)  # dense feature 0.6
    claim = "Thousands of NATO troops are secretly deployed in Donbas."
    # With the cosine at its mean (0) the pair reads sigmoid(-4 + 2.4) = 0.17: over a floor of 0.1, under 0.2.
    matcher.sentence_floor = 0.1  # type: ignore[attr-defined]
    (v,) = verify(matcher, None, claim, [match])  # type: ignore[arg-type]
    assert len(counting.texts) == 2 and v.same_claim
    counting.texts.clear()
    matcher.sentence_floor = 0.2  # type: ignore[attr-defined]
    (v,) = verify(matcher, None, claim, [match])  # type: ignore[arg-type]
    assert counting.texts == [] and not v.same_claim
