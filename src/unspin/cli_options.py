"""Command-line options shared by the `unspin train …` and `unspin eval …` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DataOption = Annotated[
    Path | None, typer.Option(help="Data directory (default ../shared/data or $UNSPIN_DATA).")
]
