"""SemEval-2025 Task 10 (entity framing, narrative classification) in the organisers' folder layout.

A language folder holds ``raw-documents/*.txt`` (title on line 1, then the body) and the annotation files
``subtask-1-annotations.txt`` (entity mentions with their roles) and ``subtask-2-annotations.txt``
(narratives and subnarratives per article). Any folder of that layout can be read, so the dev and test splits
held outside the repository are scored by pointing at them; a folder that holds language folders
(``train_data/EN``, ``train_data/RU`` …) is read language by language.

Offsets: the subtask-1 offsets count characters of the document, end inclusive. The RU train offsets count
each line break as two characters (the files were CRLF when annotated, LF in this copy), and a few EN offsets
are a character or so off where the mention holds quotes; ``_locate`` reads both (see PROVENANCE.md).
"""

from __future__ import annotations

import csv
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from unspin.errors import DataError

FOLDER = "semeval2025-task10"
LANGUAGES = ("BG", "EN", "HI", "PT", "RU")
MAIN_ROLES = ("Protagonist", "Antagonist", "Innocent")
FINE_ROLES: dict[str, tuple[str, ...]] = {
    "Protagonist": ("Guardian", "Martyr", "Peacemaker", "Rebel", "Underdog", "Virtuous"),
    "Antagonist": (
        "Instigator",
        "Conspirator",
        "Tyrant",
        "Foreign Adversary",
        "Traitor",
        "Spy",
        "Saboteur",
        "Corrupt",
        "Incompetent",
        "Terrorist",
        "Deceiver",
        "Bigot",
    ),
    "Innocent": ("Forgotten", "Exploited", "Victim", "Scapegoat"),
}
OTHER = "Other"
SPLIT_FILE = Path(__file__).resolve().parents[3] / "data" / "splits" / "semeval2025.json"


@dataclass
class RoleMention:
    """A subtask-1 mention: offsets into ``Document.text`` (end exclusive here), its main and fine roles."""

    text: str
    start: int
    end: int
    main: str
    fine: list[str]
    raw_start: int  # the offsets as the annotation file gives them (end inclusive), for the output format
    raw_end: int


@dataclass
class Document:
    """One article: the file's text as read (``newline=''``), its title line and body, and its gold labels."""

    id: str  # the file name, as the annotation files name it (EN_UA_103861.txt)
    language: str  # EN, RU … (the folder's name, or the id's prefix)
    text: str
    narratives: list[str] = field(default_factory=list)  # subtask 2, deduplicated, in file order
    subnarratives: list[str] = field(default_factory=list)
    mentions: list[RoleMention] = field(default_factory=list)
    annotated: bool = False  # listed in subtask-2-annotations.txt

    @property
    def title(self) -> str:
        return self.text.split("\n", 1)[0].strip()

    @property
    def body_start(self) -> int:
        """Where the body starts in ``text`` (after the title line)."""
        nl = self.text.find("\n")
        return len(self.text) if nl < 0 else nl + 1

    @property
    def body(self) -> str:
        return self.text[self.body_start :]


def _language_of(folder: Path, doc_id: str) -> str:
    name = folder.name.upper()
    if name in LANGUAGES:
        return name
    # EN_UA_103861.txt, RU-URW-1080.txt, A9_BG_2566.txt: the first part of the id that names a language.
    parts = [p.upper() for p in re.split(r"[_.-]", doc_id)]
    return next((p for p in parts if p in LANGUAGES), name)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(x.strip() for x in items if x.strip()))


def _crlf_to_lf(text: str, offset: int) -> int:
    """An offset that counts every LF as CRLF, mapped back onto the LF text."""
    # Walk the LF text: each '\n' before the target takes two CRLF positions.
    pos = crlf = 0
    n = len(text)
    while pos < n and crlf < offset:
        crlf += 2 if text[pos] == "\n" else 1
        pos += 1
    return pos


def _matches(text: str, mention: str, start: int, end: int) -> bool:
    got = text[start:end]
    return got == mention or got.replace('"', "") == mention.replace('"', "")


def _locate(text: str, mention: str, start: int, end_inclusive: int, crlf: bool) -> tuple[int, int]:
    """(start, end exclusive) of a mention in ``text``: as given, or in CRLF coordinates, or nearby (quotes)."""
    s, e = start, end_inclusive + 1
    if crlf and "\r\n" not in text:
        s, e = _crlf_to_lf(text, start), _crlf_to_lf(text, end_inclusive + 1)
    if _matches(text, mention, s, e):
        return s, e
    bare = mention.strip('"“”« »')
    for delta in range(0, 6):
        for d in (delta, -delta):
            i = text.find(bare, max(0, s + d - len(bare)), s + d + len(bare) + len(mention))
            if i >= 0 and abs(i - s) <= 5:
                return i, i + len(bare)
    return s, min(e, len(text))


