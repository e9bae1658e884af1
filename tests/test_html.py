"""HTML report: highlights every finding kind, escapes all article content, runs no article script."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import report_for_text
from unspin.model import Report
from unspin.render import render_html
from unspin.taxonomy import display_name

ATTACK_TITLE = 'Breaking <script>document.title="pwned"</script> news'
ATTACK_BODY = (
    'It is reported that "><img src=x onerror="document.title=\'pwned\'"> troops moved. '
    "\"We will not allow </script><script>document.title='pwned'</script> this,\" Peskov said."
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


@pytest.fixture(scope="module")
def attack_html() -> str:
    return render_html(report_for_text(ATTACK_BODY, language="en", title=ATTACK_TITLE))


def test_article_content_is_escaped(attack_html: str) -> None:
    parser = _Tags()
    parser.feed(attack_html)
    assert "img" not in parser.tags
    assert parser.tags.count("script") == 2  # the JSON data block and unspin's own script
    assert "<script>document.title" not in attack_html and "<img src=x" not in attack_html
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in attack_html
    data = re.search(r'<script type="application/json" id="unspin-data">(.*?)</script>', attack_html, re.S)
    assert data and "</" not in data.group(1)


def test_every_finding_kind_is_highlighted(example_report: Report) -> None:
    html = render_html(example_report)
    for kind in {f.kind for f in example_report.findings} - {"paragraph"}:
        assert f"k-{kind}" in html
    # Paragraph-level techniques are not highlights: they stand in the margin beside their paragraph.
    for p in example_report.paragraphs:
        for t in p.techniques:
            assert (
                f'<div class="margin-label" title="probability {t.probability:.2f}">{display_name(t.label)}'
                in html
            )
    # The legend's categories are SemEval-2023's, and so are the technique names listed under them.
    legend = html[html.index('id="technique-legend"') : html.index('id="detail"')]
    for t in example_report.techniques:
        assert " / ".join(map(display_name, t.semeval2023)) in legend
        assert t.category in legend
    assert "genre: " in html
    for f in example_report.findings:
        assert f.id in html
    assert "The Globe and Mail" in html and "russian-derived" in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs it)")
def test_browser_runs_no_article_script(attack_html: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(attack_html, encoding="utf-8")
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=2000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    ).stdout
    assert "<title>unspin report" in dom and "pwned</title>" not in dom
    assert "<img" not in dom
    assert 'class="hl ' in dom  # the page's own script and markup survived


def test_headline_verdict_on_top_and_claims_listed(example_report: Report) -> None:
    html = render_html(example_report)
    verdict = html.index('id="headline-verdict"')
    assert verdict < html.index('id="article"')  # the verdict comes before the article
    assert "Headline not supported by the body" in html
    assert "to capture Donbass" in html[verdict : html.index('id="article"')]
    claims = html[html.index('id="claims"') :]
    assert example_report.claims, "the example has check-worthy claims"
    for c in example_report.claims:
        assert c.claimant.name in claims
    assert "unattributed" in claims
    assert (
        "unnamed source · unnamed source" not in claims
    )  # the sourcing is said once when kind and attribution agree
    scores = [float(s) for s in re.findall(r"<tr><td>(\d\.\d\d)</td>", claims.split("</table>")[0])]
    assert scores == sorted(scores, reverse=True)  # ranked by check-worthiness
