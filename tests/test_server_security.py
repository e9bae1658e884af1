"""Security of `unspin serve`: keys, limits, problem details, CORS, SSRF, XSS.

Real traffic goes only to loopback. Private, link-local and metadata ranges are tested through the address
check and a stubbed resolver, with a transport that fails the test if a connection is attempted.
"""

from __future__ import annotations

import http.server
import ipaddress
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from conftest import EXAMPLE, FIXTURES
from serverkit import (
    ADMIN_KEY,
    LOOPBACK_ALLOWED,
    QUEUE_SIZE,
    RATE_KEY,
    RATE_LIMIT,
    READ_KEY,
    Server,
    free_port,
)
from unspin.errors import UnspinError
from unspin.server.config import Settings, check_bind, load_keys
from unspin.server.ssrf import FetchRefused, SafeFetcher, address_problem

ROOT = Path(__file__).parent.parent
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def _is_problem(resp: httpx.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert (
        body["status"] == status and body["title"] and body["detail"] and body["type"].startswith("https://")
    )
    assert "Traceback" not in resp.text and 'File "' not in resp.text
    return body


# API keys -------------------------------------------------------------------------------------------------


def test_missing_wrong_and_insufficient_keys(api_server: Server) -> None:
    with api_server.client(None) as anon:
        missing = _is_problem(anon.get("/v1/jobs"), 401)
        assert "X-API-Key" in missing["detail"]
        assert anon.get("/v1/jobs").headers["www-authenticate"].startswith("Bearer")
        _is_problem(anon.get("/v1/jobs", headers={"X-API-Key": "not-a-key-0123456789"}), 401)
        _is_problem(anon.get("/metrics"), 401)
        bearer = anon.get("/v1/jobs", headers={"Authorization": f"Bearer {READ_KEY}"})
        assert bearer.status_code == 200
        # Health, the UI and the docs load without a key; the UI asks for one when the API says 401.
        assert anon.get("/healthz").status_code == 200 and anon.get("/readyz").status_code == 200
        assert anon.get("/").status_code == 200 and anon.get("/docs").status_code == 200
    with api_server.client(READ_KEY) as reader:
        body = _is_problem(
            reader.post("/v1/kb/import", files={"file": ("x.jsonl", b"{}")}, data={"format": "jsonl"}), 403
        )
        assert "admin" in body["detail"]


def test_keys_from_the_environment_and_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSPIN_API_KEYS", "env-read-key-0123456789, env-read-key-abcdefghij")
    monkeypatch.setenv("UNSPIN_ADMIN_KEYS", "env-admin-key-0123456789")
    keys = tmp_path / "keys.txt"
    keys.write_text("# newsroom keys\nfile-read-key-0123456789\nadmin:file-admin-key-0123456789\n")
    read, admin = load_keys(keys)
    assert read == ("env-read-key-0123456789", "env-read-key-abcdefghij", "file-read-key-0123456789")
    assert admin == ("env-admin-key-0123456789", "file-admin-key-0123456789")
    keys.write_text("short\n")
    with pytest.raises(UnspinError, match="shorter than 16"):
        load_keys(keys)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "192.168.0.10", "news.example"])
def test_no_binding_beyond_loopback_without_keys(host: str) -> None:
    with pytest.raises(UnspinError, match="refusing to listen beyond loopback"):
        check_bind(Settings(host=host))
    check_bind(Settings(host=host, read_keys=("k" * 20,)))  # with keys it may
    for loopback in ("127.0.0.1", "::1", "localhost"):
        check_bind(Settings(host=loopback))


