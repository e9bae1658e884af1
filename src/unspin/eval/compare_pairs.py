"""The source-comparison evaluation set: a real source article and a rewrite of it with known edits.

``data/annotations/compare_pairs.jsonl`` holds one pair a line (guideline: docs/annotation/compare-guideline.md).
No text of a source is copied: a pair names its source row (war-news ``file``/``id`` or a PolNeAR ``split``/
``name``), and each unit of the rewrite names the source slice it comes from by character offsets, plus the
edits applied to that slice (offsets relative to the slice) or a sentence written by the annotator. The rewrite
is built here, deterministically, from those instructions:

- the title is ``headline.text``;
- each unit's text is ``template`` with ``{}`` replaced by the edited slice (or the annotator's ``text``);
- units are joined two to a paragraph (a space inside, a blank line between paragraphs).

``python -m unspin.eval.compare_pairs check FILE`` validates a file and prints each rewrite;
``python -m unspin.eval.compare_pairs show CORPUS FILE_OR_SPLIT ID`` prints a source's sentences with offsets.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from unspin.errors import DataError
from unspin.model import AlignmentKind, ChangeKind

# The labels are the comparison's own: the Report's unit kinds and change kinds.
KINDS = get_args(AlignmentKind)
CHANGES = get_args(ChangeKind)
ELEMENT_STATUSES = ("found", "different", "absent")
UNITS_PER_PARAGRAPH = 2


@dataclass(frozen=True)
class GoldUnit:
    """One unit of the rewrite with its gold label: where it sits in the rewrite, where it came from."""

    start: int
    end: int
    kind: str
    changes: tuple[str, ...]
    source: tuple[int, int] | None
    quoted: bool


@dataclass(frozen=True)
class GoldElement:
    text: str
    status: str


@dataclass
class ComparePair:
    pair: str
    split: str
    source_title: str
    source_text: str
    title: str
    body: str
    units: list[GoldUnit] = field(default_factory=list)
    elements: list[GoldElement] = field(default_factory=list)
    omitted: list[tuple[int, int]] = field(default_factory=list)


def source_text(data_dir: Path, ref: dict[str, Any]) -> tuple[str, str]:
    """(title, text) of a pair's source row."""
    corpus = ref.get("corpus")
    if corpus == "war-news":
        article = _war_news(data_dir, ref["file"]).get((ref["file"], ref["id"]))
        if article is None:
            raise DataError(f"{ref['file']}#{ref['id']}", "no such war-news row")
        return article.title, article.text
    if corpus == "polnear":
        from unspin.datasets.polnear import load_polnear

        for a in _polnear(data_dir, ref["split"], load_polnear):
            if a.name == ref["name"]:
                return "", a.text
        raise DataError(f"polnear {ref['split']}/{ref['name']}", "no such PolNeAR article")
    raise DataError(str(ref), "a source needs corpus 'war-news' (file, id) or 'polnear' (split, name)")


_CACHE: dict[tuple[str, str], Any] = {}


def _war_news(data_dir: Path, file: str) -> Any:
    from unspin.datasets.war_news import war_news_index

    key = ("war-news:" + file, str(data_dir))
    if key not in _CACHE:
        _CACHE[key] = war_news_index(data_dir, (file,))
    return _CACHE[key]


def _polnear(data_dir: Path, split: str, loader: Any) -> Any:
    key = ("polnear-" + split, str(data_dir))
    if key not in _CACHE:
        _CACHE[key] = loader(data_dir, split)
    return _CACHE[key]


def _apply_edits(piece: str, edits: list[dict[str, Any]], where: str) -> str:
    out, at = [], 0
    for edit in sorted(edits, key=lambda e: e["at"][0]):
        s, e = edit["at"]
        if not 0 <= s <= e <= len(piece) or s < at:
            raise DataError(where, f"edit {edit} is outside the slice or overlaps another")
        out.append(piece[at:s])
        out.append(str(edit["new"]))
        at = e
    out.append(piece[at:])
    return "".join(out)


