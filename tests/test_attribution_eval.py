"""PolNeAR reader and `unspin eval attribution`, on a tiny archive written here (the corpus stays outside)."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from unspin.datasets.polnear import PolnearArticle, load_polnear, parse_ann
from unspin.errors import DataError
from unspin.eval.attribution import Pred, count_article, evaluate_attribution, gold_units, normalise
from unspin.model import Article

TEXT = (
    "Talks stall.\n\n"
    "“We will not sign this deal,” Senator Jane Miller said on Monday.\n\n"
    "Miller believes that the plan would raise taxes for most families.\n\n"
    "According to the Tax Policy Center, the plan would cost $2 trillion."
)


def _offsets(text: str, words: str) -> str:
    s = TEXT.index(words)
    return f"{s} {s + len(words)}"


ANN = "\n".join(
    [
        f"T1\tContent {_offsets(TEXT, '“We will not sign this deal,”')}\t“We will not sign this deal,”",
        f"T2\tSource {_offsets(TEXT, 'Senator Jane Miller')}\tSenator Jane Miller",
        f"T3\tCue {_offsets(TEXT, 'said')}\tsaid",
        "E1\tAttribution:T3 Content:T1 Cue:T3 Source:T2",
        f"T4\tSource {_offsets(TEXT, 'Miller believes')[:-1]}\tMiller",
        f"T5\tCue {_offsets(TEXT, 'believes')}\tbelieves",
        f"T6\tContent {_offsets(TEXT, 'that the plan would raise taxes for most families')}\tthat ...",
        "E2\tAttribution:T5 Content:T6 Cue:T5 Source:T4",
        f"T7\tCue {_offsets(TEXT, 'According to')}\tAccording to",
        f"T8\tSource {_offsets(TEXT, 'the Tax Policy Center')}\tthe Tax Policy Center",
        f"T9\tContent {_offsets(TEXT, 'the plan would cost $2 trillion')}\tthe plan ...",
        "E3\tAttribution:T7 Content:T9 Cue:T7 Source:T8",
        "T10\tDiscuss 0 4\tnote",
    ]
)


def _archive(root: Path, split: str = "test") -> Path:
    folder = root / "polnear"
    folder.mkdir(parents=True)
    files = {
        "metadata.tsv": f"compartment\tfilename\tlevel\tannotators\n{split}\tmini_article\t1\tab12|cd34\n",
        f"{split}/text/mini_article.txt": TEXT,
        f"{split}/attributions/mini_article_ab12.ann": ANN,
        f"{split}/attributions/mini_article_cd34.ann": "",
    }
    with tarfile.open(folder / "polnear-v1.0.0.tar.gz", "w:gz") as tar:
        for name, content in files.items():
            data = content.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return root


def test_reader_takes_the_first_annotator_and_skips_notes(tmp_path: Path) -> None:
    (article,) = load_polnear(_archive(tmp_path), "test")
    assert article.annotator == "ab12" and len(article.attributions) == 3
    kinds = [a.is_direct(article.text) for a in article.attributions]
    assert kinds == [True, False, False]
    with pytest.raises(DataError):
        load_polnear(tmp_path, "validation")


def test_discontinuous_content_and_missing_source() -> None:
    (att,) = parse_ann(
        "T1\tContent 0 4;10 14\tab\nT2\tCue 5 9\tsaid\nE1\tAttribution-no-source:T2 Content:T1 Cue:T2"
    )
    assert att.content == ((0, 4), (10, 14)) and att.source == ()


def test_normalise_strips_marks_and_edge_punctuation() -> None:
    assert normalise(TEXT, TEXT.index("“We"), TEXT.index("deal,”") + 6) == (
        TEXT.index("We will"),
        TEXT.index("deal") + 4,
    )


def test_scores_of_the_analyser_on_the_mini_article(tmp_path: Path) -> None:
    articles = load_polnear(_archive(tmp_path), "test")
    result = evaluate_attribution(articles)
    scores = result["scores"]
    assert isinstance(scores, dict)
    assert scores["direct"]["exact"]["f1"] == 1.0
    assert scores["direct"]["speaker"]["accuracy"] == 1.0
    assert scores["all"]["overlap"]["recall"] == 1.0
    assert scores["indirect"]["cue"]["recall"] == 1.0


def test_counts_penalise_a_wrong_speaker_and_a_false_quote() -> None:
    golds = gold_units(PolnearArticle("mini", TEXT, "ab12", parse_ann(ANN)))
    quote = normalise(TEXT, TEXT.index("We will"), TEXT.index("deal") + 4)
    talks = (TEXT.index("Talks"), TEXT.index("Talks") + 5)
    preds = [Pred(quote, "direct", (talks, "Talks"), None), Pred(talks, "direct", None, None)]
    counts = count_article(TEXT, golds, preds).values
    assert counts["direct.speaker"] == {"num": 0, "den": 1}
    assert counts["direct.exact"]["p_num"] == 1 and counts["direct.exact"]["p_den"] == 2
    assert counts["indirect.overlap"]["r_num"] == 0 and counts["indirect.overlap"]["r_den"] == 2


def test_cli_scores_and_rejects_an_unknown_split(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    cmd = [sys.executable, "-m", "unspin.cli", "eval", "attribution", "--data", str(root)]
    ok = subprocess.run([*cmd, "--split", "test", "--json"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert '"task": "polnear-attribution"' in ok.stdout
    bad = subprocess.run([*cmd, "--split", "validation"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "validation" in bad.stderr and "Traceback" not in bad.stderr


def test_cue_forms_keep_words_that_mostly_serve_as_cues() -> None:
    from collections import Counter

    from unspin.train.attribution_cues import select

    in_cue = Counter({"said": 90, "the": 40, "shows": 3, "plan": 3})
    total = Counter({"said": 100, "the": 5000, "shows": 5, "plan": 60})
    assert select(in_cue, total, min_share=0.3, min_count=3) == ["said", "shows"]


def test_english_tokens_carry_the_dependency_parse() -> None:
    from unspin.nlp.parse import parse

    doc = parse(Article(title="", body="Jane Miller said the plan failed."), language="en")
    said = next(t for t in doc.body.tokens if t.text == "said")
    miller = next(t for t in doc.body.tokens if t.text == "Miller")
    assert said.pos == "VERB" and doc.body.tokens[miller.head].text == "said" and miller.dep == "nsubj"