def test_serve_refuses_a_public_address_without_keys(tmp_path: Path) -> None:
    env = {
        k: v for k, v in __import__("os").environ.items() if k not in ("UNSPIN_API_KEYS", "UNSPIN_ADMIN_KEYS")
    }
    port = free_port()
    proc = subprocess.run(
        [sys.executable, "-m", "unspin.cli", "serve", "--host", "0.0.0.0", "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "refusing to listen beyond loopback without API keys" in proc.stderr
    assert "Traceback" not in proc.stderr


# Limits ---------------------------------------------------------------------------------------------------


def test_oversized_bodies_are_413(api_server: Server) -> None:
    big = "word " * 450_000  # 2.25 MB, over the 2 MB default
    with api_server.client() as c:
        _is_problem(c.post("/v1/analyze", json={"text": big}), 413)

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts the streamed bytes
            yield b'{"text": "'
            for _ in range(30):
                yield b"x" * 100_000
            yield b'"}'

        _is_problem(
            c.post("/v1/analyze", content=chunks(), headers={"Content-Type": "application/json"}), 413
        )


def test_rate_limit_is_429_with_retry_after(api_server: Server) -> None:
    with api_server.client(RATE_KEY) as c:
        codes = [c.get("/v1/reports/none").status_code for _ in range(RATE_LIMIT + 5)]
        last = c.get("/v1/reports/none")
    assert codes.count(404) >= RATE_LIMIT - 5 and 429 in codes
    body = _is_problem(last, 429)
    assert int(last.headers["retry-after"]) >= 1 and str(RATE_LIMIT) in body["detail"]
    with api_server.client(READ_KEY) as other:  # the limit is per key
        assert other.get("/v1/reports/none").status_code == 404


def test_a_full_queue_is_503_with_retry_after(api_server: Server) -> None:
    text = EXAMPLE.read_text(encoding="utf-8") * 3
    with api_server.client() as c, ThreadPoolExecutor(QUEUE_SIZE + 4) as pool:
        answers = list(pool.map(lambda _: c.post("/v1/analyze", json={"text": text}), range(QUEUE_SIZE + 4)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(200) >= 1 and 503 in codes, codes
    busy = next(a for a in answers if a.status_code == 503)
    assert _is_problem(busy, 503)["title"] == "Server busy" and int(busy.headers["retry-after"]) >= 1


def test_errors_are_problem_details(api_server: Server) -> None:
    with api_server.client() as c:
        _is_problem(c.get("/v1/nothing-here"), 404)
        _is_problem(c.get("/v1/jobs/unknown-job"), 404)
        invalid = _is_problem(c.post("/v1/analyze", json={"title": "no text"}), 422)
        assert "text" in invalid["detail"] or "html" in invalid["detail"]
        _is_problem(c.post("/v1/analyze", json={"text": "Some text.", "lang": "../en"}), 422)
        schema = _is_problem(c.post("/v1/stance", json={"headline": 3}), 422)
        assert schema["errors"] and "body.body" in {e["loc"] for e in schema["errors"]}
        _is_problem(
            c.post("/v1/analyze", content=b"{not json", headers={"Content-Type": "application/json"}), 422
        )
        _is_problem(c.post("/v1/jobs", content=b"[{", headers={"Content-Type": "application/json"}), 422)


def test_cors_is_off_by_default(api_server: Server) -> None:
    with api_server.client() as c:
        preflight = c.options(
            "/v1/analyze",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        get = c.get("/v1/jobs", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in get.headers


# SSRF: real traffic, loopback only --------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str]
    redirect_to: str | None = None

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.redirect_to)
            self.end_headers()
            return
        body = (FIXTURES / "article.html").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _recording_server(host: str, redirect_to: str | None = None) -> tuple[http.server.HTTPServer, list[str]]:
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits, "redirect_to": redirect_to})
    try:
        server = http.server.ThreadingHTTPServer((host, 0), handler)
    except OSError as exc:
        pytest.skip(f"cannot listen on {host} ({exc})")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hits


@pytest.fixture
def loopback_page() -> Iterator[tuple[int, list[str]]]:
    server, hits = _recording_server("127.0.0.1")
    yield server.server_address[1], hits
    server.shutdown()


def test_loopback_urls_are_refused_before_any_connection(
    api_server: Server, loopback_page: tuple[int, list[str]]
) -> None:
    port, hits = loopback_page
    urls = [
        f"http://127.0.0.1:{port}/a",
        f"http://localhost:{port}/a",  # a name that resolves to loopback
        f"http://127.1:{port}/a",
        f"http://2130706433:{port}/a",
        f"http://0x7f000001:{port}/a",
        f"http://[::1]:{port}/a",
        f"http://[::ffff:127.0.0.1]:{port}/a",
        f"http://0.0.0.0:{port}/a",
    ]
    with api_server.client() as c:
        for url in urls:
            body = _is_problem(c.post("/v1/analyze/url", json={"url": url}), 400)
            assert body["title"] == "URL refused", url
        for url in (f"file://{EXAMPLE}", f"ftp://127.0.0.1:{port}/a", f"http://user:pw@127.0.0.1:{port}/a"):
            _is_problem(c.post("/v1/analyze/url", json={"url": url}), 400)
    assert hits == []


def test_a_redirect_to_loopback_is_refused_before_it_is_followed(api_server: Server) -> None:
    target, target_hits = _recording_server("127.0.0.1")
    start, start_hits = _recording_server(
        LOOPBACK_ALLOWED, redirect_to=f"http://127.0.0.1:{target.server_address[1]}/"
    )
    try:
        with api_server.client() as c:
            body = _is_problem(
                c.post(
                    "/v1/analyze/url", json={"url": f"http://{LOOPBACK_ALLOWED}:{start.server_address[1]}/"}
                ),
                400,
            )
    finally:
        start.shutdown()
        target.shutdown()
    assert "loopback" in body["detail"]
    assert start_hits == ["/"] and target_hits == []


def test_an_allow_listed_address_is_fetched_and_analysed(api_server: Server) -> None:
    server, hits = _recording_server(LOOPBACK_ALLOWED)
    try:
        with api_server.client() as c:
            resp = c.post(
                "/v1/analyze/url", json={"url": f"http://{LOOPBACK_ALLOWED}:{server.server_address[1]}/x"}
            )
    finally:
        server.shutdown()
    assert resp.status_code == 200, resp.text
    assert resp.json()["article"]["source_kind"] == "url" and resp.json()["body"] and hits == ["/x"]


# SSRF: private ranges through the address check and a stubbed resolver; no traffic --------------------------


PRIVATE = [
    "10.0.0.1",
    "10.255.255.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "169.254.0.1",
    "100.100.100.200",  # Alibaba metadata
    "100.64.0.1",
    "fc00::1",
    "fd12:3456::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "fe80::1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "224.0.0.1",
    "ff02::1",
    "0.0.0.0",
    "127.0.0.1",
    "::1",
]


@pytest.mark.parametrize("address", PRIVATE)
def test_the_address_check_refuses_internal_ranges(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_the_address_check_lets_public_addresses_through(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None


def _no_connection(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"a connection was attempted to {request.url}")


@pytest.mark.parametrize("address", PRIVATE)
def test_names_resolving_to_internal_ranges_are_refused_without_a_connection(address: str) -> None:
    fetcher = SafeFetcher(
        resolver=lambda host, port: [address], transport=httpx.MockTransport(_no_connection)
    )
    with pytest.raises(FetchRefused, match="refusing to fetch"):
        fetcher.fetch("http://intranet.example/page")


def test_one_internal_address_among_several_is_enough_to_refuse() -> None:
    fetcher = SafeFetcher(
        resolver=lambda host, port: ["93.184.216.34", "10.0.0.7"],
        transport=httpx.MockTransport(_no_connection),
    )
    with pytest.raises(FetchRefused, match="private"):
        fetcher.fetch("https://news.example/")


def test_redirects_are_checked_hop_by_hop_without_traffic() -> None:
    seen: list[str] = []

    def transport(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.host == "news.example":  # the public first hop, answered by the stub
            return httpx.Response(302, headers={"Location": "http://metadata.internal.example/latest/"})
        pytest.fail(f"a connection was attempted to {request.url}")

    addresses = {"news.example": ["93.184.216.34"], "metadata.internal.example": ["169.254.169.254"]}
    fetcher = SafeFetcher(
        resolver=lambda host, port: addresses[host], transport=httpx.MockTransport(transport)
    )
    with pytest.raises(FetchRefused, match=r"169\.254\.169\.254"):
        fetcher.fetch("http://news.example/story")
    assert seen == ["http://news.example/story"]


def test_metadata_names_allow_list_and_schemes_are_refused_before_resolving() -> None:
    def resolver(host: str, port: int) -> list[str]:
        pytest.fail(f"{host} was resolved")

    fetcher = SafeFetcher(resolver=resolver, transport=httpx.MockTransport(_no_connection))
    for url in (
        "http://metadata.google.internal/computeMetadata/v1/",
        "gopher://news.example/",
        "file:///etc/passwd",
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    only = SafeFetcher(
        allow_hosts=["news.example"], resolver=resolver, transport=httpx.MockTransport(_no_connection)
    )
    with pytest.raises(FetchRefused, match="allow-list"):
        only.fetch("https://other.example/story")


def test_page_size_is_capped() -> None:
    def transport(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<p>" + b"x" * 5000)

    fetcher = SafeFetcher(
        resolver=lambda host, port: ["93.184.216.34"],
        transport=httpx.MockTransport(transport),
        max_bytes=1000,
    )
    with pytest.raises(FetchRefused, match="larger than"):
        fetcher.fetch("https://news.example/big")


# XSS: article strings stay text in every response the UI renders ---------------------------------------------


def test_xss_payloads_stay_inert_in_reports_jobs_and_kb(api_server: Server) -> None:
    text = f"{XSS} The minister said on Monday that the talks would go on. {XSS}"
    with api_server.client() as c:
        resp = c.post("/v1/analyze", json={"title": XSS, "text": text, "url": f"https://x.example/{XSS}"})
        assert resp.status_code == 200
        report = resp.json()
        assert report["title"] == XSS and report["article"]["url"].endswith(XSS)  # data, returned as data
        page = c.get(f"/v1/reports/{resp.headers['x-report-id']}/html").text
        assert "<script>window.__xss" not in page and "<img src=x" not in page
        assert "&lt;img src=x onerror=" in page
        job = c.post("/v1/jobs", json=[{"id": XSS, "title": XSS, "text": text}]).json()
        status = c.get(f"/v1/jobs/{job['id']}")
        assert (
            status.headers["content-type"] == "application/json" and status.json()["items"][0]["title"] == XSS
        )
    line = f'{{"id": "xss-1", "claim": "{XSS.replace(chr(34), chr(39))} talks", "verdict": "false"}}\n'
    with api_server.client(ADMIN_KEY) as admin:
        assert (
            admin.post(
                "/v1/kb/import", files={"file": ("x.jsonl", line.encode())}, data={"format": "jsonl"}
            ).status_code
            == 200
        )
    with api_server.client() as c:
        hits = c.get("/v1/kb/search", params={"q": "onerror talks"})
    assert hits.headers["content-type"] == "application/json"
    assert any("<img src=x" in h["claim"] for h in hits.json())


def test_serve_names_an_unusable_store_in_one_line(tmp_path: Path) -> None:
    not_a_db = tmp_path / "store.sqlite"
    not_a_db.write_text("not a database")
    proc = subprocess.run(
        [sys.executable, "-m", "unspin.cli", "serve", "--db", str(not_a_db), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{not_a_db}: cannot open the server's store (file is not a database)" in proc.stderr
