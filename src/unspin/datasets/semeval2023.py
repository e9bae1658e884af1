"""SemEval-2023 Task 3 (genre, framing, persuasion techniques per paragraph), read from the organisers' bundle.

The bundle is read straight from semeval2023-task3/semeval2023-task3-data.tar.xz; nothing is extracted.
"""

from __future__ import annotations

import random
import re
import tarfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeVar

from unspin.errors import DataError

# unspin's language codes -> the bundle's folder names
LANGUAGES = {"en": "en", "fr": "fr", "de": "ge", "it": "it", "pl": "po", "ru": "ru"}
# The English 2023 articles are PTC train and dev re-annotated, so what trains beside the PTC models is the rest.
NON_ENGLISH = tuple(lang for lang in LANGUAGES if lang != "en")
ROOT = "semeval2023-task3-data"


@dataclass
class ParagraphArticle:
    """An article with its paragraph lines (1-based line number -> text) and whatever labels exist."""

    id: str
    language: str
    text: str
    paragraphs: dict[int, str] = field(default_factory=dict)
    techniques: dict[int, list[str]] = field(default_factory=dict)  # line -> labels (subtask 3)
    frames: list[str] | None = None  # subtask 2
    genre: str | None = None  # subtask 1


@lru_cache(maxsize=2)
def _bundle(path: str) -> dict[str, bytes]:
    """Every file of the bundle, by its path inside the archive."""
    out = {}
    with tarfile.open(path, "r:xz") as tar:
        for member in tar.getmembers():
            if member.isfile():
                fh = tar.extractfile(member)
                if fh is not None:
                    out[member.name.lstrip("./")] = fh.read()
    return out


def bundle(data_dir: Path) -> dict[str, bytes]:
    path = data_dir / "semeval2023-task3" / "semeval2023-task3-data.tar.xz"
    if not path.exists():
        raise DataError(str(path), "not found (the SemEval-2023 Task 3 bundle, under --data DIR)")
    return _bundle(str(path))


def inventory(data_dir: Path, name: str) -> list[str]:
    """The organisers' label list: 'techniques_subtask3' or 'frames_subtask2'."""
    raw = bundle(data_dir)[f"{ROOT}/label-inventories/{name}.txt"].decode("utf-8")
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _text(files: dict[str, bytes], key: str) -> str:
    return files[key].decode("utf-8") if key in files else ""


def load_semeval2023(data_dir: Path, language: str, split: str = "train") -> list[ParagraphArticle]:
    """Articles of one language and split ('train' has labels; 'dev' has none in this bundle)."""
    files = bundle(data_dir)
    folder = f"{ROOT}/{LANGUAGES[language]}"
    articles: dict[str, ParagraphArticle] = {}
    pattern = re.compile(rf"^{re.escape(folder)}/{split}-articles-subtask-(\d)/article(\d+)\.txt$")
    for name in files:
        m = pattern.match(name)
        if m and m.group(2) not in articles:
            articles[m.group(2)] = ParagraphArticle(m.group(2), language, files[name].decode("utf-8"))
    for line in _text(files, f"{folder}/{split}-labels-subtask-3.template").splitlines():
        cols = line.split("\t", 2)
        if len(cols) == 3 and cols[0] in articles:
            articles[cols[0]].paragraphs[int(cols[1])] = cols[2]
    for line in _text(files, f"{folder}/{split}-labels-subtask-3.txt").splitlines():
        cols = line.split("\t")
        if len(cols) >= 2 and cols[0] in articles:
            labels = cols[2].split(",") if len(cols) > 2 and cols[2].strip() else []
            articles[cols[0]].techniques[int(cols[1])] = labels
    for line in _text(files, f"{folder}/{split}-labels-subtask-2.txt").splitlines():
        cols = line.split("\t")
        if cols[0] in articles:
            articles[cols[0]].frames = [f for f in (cols[1].split(",") if len(cols) > 1 else []) if f]
    for line in _text(files, f"{folder}/{split}-labels-subtask-1.txt").splitlines():
        cols = line.split("\t")
        if len(cols) == 2 and cols[0] in articles:
            articles[cols[0]].genre = cols[1].strip()
    return sorted(articles.values(), key=lambda a: a.id)


class _HasId(Protocol):
    id: str


A = TypeVar("A", bound=_HasId)


def split_by_article(articles: list[A], heldout: float = 0.2, seed: int = 13) -> tuple[list[A], list[A]]:
    """(train, held-out) by article with a fixed seed: the held-out part is what unspin reports on.

    The organisers' dev and test gold labels are not public, so scores are on this split of train.
    """
    ids = sorted(a.id for a in articles)
    random.Random(seed).shuffle(ids)
    held = set(ids[: round(len(ids) * heldout)])
    return [a for a in articles if a.id not in held], [a for a in articles if a.id in held]


@dataclass
class SpanArticle:
    """An article's subtask-3 text and its technique spans (start, end, SemEval-2023 technique).

    The offsets count characters of the organisers' file as it is, carriage returns included.
    """

    id: str
    language: str
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def load_spans(data_dir: Path, language: str) -> list[SpanArticle]:
    """The train articles of one language with their gold technique spans (subtask 3, span files)."""
    files = bundle(data_dir)
    folder = f"{ROOT}/{LANGUAGES[language]}"
    pattern = re.compile(rf"^{re.escape(folder)}/train-articles-subtask-3/article(\d+)\.txt$")
    out = []
    for name in sorted(files):
        m = pattern.match(name)
        if not m:
            continue
        spans = []
        labels = _text(
            files, f"{folder}/train-labels-subtask-3-spans/article{m.group(1)}-labels-subtask-3.txt"
        )
        for line in labels.splitlines():
            cols = line.split("\t")
            if len(cols) == 4 and cols[2].isdigit() and cols[3].isdigit() and int(cols[2]) < int(cols[3]):
                spans.append((int(cols[2]), int(cols[3]), cols[1]))
        out.append(SpanArticle(m.group(1), language, files[name].decode("utf-8"), sorted(spans)))
    return out