def _read_rows(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [
            row for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if row and row[0].strip()
        ]


def language_folders(folder: Path) -> list[Path]:
    """The task-layout folders under ``folder``: itself, or its language folders (sorted); DataError if none."""
    if not folder.is_dir():
        raise DataError(str(folder), "not a folder")
    if (folder / "raw-documents").is_dir():
        return [folder]
    subs = sorted(p for p in folder.iterdir() if (p / "raw-documents").is_dir())
    if not subs:
        raise DataError(
            str(folder),
            "not in the SemEval-2025 Task 10 layout: expected raw-documents/ and subtask-1-annotations.txt or "
            "subtask-2-annotations.txt (or language folders holding them)",
        )
    return subs


def load_folder(folder: Path, subtask: int | None = None) -> list[Document]:
    """Every document of one task-layout folder with the gold of the annotation files found there.

    ``subtask`` (1 or 2): that annotation file must exist (DataError otherwise)."""
    docs_dir = folder / "raw-documents"
    if not docs_dir.is_dir():
        raise DataError(str(folder), "no raw-documents/ folder (the SemEval-2025 Task 10 layout)")
    if subtask is not None and not (folder / f"subtask-{subtask}-annotations.txt").exists():
        raise DataError(str(folder), f"no subtask-{subtask}-annotations.txt")
    docs: dict[str, Document] = {}
    for path in sorted(docs_dir.glob("*.txt")):
        with path.open(encoding="utf-8", newline="") as f:
            text = f.read()
        docs[path.name] = Document(path.name, _language_of(folder, path.name), text)
    for row in _read_rows(folder / "subtask-2-annotations.txt"):
        d = docs.get(row[0].strip())
        if d is None:
            continue
        d.annotated = True
        d.narratives = _unique(row[1].split(";")) if len(row) > 1 else [OTHER]
        d.subnarratives = _unique(row[2].split(";")) if len(row) > 2 else [OTHER]
    rows = _read_rows(folder / "subtask-1-annotations.txt")
    for row in rows:
        d = docs.get(row[0].strip())
        if d is None or len(row) < 4:
            continue
        try:
            start, end = int(row[2]), int(row[3])
        except ValueError:
            raise DataError(
                str(folder / "subtask-1-annotations.txt"), f"bad offsets in row {row[:4]}"
            ) from None
        crlf = d.language == "RU"
        s, e = _locate(d.text, row[1], start, end, crlf)
        main = row[4].strip() if len(row) > 4 else ""
        fine = [x.strip() for x in row[5:] if x.strip()]
        d.mentions.append(RoleMention(row[1], s, e, main, fine, start, end))
    if not docs:
        raise DataError(str(docs_dir), "no .txt documents")
    return list(docs.values())


def load(folder: Path, subtask: int | None = None) -> list[Document]:
    """Every document under ``folder`` (one task-layout folder or several language folders)."""
    return [d for sub in language_folders(folder) for d in load_folder(sub, subtask)]


def train_folder(data_dir: Path) -> Path:
    path = data_dir / FOLDER / "data" / "train_data"
    if not path.is_dir():
        raise DataError(str(path), "SemEval-2025 Task 10 train data not found")
    return path


def label_lists(data_dir: Path) -> tuple[list[str], list[str]]:
    """The organisers' narrative (22) and subnarrative (91) labels."""
    base = data_dir / FOLDER / "data" / "scorers_baselines"

    def read(name: str) -> list[str]:
        return [x.strip() for x in (base / name).read_text(encoding="utf-8").splitlines() if x.strip()]

    return read("subtask2_narratives.txt"), read("subtask2_subnarratives.txt")


def role_definitions(data_dir: Path) -> dict[str, str]:
    """Fine role -> its definition (merged_data/description_roles.csv)."""
    path = data_dir / FOLDER / "merged_data" / "description_roles.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {r["fine_grained_role"].strip(): " ".join(r["description"].split()) for r in csv.DictReader(f)}


def make_split(docs: list[Document], heldout: float = 0.2, seed: int = 13) -> dict[str, list[str]]:
    """Held-out article ids per language (seeded), among the annotated documents."""
    out: dict[str, list[str]] = {}
    for lang in sorted({d.language for d in docs}):
        ids = sorted(d.id for d in docs if d.language == lang and (d.annotated or d.mentions))
        random.Random(f"{seed}-{lang}").shuffle(ids)
        out[lang] = sorted(ids[: round(len(ids) * heldout)])
    return out


def heldout_ids(path: Path = SPLIT_FILE) -> set[str]:
    """The held-out article ids of the committed split (data/splits/semeval2025.json)."""
    if not path.exists():
        raise DataError(str(path), "no split file (`unspin train semeval2025 --write-split`)")
    data = json.loads(path.read_text(encoding="utf-8"))
    return {i for ids in data["heldout"].values() for i in ids}
