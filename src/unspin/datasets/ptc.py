"""PTC (SemEval-2020 Task 11): articles with propaganda spans and 14 technique labels."""

from __future__ import annotations

import codecs
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from unspin.errors import IngestError
from unspin.ingest.decode import decode_bytes

TECHNIQUES_2020 = (
    "Appeal_to_Authority", "Appeal_to_fear-prejudice", "Bandwagon,Reductio_ad_hitlerum", "Black-and-White_Fallacy",
    "Causal_Oversimplification", "Doubt", "Exaggeration,Minimisation", "Flag-Waving", "Loaded_Language",
    "Name_Calling,Labeling", "Repetition", "Slogans", "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)  # fmt: skip


@dataclass
class LabelledArticle:
    """An article's full file text (offsets refer to it) and its gold spans (start, end, technique)."""

    id: str
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def read_labels(path: Path, with_technique: bool = True) -> dict[str, list[tuple[int, int, str]]]:
    """Read 'id<TAB>technique<TAB>start<TAB>end' (TC) or 'id<TAB>start<TAB>end' (SI) lines."""
    out: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        cols = line.split("\t")
        if with_technique:
            out[cols[0]].append((int(cols[2]), int(cols[3]), cols[1]))
        else:
            out[cols[0]].append((int(cols[1]), int(cols[2]), ""))
    return out


def read_article_file(path: Path) -> str:
    """One articleNNN.txt as the organisers' tools read it: decoded (UTF-8, else a detected encoding) with
    universal newlines, because the gold offsets count characters of that text. IngestError if it is not text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read ({exc.strerror})") from exc
    # A UTF-8 byte-order mark stays in: the organisers read the files with it, so gold offsets count it.
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise IngestError(
                str(path), f"not UTF-8 at byte {exc.start}, after a UTF-8 byte-order mark"
            ) from exc
    else:
        text = decode_bytes(data, str(path))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(str(path), "empty article")
    return text


def read_articles_checked(folder: Path) -> tuple[dict[str, str], list[IngestError]]:
    """articleNNN.txt files by article id, and an error for each file that is not a readable article, so that a
    folder with one bad file still gives the others."""
    out: dict[str, str] = {}
    failed: list[IngestError] = []
    for p in sorted(folder.glob("article*.txt")):
        m = re.match(r"article(\d+)", p.name)
        if m:
            try:
                out[m.group(1)] = read_article_file(p)
            except IngestError as exc:
                failed.append(exc)
    return out, failed


def read_articles(folder: Path) -> dict[str, str]:
    """articleNNN.txt files by article id; a labelled corpus must be whole, so a bad file is an IngestError."""
    out, failed = read_articles_checked(folder)
    if failed:
        raise failed[0]
    return out


def load_ptc(data_dir: Path, split: str) -> list[LabelledArticle]:
    """'train' (371 articles) or 'dev' (75, gold from PeerDA) of ptc-semeval2020-task11/."""
    root = data_dir / "ptc-semeval2020-task11"
    articles = read_articles(root / f"{split}-articles")
    labels = read_labels(root / ("train-task2-TC.labels" if split == "train" else "dev-task-TC.labels"))
    return [LabelledArticle(aid, text, sorted(labels.get(aid, []))) for aid, text in articles.items()]
