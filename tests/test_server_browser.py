"""The web UI in real headless Chromium (Debian chromium + chromium-driver, driven by Selenium).

Screenshots go to build/test-artifacts/. Without Chromium and its driver the tests are skipped; .ci/run
installs both.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EXAMPLE, FIXTURES
from serverkit import ADMIN_KEY, ARTIFACTS, READ_KEY, Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="headless Chromium and chromium-driver are not installed (.ci/run installs them)",
)
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
NO_XSS = "return window.__xss === undefined && !document.querySelector('img[src=x]')"

if CHROMIUM and DRIVER:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _open(browser: WebDriver, server: Server, page: str = "analyze", key: str = READ_KEY) -> None:
    browser.get(f"{server.url}/#{page}")
    field = browser.find_element(By.ID, "api-key")
    field.clear()
    field.send_keys(key)
    browser.find_element(By.CSS_SELECTOR, "#key-form button").click()


def _wait(browser: WebDriver, seconds: float = 600) -> WebDriverWait:
    return WebDriverWait(browser, seconds, poll_frequency=0.5)


def test_paste_the_example_and_read_the_report(browser: WebDriver, api_server: Server) -> None:
    _open(browser, api_server)
    text = browser.find_element(By.ID, "a-text")
    text.send_keys(EXAMPLE.read_text(encoding="utf-8"))
    browser.find_element(By.ID, "a-submit").click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "a-status"), "Done."))
    verdict = browser.find_element(By.ID, "summary-verdict")
    assert verdict.text.startswith("Headline not supported by the body")
    browser.execute_script("document.getElementById('summary').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / "ui-analyze.png"))
    browser.switch_to.frame(browser.find_element(By.ID, "report-frame"))
    try:
        _wait(browser, 30).until(ec.presence_of_element_located((By.ID, "headline-verdict")))
        assert "Headline not supported by the body" in browser.find_element(By.ID, "headline-verdict").text
        quotes = browser.find_elements(By.CSS_SELECTOR, "#article-body .hl.k-quote")
        assert quotes, "a highlighted quote"
        browser.execute_script("arguments[0].scrollIntoView()", quotes[0])
        quotes[0].click()  # the report's own script runs in the sandboxed frame (its CSP hash is allowed)
        detail = browser.find_element(By.ID, "detail-list")
        assert "quote" in detail.text.lower()
    finally:
        browser.switch_to.default_content()
    browser.save_screenshot(str(ARTIFACTS / "ui-analyze-detail.png"))


def test_compare_two_pasted_texts_and_see_the_change(browser: WebDriver, api_server: Server) -> None:
    _open(browser, api_server, "compare")
    article = (FIXTURES / "compare" / "article_en.txt").read_text(encoding="utf-8").split("\n\n", 1)
    source = (FIXTURES / "compare" / "source_en.txt").read_text(encoding="utf-8").split("\n\n", 1)
    browser.find_element(By.ID, "c-a-title").send_keys(article[0])
    browser.find_element(By.ID, "c-a-text").send_keys(article[1])
    browser.find_element(By.ID, "c-s-title").send_keys(source[0])
    browser.find_element(By.ID, "c-s-text").send_keys(source[1])
    browser.find_element(By.ID, "c-submit").click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "c-status"), "Done."))
    assert "not supported by the source" in browser.find_element(By.ID, "c-verdict").text
    browser.switch_to.frame(browser.find_element(By.ID, "compare-frame"))
    try:
        _wait(browser, 30).until(ec.presence_of_element_located((By.ID, "source-side")))
        changed = browser.find_elements(By.CSS_SELECTOR, "#article-side .chg")
        assert changed, "a highlighted change in the article"
        assert any("500,000" in el.text for el in changed)
        assert browser.find_elements(By.CSS_SELECTOR, "#source-side .cut"), "the cut words struck through"
        unit = browser.find_element(By.CSS_SELECTOR, "#article-side .u-changed")
        browser.execute_script("arguments[0].scrollIntoView()", unit)
        ActionChains(browser).move_to_element(unit).perform()  # its counterpart in the source lights up
        _wait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#source-side .lit"))
    finally:
        browser.switch_to.default_content()
    browser.execute_script("document.getElementById('c-summary').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / "ui-compare.png"))


def test_upload_a_corpus_and_watch_the_job_finish(
    browser: WebDriver, api_server: Server, downloads: Path
) -> None:
    _open(browser, api_server, "jobs")
    browser.find_element(By.ID, "j-file").send_keys(str(FIXTURES / "corpus-20.jsonl"))
    browser.find_element(By.ID, "j-submit").click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "j-status"), "finished"))
    assert "20 of 20 articles (20 done, 0 failed)" in browser.find_element(By.ID, "j-counts").text
    rows = browser.find_elements(By.CSS_SELECTOR, "#j-items tbody tr")
    assert len(rows) == 20 and "Shocking betrayal" in rows[2].text
    browser.save_screenshot(str(ARTIFACTS / "ui-job.png"))
    browser.find_element(By.ID, "j-jsonl").click()
    deadline = time.monotonic() + 30
    while not list(downloads.glob("*.jsonl")) and time.monotonic() < deadline:
        time.sleep(0.2)
    (jsonl,) = downloads.glob("*.jsonl")
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert [r["article_id"] for r in lines] == [f"c{n:02d}" for n in range(1, 21)]
    rows[2].find_element(By.TAG_NAME, "button").click()  # open that article's report
    _wait(browser, 60).until(ec.text_to_be_present_in_element((By.ID, "a-status"), "Report "))
    assert not browser.find_element(By.ID, "report-frame").get_attribute("hidden")


def test_the_ui_asks_for_a_key_when_the_server_needs_one(browser: WebDriver, api_server: Server) -> None:
    browser.get(f"{api_server.url}/#jobs")
    browser.execute_script("sessionStorage.clear()")
    browser.get(f"{api_server.url}/#kb")
    browser.refresh()
    _wait(browser, 30).until(ec.text_to_be_present_in_element((By.ID, "key-status"), "needs an API key"))


def test_article_and_kb_strings_never_become_markup(browser: WebDriver, api_server: Server) -> None:
    _open(browser, api_server, "kb", key=ADMIN_KEY)
    line = json.dumps(
        {"id": "xss-ui", "claim": f"{XSS} pipeline claim", "verdict": "false", "explanation": XSS}
    )
    kb_file = ARTIFACTS / "xss-kb.jsonl"
    kb_file.write_text(line + "\n", encoding="utf-8")
    browser.find_element(By.ID, "kb-file").send_keys(str(kb_file))
    Select(browser.find_element(By.ID, "kb-format")).select_by_visible_text("jsonl")
    browser.find_element(By.CSS_SELECTOR, "#kb-import button").click()
    _wait(browser, 60).until(ec.text_to_be_present_in_element((By.ID, "kb-status"), "Imported"))
    browser.find_element(By.ID, "kb-q").send_keys("pipeline claim")
    browser.find_element(By.CSS_SELECTOR, "#kb-form button").click()
    _wait(browser, 60).until(ec.text_to_be_present_in_element((By.ID, "kb-results"), "pipeline claim"))
    assert XSS in browser.find_element(By.ID, "kb-results").text  # shown as text

    browser.get(f"{api_server.url}/#analyze")
    browser.find_element(By.ID, "a-title").send_keys(XSS)
    browser.find_element(By.ID, "a-text").send_keys(f"{XSS} The minister said the talks would go on.")
    browser.find_element(By.ID, "a-submit").click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "a-status"), "Done."))
    assert XSS in browser.find_element(By.ID, "summary-counts").text
    browser.switch_to.frame(browser.find_element(By.ID, "report-frame"))
    try:
        assert XSS in browser.find_element(By.ID, "article-title").text
        assert browser.execute_script(NO_XSS)
    finally:
        browser.switch_to.default_content()
    assert browser.execute_script(NO_XSS)

    corpus = ARTIFACTS / "xss-corpus.jsonl"
    corpus.write_text(json.dumps({"id": XSS, "title": XSS, "text": "The talks would go on, he said."}) + "\n")
    browser.get(f"{api_server.url}/#jobs")
    browser.find_element(By.ID, "j-file").send_keys(str(corpus))
    browser.find_element(By.ID, "j-submit").click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "j-status"), "finished"))
    cells = browser.find_elements(By.CSS_SELECTOR, "#j-items tbody td")
    assert cells[1].text == XSS and cells[2].text == XSS  # the id and the title, as text
    assert browser.execute_script(NO_XSS)


def test_docs_render_offline_and_pages_fit_a_phone(browser: WebDriver, api_server: Server) -> None:
    browser.get(f"{api_server.url}/docs")
    _wait(browser, 60).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".swagger-ui .info"), "unspin")
    )
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(r.startswith(api_server.url) for r in resources), resources
    browser.set_window_size(390, 844)
    try:
        for page in ("analyze", "compare", "jobs", "kb"):
            _open(browser, api_server, page)
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"#{page} scrolls sideways on a phone ({overflow}px)"
        browser.save_screenshot(str(ARTIFACTS / "ui-phone.png"))
    finally:
        browser.set_window_size(1280, 900)