def build_pair(record: dict[str, Any], data_dir: Path) -> ComparePair:
    """The rewrite and its gold labels, from one line of the annotation file (errors name the pair)."""
    name = str(record.get("pair", "?"))
    title_src, text = source_text(data_dir, record["source"])
    headline = record.get("headline") or {}
    pieces: list[tuple[str, dict[str, Any]]] = []
    for i, unit in enumerate(record.get("units", [])):
        where = f"{name} unit {i}"
        kind = unit.get("kind")
        if kind not in KINDS:
            raise DataError(where, f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        changes = unit.get("changes", [])
        # A changed unit names its changes, except one adjudicated as a change no kind names (topics swapped).
        unnamed = kind == "changed" and not changes and "adjudicated" in unit
        if ((kind == "changed") != bool(changes) and not unnamed) or any(c not in CHANGES for c in changes):
            raise DataError(
                where, f"'changed' needs changes from {', '.join(CHANGES)} (and only it has them)"
            )
        frm = unit.get("from")
        if frm is None:
            if kind != "not-in-source":
                raise DataError(where, "only a not-in-source unit has no source slice")
            if "insert" in unit:
                ins = unit["insert"]
                _, other = source_text(data_dir, ins)
                body = other[ins["start"] : ins["end"]]
            else:
                body = str(unit["text"])
        else:
            s, e = frm
            if not 0 <= s < e <= len(text):
                raise DataError(where, f"source slice {frm} is outside the source ({len(text)} characters)")
            # A verbatim unit's edits may only remove page debris glued to the sentence (a caption, a "Read
            # more" link): the guideline's adjudication rule.
            body = (
                str(unit["text"]) if "text" in unit else _apply_edits(text[s:e], unit.get("edits", []), where)
            )
        template = str(unit.get("template", "{}"))
        if template.count("{}") != 1:
            raise DataError(where, "template must hold {} exactly once")
        pieces.append((template.replace("{}", body.strip()), unit))
    if not pieces:
        raise DataError(name, "a pair needs units")
    body_parts: list[str] = []
    units: list[GoldUnit] = []
    at = 0
    for i, (piece, unit) in enumerate(pieces):
        if i:
            sep = "\n\n" if i % UNITS_PER_PARAGRAPH == 0 else " "
            body_parts.append(sep)
            at += len(sep)
        frm = unit.get("from")
        units.append(
            GoldUnit(
                at,
                at + len(piece),
                str(unit["kind"]),
                tuple(unit.get("changes", [])),
                (int(frm[0]), int(frm[1])) if frm else None,
                bool(unit.get("quoted", False)),
            )
        )
        body_parts.append(piece)
        at += len(piece)
    elements = []
    for el in headline.get("elements", []):
        if el.get("status") not in ELEMENT_STATUSES or el.get("text") not in str(headline.get("text", "")):
            raise DataError(name, f"headline element {el} needs a status and text inside the headline")
        elements.append(GoldElement(str(el["text"]), str(el["status"])))
    return ComparePair(
        pair=name,
        split=str(record.get("split", "")),
        source_title=title_src,
        source_text=text,
        title=str(headline.get("text", "")),
        body="".join(body_parts),
        units=units,
        elements=elements,
        omitted=[(int(s), int(e)) for s, e in record.get("omitted", [])],
    )


def load_pairs(path: Path, data_dir: Path, split: str | None = None) -> list[ComparePair]:
    """Every pair of the file (``split``: only dev or only test)."""
    if not path.is_file():
        raise DataError(str(path), "comparison pairs file not found")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{n}", f"not JSON ({exc.msg})") from None
        if split and record.get("split") != split:
            continue
        out.append(build_pair(record, data_dir))
    return out


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’»)]*\s+|\n+")


def sentences(text: str) -> Iterable[tuple[int, int]]:
    """Rough sentence offsets, for choosing slices (the comparison itself uses the pipeline's parse)."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start() + len(m.group(0).rstrip())
        if text[start:end].strip():
            yield start, end
        start = m.end()
    if text[start:].strip():
        yield start, len(text)


def main(argv: list[str]) -> int:
    data = Path("../shared/data")
    if len(argv) >= 2 and argv[0] == "check":
        for pair in load_pairs(Path(argv[1]), data):
            print(f"== {pair.pair} [{pair.split}] {pair.title}")
            for u in pair.units:
                print(f"  {u.kind:14} {','.join(u.changes):20} {pair.body[u.start : u.end][:110]!r}")
        return 0
    if len(argv) == 4 and argv[0] == "show":
        corpus, where, ident = argv[1:]
        ref = {"corpus": corpus, "file": where, "id": ident, "split": where, "name": ident}
        title, text = source_text(data, ref)
        print("TITLE:", title)
        for s, e in sentences(text):
            print(f"[{s}, {e}] {text[s:e]}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def agreement(first: Path, second: Path) -> dict[str, object]:
    """Agreement of the second, blind annotation pass (``second``: one line per unit ``{pair, unit, kind,
    changes}`` and per headline element ``{pair, element, status}``) with the first pass's labels as written
    before adjudication (``first_pass`` where a unit was adjudicated, else its label)."""
    from collections import Counter

    def kappa(pairs: list[tuple[str, str]]) -> tuple[float, float]:
        n = len(pairs)
        po = sum(a == b for a, b in pairs) / n
        ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
        pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
        return round(po, 4), round((po - pe) / (1 - pe), 4) if pe < 1 else 1.0

    def norm(changes: list[str]) -> set[str]:
        return {"negation" if c.startswith("negation") else c for c in changes}

    units: dict[tuple[str, int], tuple[str, set[str]]] = {}
    elements: dict[tuple[str, str], str] = {}
    for line in first.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        for i, u in enumerate(r["units"]):
            label = u.get("first_pass", {"kind": u["kind"], "changes": u.get("changes", [])})
            units[(r["pair"], i)] = (label["kind"], norm(label["changes"]))
        for e in r["headline"].get("elements", []):
            elements[(r["pair"], e["text"])] = e.get("first_pass", e["status"])
    units2: dict[tuple[str, int], tuple[str, set[str]]] = {}
    elements2: dict[tuple[str, str], str] = {}
    for line in second.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if "unit" in r:
            units2[(r["pair"], int(r["unit"]))] = (r["kind"], norm(r.get("changes", [])))
        else:
            elements2[(r["pair"], r["element"])] = r["status"]
    keys = sorted(set(units) & set(units2))
    ekeys = sorted(set(elements) & set(elements2))
    out: dict[str, object] = {"units": len(keys), "elements": len(ekeys)}
    out["kind_agreement"], out["kind_kappa"] = kappa([(units[k][0], units2[k][0]) for k in keys])
    change_f1 = {}
    for change in (
        "number",
        "date",
        "actor",
        "negation",
        "hedge-removed",
        "hedge-added",
        "modal-strengthened",
    ):
        a = {k for k in keys if change in units[k][1]}
        b = {k for k in keys if change in units2[k][1]}
        change_f1[change] = round(2 * len(a & b) / (len(a) + len(b)), 4) if a or b else 1.0
    out["change_f1"] = change_f1
    out["element_agreement"], out["element_kappa"] = kappa([(elements[k], elements2[k]) for k in ekeys])
    out["disagreements"] = sum(units[k] != units2[k] for k in keys) + sum(
        elements[k] != elements2[k] for k in ekeys
    )
    return out
