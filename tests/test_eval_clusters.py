"""`unspin eval clusters`: synthetic rewrites at known edit rates and repeated EUvsDisinfo claims, scored pairwise."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from pathlib import Path

from conftest import FIXTURES, run_cli
from unspin.corpus.evaluate import rewrite, score

TEXTS = [
    json.loads(line)["text"] for line in (FIXTURES / "corpus" / "articles.jsonl").read_text().splitlines()
]


def test_rewrite_edits_at_the_given_rate() -> None:
    text = " ".join(TEXTS)
    words = text.split()
    rng = random.Random(1)
    assert rewrite(text, 0.0, ["x"], rng) == " ".join(text.split())
    edited = rewrite(text, 0.3, ["ZZZ"], rng).split()
    assert edited != words and 0.5 * len(words) < len(edited) < 1.2 * len(words)
    assert edited.count("ZZZ") > 10


def test_score_is_pairwise() -> None:
    result = score([["a", "b", "c"], ["d", "e"]], [["a", "b"], ["c", "d"]])
    assert result["true_pairs"] == 4 and result["predicted_pairs"] == 2
    assert result["precision"] == 0.5 and result["recall"] == 0.25


def write_data(root: Path) -> Path:
    ptc = root / "ptc-semeval2020-task11" / "train-articles"
    ptc.mkdir(parents=True)
    for i, text in enumerate(TEXTS):
        (ptc / f"article{1000 + i}.txt").write_text(f"Title {i}\n\n{text}\n", encoding="utf-8")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["title", "summary", "outlet"])
    writer.writerows([["Claim A", TEXTS[0], "o1"], ["claim a", TEXTS[0], "o2"], ["Claim B", TEXTS[4], "o3"]])
    writer.writerows([["Claim C", TEXTS[6], "o4"], ["Claim D", TEXTS[7], "o5"]])
    euvs = root / "euvsdisinfo"
    euvs.mkdir()
    (euvs / "kalkun_cases_2015-2017_summary_disproof.csv.gz").write_bytes(
        gzip.compress(buf.getvalue().encode())
    )
    return root


def test_eval_clusters_command(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data")
    result = run_cli("eval", "clusters", "--data", str(data), "--articles", "6", "--threshold", "0.5")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    rewrites = report["synthetic_rewrites_ptc"]["by_threshold"]["0.5"]
    assert report["synthetic_rewrites_ptc"]["documents"] == 36
    assert rewrites["recall_by_edit_rate"]["0.02"] == 1.0 and rewrites["recall_by_edit_rate"]["0.3"] < 0.5
    euvs = report["euvsdisinfo_repeated_claims"]["by_threshold"]["0.5"]
    assert euvs["true_pairs"] == 1 and euvs["recall"] == 1.0


def test_eval_clusters_without_data_fails_cleanly(tmp_path: Path) -> None:
    result = run_cli("eval", "clusters", "--data", str(tmp_path))
    assert result.returncode == 2 and "no PTC training articles" in result.stderr
