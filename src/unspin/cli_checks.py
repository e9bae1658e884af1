"""Checks that run on the command line before any work: option values by their type (at parse time, so a
bad value is one usage line and exit 2), output paths (before an analysis that takes seconds), the knowledge
base given with --kb, and writing several outputs all-or-nothing."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import typer

from unspin.errors import UnspinError
from unspin.nlp.language import SUPPORTED_LANGUAGES


class OutputError(UnspinError):
    """An output path cannot be written (its folder is missing or read-only, or it is a folder)."""


def language_option(value: str | None) -> str | None:
    """--lang: one of the supported ISO 639-1 codes (case-insensitive), or None to detect."""
    if value is None:
        return None
    code = value.strip().lower()
    if code not in SUPPORTED_LANGUAGES:
        raise typer.BadParameter(
            f"'{value}' is not a supported language code (one of {', '.join(SUPPORTED_LANGUAGES)})"
        )
    return code


def row_id_option(value: str | None) -> str | None:
    """--id: a row id is never empty."""
    if value is not None and not value.strip():
        raise typer.BadParameter("empty: give the id of a corpus row")
    return value


def check_output_path(path: Path) -> None:
    """Refuse, before any work, an output that cannot be written."""
    if path.is_dir():
        raise OutputError(str(path), "is a folder, not a file to write")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(str(path), f"cannot write: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(str(path), "cannot write: permission denied")


def write_all(outputs: Sequence[tuple[Path, str]]) -> None:
    """Write every (path, text) or none: each goes to a temporary file beside its target first, and the
    targets are replaced only once every temporary file is written (a full disk on the second leaves the
    first untouched)."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in outputs:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; a report is as readable as any file
    except OSError as exc:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        target = staged[-1][1] if staged else outputs[0][0]
        raise OutputError(str(target), f"cannot write ({exc.strerror or exc})") from exc
    for tmp, path in staged:
        os.replace(tmp, path)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_kb_file(path: Path) -> None:
    """An explicit --kb must be an existing, readable unspin knowledge base (opened read-only: nothing is
    created); a missing or corrupt one is an error before the analysis, not a note after it."""
    from unspin.kb import open_kb

    open_kb(path, read_only=True).close()
