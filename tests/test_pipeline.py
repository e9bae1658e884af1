"""The pipeline contract: analysers ordered by what they require and provide, partial runs equal to full ones,
no analyser editing another's output, models from the Pipeline's own registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXAMPLE, ROOT
from unspin.analyzers import NAMES, Analyzer, Section, default_analyzers
from unspin.ingest import load_article
from unspin.kb.importers import read_entries
from unspin.kb.store import SqliteKB
from unspin.model import Article
from unspin.models.registry import ModelRegistry
from unspin.nlp.doc import Doc, MissingLayer, layer
from unspin.pipeline import Pipeline, PipelineError, default_pipeline


@pytest.fixture(scope="module")
def demo_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kb") / "demo.sqlite"
    SqliteKB(path).upsert(read_entries(ROOT / "examples" / "demo-kb.jsonl", "jsonl"))
    return path


@pytest.fixture(scope="module")
def pipeline(demo_kb: Path) -> Pipeline:
    # The session's models (loaded once), with the demo knowledge base so that narratives find something.
    return Pipeline(kb=demo_kb, models=default_pipeline().models)


@pytest.fixture(scope="module")
def full_run(pipeline: Pipeline):  # type: ignore[no-untyped-def]
    return pipeline.run(load_article(EXAMPLE))


def test_every_analyser_declares_its_contract() -> None:
    analyzers = default_analyzers()
    assert [a.name for a in analyzers] == list(NAMES)
    for a in analyzers:
        assert a.provides, a.name
        assert all(item.split(".")[0] in ("doc", "report") for item in (*a.requires, *a.provides)), a.name
        for item in a.provides:
            kind, _, name = item.partition(".")
            if kind == "doc":
                assert name in Doc.__dataclass_fields__, item


def test_the_order_puts_providers_first(pipeline: Pipeline) -> None:
    order = [a.name for a in pipeline.order]
    for a in pipeline.order:
        for item in a.requires:
            provider = next(p.name for p in pipeline.order if item in p.provides)
            assert order.index(provider) < order.index(a.name), (a.name, item)
    assert [a.name for a in pipeline.plan(["claims"])] == ["entities", "quotes", "unattributed", "claims"]
    assert [a.name for a in pipeline.plan(["naming"])] == ["naming"]


@pytest.mark.parametrize("name", NAMES)
def test_a_partial_run_gives_the_full_runs_section(name: str, pipeline: Pipeline, full_run) -> None:  # type: ignore[no-untyped-def]
    partial = pipeline.run(load_article(EXAMPLE), only=[name])
    full, alone = full_run.sections[name], partial.sections[name]
    assert alone.findings == full.findings
    assert alone.fields == full.fields
    assert alone.notes == full.notes
    assert alone.claim_verdicts == full.claim_verdicts
    assert set(partial.sections) == {a.name for a in pipeline.plan([name])}


def test_the_report_of_a_partial_run_shows_only_those_sections(pipeline: Pipeline) -> None:
    full = pipeline.analyze(load_article(EXAMPLE))
    claims_only = pipeline.analyze(load_article(EXAMPLE), only=["claims"])
    assert {f.kind for f in claims_only.findings} == {"claim"}
    assert claims_only.quotes == [] and claims_only.entities == []
    # The claims read the quotes and the unattributed assertions even when those are not shown.
    by_text = {c.span.text: (c.attribution, c.claimant.name) for c in claims_only.claims}
    reported = next(t for t in by_text if t.startswith("Nevertheless, it is reported"))
    assert by_text[reported] == ("unnamed source", "it is reported")
    assert [c.model_dump(exclude={"verdict", "evidence"}) for c in claims_only.claims] == [
        c.model_dump(exclude={"verdict", "evidence"}) for c in full.claims
    ]


def test_narratives_give_verdicts_without_editing_the_claims(pipeline: Pipeline, full_run) -> None:  # type: ignore[no-untyped-def]
    verdicts = full_run.sections["narratives"].claim_verdicts
    assert verdicts, "the demo case refutes one of the example's claims"
    claims = full_run.sections["claims"].fields["claims"]
    assert all(c.verdict is None and c.evidence == [] for c in claims)  # the claims section is untouched
    report = pipeline.analyze(load_article(EXAMPLE))
    refuted = {c.id: c for c in report.claims if c.verdict == "refuted"}
    assert set(refuted) == set(verdicts)
    assert all(refuted[cid].evidence == verdicts[cid][1] for cid in refuted)


def test_unknown_and_unprovided_analysers_are_refused_when_the_pipeline_is_built() -> None:
    with pytest.raises(PipelineError, match="no analyser named 'claim'"):
        Pipeline().plan(["claim"])

    class Needy(Analyzer):
        name = "needy"
        requires = ("doc.nothing",)
        provides = ("report.needy",)

    with pytest.raises(PipelineError, match=re.escape("requires 'doc.nothing', which no analyser provides")):
        Pipeline(analyzers=[*default_analyzers(), Needy()])

    class A(Analyzer):
        name = "a"
        requires = ("doc.b",)
        provides = ("doc.a",)

    class B(Analyzer):
        name = "b"
        requires = ("doc.a",)
        provides = ("doc.b",)

    with pytest.raises(PipelineError, match="in a loop: a -> b -> a"):
        Pipeline(analyzers=[A(), B()])


def test_an_analyser_that_does_not_provide_its_layer_is_caught() -> None:
    class Forgetful(Analyzer):
        name = "forgetful"
        provides = ("doc.quotes",)

        def run(self, doc: Doc, models: ModelRegistry) -> Section:
            return Section()

    with pytest.raises(PipelineError, match=re.escape("did not provide 'doc.quotes'")):
        Pipeline(analyzers=[Forgetful()]).run(Article(title="", body="Some text."))


def test_reading_a_layer_before_it_is_provided_names_it() -> None:
    with pytest.raises(MissingLayer, match="'quotes'"):
        layer(None, "quotes")


def test_each_pipeline_owns_its_models(tmp_path: Path) -> None:
    a, b = Pipeline(), Pipeline()
    assert a.models is not b.models
    shared = Pipeline(models=a.models)
    assert shared.models is a.models
    text = Article(
        title="Budget", body="The council said on Monday that the budget grew by 3.1 per cent in 2023."
    )
    a.analyze(text, only=["claims"])
    assert a.models.is_loaded("checkworthiness") and not b.models.is_loaded("checkworthiness")


def test_raw_text_work_beside_the_parse_gives_the_same_sections(pipeline: Pipeline, full_run) -> None:  # type: ignore[no-untyped-def]
    """With two cores the English span model starts on the raw text while spaCy parses (Analyzer.start); on
    one core nothing is started. Both give the same Sections."""
    one_core = Pipeline(kb=pipeline.kb, models=pipeline.models, threads=1)
    alone = one_core.run(load_article(EXAMPLE))
    beside = Pipeline(kb=pipeline.kb, models=pipeline.models, threads=2)
    run = beside.run(load_article(EXAMPLE))
    assert "techniques (second thread)" in run.timings_ms
    assert "techniques" in run.doc.started and not alone.doc.started
    for name in NAMES:
        assert run.sections[name].findings == alone.sections[name].findings, name
        assert run.sections[name].notes == alone.sections[name].notes, name
    assert run.sections["techniques"].findings == full_run.sections["techniques"].findings


def test_work_started_beside_the_parse_reaches_its_analyser() -> None:
    """The Pipeline hands an analyser the result of its started job, and a job's error surfaces on the run."""

    class Counting(Analyzer):
        name = "counting"
        provides = ("report.counting",)

        def start(self, article, language, models, cores=0):  # type: ignore[no-untyped-def]
            return lambda: len(article.body.split())

        def run(self, doc: Doc, models: ModelRegistry) -> Section:
            return Section(fields={"counting": doc.started.get("counting", "not started")})

    class Failing(Counting):
        name = "failing"
        provides = ("report.failing",)

        def start(self, article, language, models, cores=0):  # type: ignore[no-untyped-def]
            def job() -> int:
                raise ValueError("the started job failed")

            return job

    article = Article(title="A title", body="Four words in here.")
    run = Pipeline(analyzers=[Counting()], threads=2).run(article, language="en")
    assert run.sections["counting"].fields["counting"] == 4
    run = Pipeline(analyzers=[Counting()], threads=1).run(article, language="en")
    assert run.sections["counting"].fields["counting"] == "not started"
    with pytest.raises(ValueError, match="the started job failed"):
        Pipeline(analyzers=[Failing()], threads=2).run(article, language="en")


@pytest.mark.parametrize("executable", [None, "/bin/false"])
def test_check_worthiness_scored_in_a_worker_process_gives_the_same_claims(
    executable: str | None, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SCORE_ELSEWHERE_SENTENCES the claims' scores come from a worker process started right after the
    parse (Analyzer.start_after_parse); a worker that fails leaves the scoring to the thread. Same claims."""
    import sys

    import unspin.analyzers.claims as claims_module

    alone = Pipeline(kb=pipeline.kb, models=pipeline.models, threads=1).run(load_article(EXAMPLE))
    monkeypatch.setattr(claims_module, "SCORE_ELSEWHERE_SENTENCES", 1)
    if executable:
        monkeypatch.setattr(sys, "executable", executable)
    run = Pipeline(kb=pipeline.kb, models=pipeline.models, threads=2).run(load_article(EXAMPLE))
    assert "claims (second thread)" in run.timings_ms and "claims" in run.doc.started
    assert run.sections["claims"].fields == alone.sections["claims"].fields
    assert run.sections["claims"].findings == alone.sections["claims"].findings
