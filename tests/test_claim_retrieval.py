"""`unspin eval claim-retrieval`: the CheckThat! layout, the official metrics by hand, the command end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from unspin.cli import app
from unspin.eval import claim_retrieval as cr

MINI = FIXTURES / "checkthat-mini"  # 2022 layout: vclaims/ of JSON, one queries file, train and dev qrels
MINI_2020 = FIXTURES / "checkthat-mini-2020"  # 2020 layout: pool TSV beside train/ (header-ed queries)


def test_average_precision_at_k_by_hand() -> None:
    ranking = ["a", "b", "c", "d", "e", "f"]
    assert cr.average_precision_at(ranking, {"b"}, 5) == pytest.approx(1 / 2)
    assert cr.average_precision_at(ranking, {"a", "c"}, 5) == pytest.approx((1 / 1 + 2 / 3) / 2)
    # The denominator is capped at k: one of two relevant items at rank 1 is a perfect MAP@1.
    assert cr.average_precision_at(ranking, {"a", "c"}, 1) == pytest.approx(1.0)
    assert cr.average_precision_at(ranking, {"f"}, 5) == 0.0  # below the cut
    assert cr.average_precision_at(ranking, {"z"}, 5) == 0.0
    assert cr.reciprocal_rank(ranking, {"f"}) == pytest.approx(1 / 6)
    assert cr.reciprocal_rank(ranking, {"z"}) == 0.0
    assert cr.recall_at(ranking, {"a", "f"}, 5) == pytest.approx(0.5)


def test_scores_and_their_intervals() -> None:
    qrels = {"q1": {"a"}, "q2": {"b"}, "q3": {"c"}, "q4": {"d"}}
    rankings = {"q1": ["a", "x"], "q2": ["x", "b"], "q3": ["x", "y", "z", "w", "v", "c"]}  # q4: nothing
    m = cr.score(rankings, qrels)
    assert m["map@5"].value == pytest.approx((1 + 0.5 + 0 + 0) / 4)
    assert m["map@1"].value == pytest.approx(0.25)
    assert m["mrr"].value == pytest.approx((1 + 0.5 + 1 / 6) / 4)
    assert m["recall@5"].value == pytest.approx(0.5) and m["recall@10"].value == pytest.approx(0.75)
    assert m["map@5"].low <= m["map@5"].value <= m["map@5"].high and m["map@5"].low < m["map@5"].high
    same = cr.bootstrap([0.5] * 10)
    assert (same.value, same.low, same.high) == (0.5, 0.5, 0.5)


def test_both_layouts_are_read() -> None:
    task = cr.load_task(*cr.locate(MINI, split="dev"))
    assert sorted(task.qrels) == ["tweet-sno-4", "tweet-sno-5"] and len(task.vclaims) == 5
    assert sorted(task.queries) == ["tweet-sno-4", "tweet-sno-5"]  # only the split's tweets
    old = cr.load_task(*cr.locate(MINI_2020 / "train"))
    assert old.qrels["4"] == {"3", "4"} and sorted(old.queries) == ["1", "2", "3", "4"]  # 5 has no qrels
    assert sorted(cr.read_queries(MINI_2020 / "train" / "tweets.queries.tsv")) == ["1", "2", "3", "4", "5"]
    bridge = next(v for v in old.vclaims if v.id == "1")
    assert (
        bridge.claim == 'The city council voted to paint the "Golden Bridge" purple in 2019.'
    )  # CSV quoting
    assert cr.query_text("moon https://t.co/abc cheese pic.twitter.com/xyz") == "moon cheese"


def test_two_qrels_files_need_a_split() -> None:
    with pytest.raises(cr.TaskError, match=r"2 qrels files .*--split"):
        cr.locate(MINI)


def test_the_command_end_to_end(tmp_path: Path) -> None:
    run_file = tmp_path / "run.tsv"
    args = ["eval", "claim-retrieval", "--task-dir", str(MINI), "--split", "train", "--json"]
    res = CliRunner().invoke(app, [*args, "--out", str(run_file), "--cache-dir", str(tmp_path / "cache")])
    assert res.exit_code == 0, res.output
    import json

    result = json.loads(res.stdout[res.stdout.index("{") :])
    assert result["queries"] == 3 and result["vclaims"] == 5
    # Five claims that share nothing: every tweet finds its own first.
    assert result["metrics"]["map@5"]["value"] == 1.0 and result["metrics"]["recall@1"]["value"] == 1.0
    lines = [line.split("\t") for line in run_file.read_text(encoding="utf-8").splitlines()]
    assert lines[0][:4] == ["tweet-sno-1", "Q0", "vclaim-sno-moon-cheese", "1"] and len(lines[0]) == 6
    assert {ln[0] for ln in lines} == {"tweet-sno-1", "tweet-sno-2", "tweet-sno-3"}
    # A rerun reads the cached knowledge base and vectors; explicit files give the same scores.
    again = CliRunner().invoke(
        app,
        [
            "eval",
            "claim-retrieval",
            "--queries",
            str(MINI / "Mini-Train-Dev_Queries.tsv"),
            "--qrels",
            str(MINI / "Mini-Train_QRELs.tsv"),
            "--vclaims",
            str(MINI / "vclaims"),
            "--scorer",
            "bm25",
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
    )
    assert again.exit_code == 0, again.output
    assert "map@5" in again.stdout and "(official)" in again.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task-dir", "/nonexistent/checkthat"], "no such folder"),
        (["--task-dir", str(FIXTURES / "kb-repeats")], "no queries file here"),
        (["--task-dir", str(MINI)], "2 qrels files"),
        (["--queries", str(MINI / "Mini-Train-Dev_Queries.tsv")], "no qrels, vclaims"),
        (["--task-dir", str(MINI), "--split", "dev", "--scorer", "nope"], "--scorer nope"),
    ],
)
def test_a_bad_folder_is_one_clear_error(args: list[str], message: str, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["eval", "claim-retrieval", *args, "--cache-dir", str(tmp_path)])
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("unspin: error: ") and message in lines[0], res.stderr


def test_copies_of_one_claim_take_their_places_in_pool_order() -> None:
    pool = [
        cr.VClaim("a", 'The mayor said "no".'),
        cr.VClaim("b", "Something else entirely."),
        cr.VClaim("c", "The Mayor said 'no'."),  # a copy of a: other quotes and case
    ]
    claims = cr.same_claims(pool)
    ranked = [("c", 0.9), ("b", 0.5), ("a", 0.4)]
    # The copies keep the places their scores earned (1 and 3), the earlier copy first; b stays put.
    assert cr.pool_order_ties(ranked, claims) == [("a", 0.9), ("b", 0.5), ("c", 0.4)]
    assert cr.pool_order_ties([("b", 0.9), ("a", 0.5)], claims) == [("b", 0.9), ("a", 0.5)]
