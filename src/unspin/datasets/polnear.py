"""PolNeAR v1.0.0 (Newell, Margolin and Ruths, LREC 2018): attribution relations in US political news.

Read in place from ``polnear/polnear-v1.0.0.tar.gz`` (never unpacked). Each article has one brat standoff file
per annotator; the dev and test articles that several people annotated are read with the first annotator
listed in ``metadata.tsv``, so every article counts once. An attribution ties a content span (possibly
discontinuous: ``start end;start end``) to a cue and, usually, a source. T lines labelled ``Discuss`` or
``Discard`` are the annotators' notes, not attributions, and are skipped.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from unspin.errors import DataError

ARCHIVE = "polnear/polnear-v1.0.0.tar.gz"
SPLITS = ("train", "dev", "test")
QUOTE_MARKS = "\"“”„«»‘’'`"

Fragments = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Attribution:
    content: Fragments
    cue: Fragments = ()
    source: Fragments = ()

    def is_direct(self, text: str) -> bool:
        """Direct quotation: every content fragment opens and closes with a quote mark.

        Mixed quotations (a quoted phrase inside reported speech) count as indirect, as in PARC.
        """
        if not self.content:
            return False
        for s, e in self.content:
            frag = text[s:e].strip().rstrip(".,;:!?—- ")
            if len(frag) < 3 or frag[0] not in QUOTE_MARKS or frag[-1] not in QUOTE_MARKS:
                return False
        return True


@dataclass
class PolnearArticle:
    name: str
    text: str
    annotator: str
    attributions: list[Attribution] = field(default_factory=list)


def _fragments(offsets: str) -> Fragments:
    out = []
    for piece in offsets.split(";"):
        s, e = piece.split()
        out.append((int(s), int(e)))
    return tuple(sorted(out))


def parse_ann(ann: str) -> list[Attribution]:
    """Attributions of one brat standoff file (the E lines, resolved through their T lines)."""
    spans: dict[str, Fragments] = {}
    events: list[dict[str, str]] = []
    for line in ann.splitlines():
        cols = line.split("\t")
        if line.startswith("T") and len(cols) >= 2:
            label, _, offsets = cols[1].partition(" ")
            if label in ("Source", "Cue", "Content", "Attribution", "Attribution-no-source"):
                try:
                    spans[cols[0]] = _fragments(offsets)
                except ValueError:
                    continue  # a malformed offset field (one line in the corpus): skip that span
        elif line.startswith("E") and len(cols) >= 2:
            roles = dict(arg.split(":", 1) for arg in cols[1].split() if ":" in arg)
            events.append(roles)
    out = []
    for roles in events:
        content = tuple(
            sorted(spans.get(roles.get("Content", ""), ()) + spans.get(roles.get("Content2", ""), ()))
        )
        if not content:
            continue
        out.append(
            Attribution(
                content=content,
                cue=spans.get(roles.get("Cue", ""), ()),
                source=spans.get(roles.get("Source", ""), ()),
            )
        )
    return out


def load_polnear(data: Path, split: str, limit: int | None = None) -> list[PolnearArticle]:
    """The articles of one split (train, dev or test), sorted by name; ``limit`` keeps the first N."""
    if split not in SPLITS:
        raise DataError(split, f"unknown PolNeAR split (use one of {', '.join(SPLITS)})")
    path = data / ARCHIVE
    if not path.is_file():
        raise DataError(str(path), "PolNeAR archive not found (see ../shared/data/polnear/PROVENANCE.md)")
    with tarfile.open(path) as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}

        def read(name: str) -> str:
            fh = tar.extractfile(members[name])
            assert fh is not None
            return fh.read().decode("utf-8")

        annotators: dict[str, list[str]] = {}
        for row in read("metadata.tsv").splitlines()[1:]:
            cols = row.split("\t")
            if len(cols) > 3 and cols[0] == split:
                annotators[cols[1]] = cols[3].split("|")
        articles = []
        for name in sorted(annotators)[: limit if limit else None]:
            text_name = f"{split}/text/{name}.txt"
            chosen = next(
                (a for a in annotators[name] if f"{split}/attributions/{name}_{a}.ann" in members), None
            )
            if text_name not in members or chosen is None:
                continue
            ann = read(f"{split}/attributions/{name}_{chosen}.ann")
            articles.append(PolnearArticle(name, read(text_name), chosen, parse_ann(ann)))
    if not articles:
        raise DataError(str(path), f"no PolNeAR articles found for split '{split}'")
    return articles
