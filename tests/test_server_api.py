"""The REST API over real HTTP: a `unspin serve` process on a loopback port, no part of it mocked."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyarrow.parquet as pq

from conftest import EXAMPLE, FIXTURES
from serverkit import ADMIN_KEY, Server

ROOT = Path(__file__).parent.parent


def _comparable(report: dict) -> dict:
    """A report without what differs between two runs (timings) and the name of the input ('stdin')."""
    return {**report, "timings_ms": None, "article": {**report["article"], "source": None}}


def test_analyze_returns_the_cli_report_and_stores_it(api_server: Server) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    kb = api_server.workdir / "kb.sqlite"  # the server's knowledge base, so that narratives match
    with api_server.client() as c:
        resp = c.post("/v1/analyze", json={"text": text, "split_title": True})
        assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
        api = resp.json()
        # $UNSPIN_KB rather than --kb: the store may not exist yet, which --kb refuses and the server notes.
        cli = subprocess.run(
            [sys.executable, "-m", "unspin.cli", "analyze", "-", "--format", "json"],
            input=text,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "UNSPIN_KB": str(kb)},
        )
        assert cli.returncode == 0, cli.stderr
        assert api["article"]["source"] == "text" and api["title"] and api["headline"]
        assert _comparable(api) == _comparable(json.loads(cli.stdout))
        report_id = resp.headers["x-report-id"]
        assert resp.headers["location"] == f"/v1/reports/{report_id}"
        stored = c.get(f"/v1/reports/{report_id}")
        assert stored.status_code == 200 and stored.json() == api


def test_analyze_splits_the_title_and_checks_the_headline(api_server: Server) -> None:
    with api_server.client() as c:
        report = c.post(
            "/v1/analyze", json={"text": EXAMPLE.read_text(encoding="utf-8"), "split_title": True}
        ).json()
    assert report["title"] == "Kiev requested military assistance from NATO to capture Donbass"
    assert report["headline"]["verdict"] == "not supported"
    assert any(f["kind"] == "quote" for f in report["findings"])


def test_analyze_html_with_sections_and_url_metadata(api_server: Server) -> None:
    html = (FIXTURES / "article.html").read_text(encoding="utf-8")
    with api_server.client() as c:
        resp = c.post(
            "/v1/analyze", json={"html": html, "url": "https://news.example/a", "sections": ["quotes"]}
        )
        assert resp.status_code == 200, resp.text
        report = resp.json()
        assert report["article"]["source_kind"] == "html" and report["body"]
        assert {f["kind"] for f in report["findings"]} <= {"quote", "speaker", "source", "entity"}
        bad = c.post("/v1/analyze", json={"text": "Some text.", "sections": ["nope"]})
        assert bad.status_code == 422 and "nope" in bad.json()["detail"]


def test_report_html_is_sandboxed(api_server: Server) -> None:
    with api_server.client() as c:
        rid = c.post("/v1/analyze", json={"text": "The minister said the talks would go on."}).headers[
            "x-report-id"
        ]
        page = c.get(f"/v1/reports/{rid}/html")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "sandbox allow-scripts" in csp and "default-src 'none'" in csp
    assert "talks would go on" in page.text


def test_stance_and_verify(api_server: Server) -> None:
    with api_server.client() as c:
        stance = c.post(
            "/v1/stance",
            json={"headline": "NATO to capture Donbass", "body": EXAMPLE.read_text(encoding="utf-8")},
        )
        verify = c.post(
            "/v1/verify",
            json={"claim": "The talks will go on.", "evidence": ["The minister said the talks would go on."]},
        )
        empty = c.post("/v1/stance", json={"headline": " ", "body": "Text."})
    assert stance.status_code == 200 and stance.json()["verdict"] in ("supported", "not supported")
    assert verify.status_code == 200
    assert verify.json()["label"] in ("SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO")
    assert verify.json()["evidence"][0]["evidence"] == "The minister said the talks would go on."
    assert empty.status_code == 422 and empty.json()["title"] == "Unusable input"


def _wait_finished(c: httpx.Client, job_id: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = c.get(f"/v1/jobs/{job_id}").json()
        if job["state"] == "finished":
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} not finished after {timeout} s: {job}")


def test_job_from_a_json_list_keeps_order_and_errors(api_server: Server) -> None:
    articles = [
        {
            "id": "a",
            "title": "Talks go on",
            "text": "The minister said on Monday that the talks would go on.",
        },
        {"id": "b", "text": "   "},
        {"id": "c", "title": "Rain", "text": "It rained in the north on Sunday, the weather service said."},
    ]
    with api_server.client() as c:
        resp = c.post("/v1/jobs", json=articles)
        assert resp.status_code == 202 and resp.json()["total"] == 3
        job = _wait_finished(c, resp.json()["id"])
        assert job["counts"] == {"pending": 0, "running": 0, "done": 2, "error": 1}
        assert job["errors"][0]["index"] == 1 and "empty text" in job["errors"][0]["error"]
        lines = c.get(f"/v1/jobs/{job['id']}/results").text.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["index"] for r in rows] == [0, 1, 2]
    assert rows[0]["report"]["body"] == articles[0]["text"] and rows[2]["article_id"] == "c"
    assert rows[1]["state"] == "error" and "report" not in rows[1]


def test_job_from_a_corpus_upload_and_parquet_results(api_server: Server) -> None:
    corpus = FIXTURES / "corpus-20.jsonl"
    with api_server.client() as c:
        resp = c.post("/v1/jobs", files={"file": ("corpus-20.jsonl", corpus.read_bytes())})
        assert resp.status_code == 202, resp.text
        job = _wait_finished(c, resp.json()["id"])
        assert job["counts"]["done"] == 20 and job["progress"] == 1.0
        assert [i["article_id"] for i in job["items"]] == [f"c{n:02d}" for n in range(1, 21)]
        table = pq.read_table(io.BytesIO(c.get(f"/v1/jobs/{job['id']}/results?format=parquet").content))
        assert table.num_rows == 20
        first = table.to_pylist()[0]
        assert first["article_id"] == "c01" and json.loads(first["report_json"])["title"] == first["title"]
        opened = c.get(f"/v1/reports/{first['report_id']}")
        assert opened.status_code == 200 and opened.json()["article"]["id"] == "c01"
        assert any(j["id"] == job["id"] for j in c.get("/v1/jobs").json())


def test_job_upload_of_an_unknown_format_is_a_problem(api_server: Server) -> None:
    with api_server.client() as c:
        resp = c.post("/v1/jobs", files={"file": ("corpus.xlsx", b"PK\x03\x04")})
        empty = c.post("/v1/jobs", json=[])
    assert resp.status_code == 422 and resp.headers["content-type"] == "application/problem+json"
    assert ".jsonl" in resp.json()["detail"]
    assert empty.status_code == 422 and "no articles" in empty.json()["detail"]


def test_kb_import_search_and_stats(api_server: Server) -> None:
    demo = (ROOT / "examples" / "demo-kb.jsonl").read_bytes()
    with api_server.client(ADMIN_KEY) as admin:
        imported = admin.post("/v1/kb/import", files={"file": ("demo.jsonl", demo)}, data={"format": "jsonl"})
    assert imported.status_code == 200, imported.text
    assert imported.json()["added"] + imported.json()["skipped"] >= 1
    with api_server.client() as c:
        hits = c.get("/v1/kb/search", params={"q": "NATO troops secretly deployed in Ukraine"}).json()
        stats = c.get("/v1/kb/stats").json()
    assert hits and hits[0]["id"] == "demo-1" and hits[0]["verdict"] == "false"
    assert stats["entries"] >= 1 and "path" not in stats  # the server's file layout stays private


def test_health_readiness_metrics_and_openapi(api_server: Server) -> None:
    with api_server.client() as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        assert c.get("/readyz").json() == {"status": "ready"}
        c.get("/v1/jobs")
        c.get("/static/swagger/swagger-ui.css")
        metrics = c.get("/metrics")
        spec = c.get("/openapi.json").json()
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = metrics.text
    assert 'unspin_http_requests_total{method="GET",route="/v1/jobs",status="200"' in text
    assert 'unspin_http_requests_total{method="GET",route="/static/swagger",status="200"' in text
    assert "# TYPE unspin_http_request_duration_seconds histogram" in text
    assert 'unspin_http_request_duration_seconds_bucket{route="/v1/jobs"' in text and 'le="+Inf"' in text
    assert "# TYPE unspin_queue_depth gauge" in text and "unspin_ready{" in text
    for path in ("/v1/analyze", "/v1/analyze/url", "/v1/jobs", "/v1/kb/search", "/v1/stance", "/v1/verify"):
        assert path in spec["paths"]
    assert "Report" in spec["components"]["schemas"]


def test_docs_are_served_without_a_cdn(api_server: Server) -> None:
    with httpx.Client(base_url=api_server.url, trust_env=False) as c:
        page = c.get("/docs")
        assert page.status_code == 200
        assert "cdn" not in page.text.lower() and "https://" not in page.text
        for asset in ("/static/swagger/swagger-ui-bundle.js", "/static/swagger/swagger-ui.css"):
            assert c.get(asset).status_code == 200
        ui = c.get("/")
    assert ui.status_code == 200 and 'id="analyze-form"' in ui.text
    assert "script-src 'self'" in ui.headers["content-security-policy"]


def test_a_restarted_server_resumes_a_job_without_losing_or_repeating_an_article(tmp_path: Path) -> None:
    """Kill the server mid-job (SIGKILL, no clean shutdown), start it again on the same store."""
    rows = [json.loads(line) for line in (FIXTURES / "corpus-20.jsonl").read_text().splitlines()]
    args = ["--db", str(tmp_path / "store.sqlite"), "--kb", str(tmp_path / "kb.sqlite")]
    args += ["--cors-origin", "https://newsroom.example", "--request-timeout", "0.01"]
    first = Server(tmp_path, args=args).start()
    try:
        with first.client(None) as c:
            job_id = c.post("/v1/jobs", json=rows).json()["id"]
            while (job := c.get(f"/v1/jobs/{job_id}").json())["counts"]["done"] < 2:
                time.sleep(0.05)
            before = [json.loads(line) for line in c.get(f"/v1/jobs/{job_id}/results").text.splitlines()]
            # CORS, configured here: the allowed origin is answered, another is not.
            ok = c.get("/healthz", headers={"Origin": "https://newsroom.example"})
            other = c.get("/healthz", headers={"Origin": "https://evil.example"})
            assert ok.headers["access-control-allow-origin"] == "https://newsroom.example"
            assert "access-control-allow-origin" not in other.headers
            # The per-request time limit, set tiny here (job articles have none): 503 with Retry-After.
            late = c.post("/v1/analyze", json={"text": rows[0]["text"]})
            assert late.status_code == 503 and late.json()["title"] == "Request timed out"
            assert int(late.headers["retry-after"]) >= 1
    finally:
        first.stop(signal.SIGKILL)
    assert 2 <= len(before) < len(rows), "the job must be killed part-way"
    second = Server(tmp_path, args=args).start()
    try:
        with second.client(None) as c:
            job = _wait_finished(c, job_id)
            after = [json.loads(line) for line in c.get(f"/v1/jobs/{job_id}/results").text.splitlines()]
    finally:
        second.stop()
    assert job["counts"] == {"pending": 0, "running": 0, "done": 20, "error": 0}
    assert [r["index"] for r in after] == list(range(20))  # none lost, none twice
    assert [r["report"]["body"] for r in after] == [r["text"] for r in rows]
    # Reports finished before the kill are the same reports, not analysed again (their timings would differ).
    for old in before:
        assert after[old["index"]]["report"]["timings_ms"] == old["report"]["timings_ms"]


def test_compare_over_http_and_its_side_by_side_view(api_server: Server) -> None:
    article = (FIXTURES / "compare" / "article_en.txt").read_text(encoding="utf-8")
    source = (FIXTURES / "compare" / "source_en.txt").read_text(encoding="utf-8")
    a_title, a_body = article.split("\n\n", 1)
    s_title, s_body = source.split("\n\n", 1)
    with api_server.client() as c:
        resp = c.post(
            "/v1/compare",
            json={
                "article": {"title": a_title, "text": a_body},
                "source": {"title": s_title, "text": s_body},
            },
        )
        assert resp.status_code == 200, resp.text
        comparison = resp.json()["comparison"]
        page = c.get(f"/v1/reports/{resp.headers['x-report-id']}/html")
        empty = c.post("/v1/compare", json={"article": {"text": a_body}, "source": {}})
        missing = c.post("/v1/compare", json={"article": {"text": a_body}})
        internal = c.post(
            "/v1/compare", json={"article": {"text": a_body}, "source": {"url": "http://127.0.0.1:9/"}}
        )
    assert comparison["headline_verdict"] == "not supported by the source"
    kinds = {u["kind"] for u in comparison["units"]}
    assert {"changed", "not-in-source"} <= kinds
    assert page.status_code == 200 and 'id="source-side"' in page.text
    assert "sandbox allow-scripts" in page.headers["content-security-policy"]
    for bad in (empty, missing):
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert internal.status_code == 400 and "loopback" in internal.json()["detail"]
