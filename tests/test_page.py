"""The web page in a real browser: Debian's chromium and chromedriver, driven by Selenium,
against `qa serve` running as a real process over the indexed seeds.

Skipped when chromium is not installed, unless QA_REQUIRE_BROWSER=1 (``.ci/run`` installs
it and sets that, so CI never skips). QA_SCREENSHOTS_DIR=docs keeps the screenshots the
README shows."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import YANGQUAN, free_port

from qa.evaluation.bench import start_server, wait_ready

Q_EN = "How much did the defective rate of iron plates fall in Sanducun?"
Q_ZH = "三都村铁业生产合作社是怎样减少次品的？"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")

if not (CHROMIUM and CHROMEDRIVER) and os.environ.get("QA_REQUIRE_BROWSER") != "1":
    pytest.skip("chromium / chromium-driver not installed (apt)", allow_module_level=True)


@pytest.fixture(scope="module")
def base(seeded, model_cache):
    port = free_port()
    env = {**os.environ, "QA_MODEL_CACHE_DIR": str(model_cache)}
    proc = start_server(Path(seeded.settings.data_dir), port, env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, timeout=300)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)  # fmt: skip
    driver = webdriver.Chrome(options=options, service=DriverService(CHROMEDRIVER))
    driver.implicitly_wait(30)
    yield driver
    driver.quit()


def _shot(driver, name: str, tmp_path: Path) -> None:
    driver.save_screenshot(str(tmp_path / name))
    keep = os.environ.get("QA_SCREENSHOTS_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(keep) / name))


def test_an_english_question_in_the_url_shows_the_quote_and_its_citation(base, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(f"{base}/?q={quote(Q_EN)}")
    quote_ = browser.find_element(By.CSS_SELECTOR, ".answer .quote")
    assert "15% to 9%" in quote_.text and quote_.get_attribute("lang") == "en"
    assert browser.find_element(By.CSS_SELECTOR, ".answer .date").text == "1954-11-20"
    aligned = browser.find_element(By.CSS_SELECTOR, ".answer .aligned")
    assert aligned.get_attribute("lang") == "zh" and "百分之九" in aligned.text
    assert browser.find_elements(By.CSS_SELECTOR, "ol.passages li")
    _shot(browser, "page-ask.png", tmp_path)


def test_a_chinese_question_typed_and_entered_then_read_side_by_side(base, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{base}/")
    box = browser.find_element(By.ID, "q")
    box.send_keys(Q_ZH + Keys.ENTER)  # Enter submits; the URL then carries the question
    quote_ = browser.find_element(By.CSS_SELECTOR, ".answer .quote")
    assert "q=" in browser.current_url
    assert quote_.get_attribute("lang") == "zh"
    assert browser.find_element(By.CSS_SELECTOR, ".answer .date").text == "1954-11-20"
    said = quote_.text
    translation = browser.find_element(By.CSS_SELECTOR, ".answer .aligned").text

    browser.find_element(By.CSS_SELECTOR, ".answer .cite-link").click()
    assert f"/read/{YANGQUAN}" in browser.current_url
    zh = browser.find_element(By.CSS_SELECTOR, ".col-zh mark")
    en = browser.find_element(By.CSS_SELECTOR, ".col-en mark")
    assert zh.text == said  # the quote, at its exact offsets
    assert en.text and en.text in translation  # its aligned translation, other column
    assert zh.find_element(By.XPATH, "./ancestor::div[1]").get_attribute("lang") == "zh"
    assert "1954-11-20" in browser.find_element(By.CSS_SELECTOR, ".meta").text
    _shot(browser, "page-read.png", tmp_path)


def test_no_answer_says_why(base, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{base}/?q={quote('What wage did the Yangquan cooperatives pay per month?')}")
    assert browser.find_element(By.ID, "no-answer").is_displayed()
    assert "never mentions “wage”" in browser.find_element(By.ID, "no-answer-why").text
    assert not browser.find_elements(By.CSS_SELECTOR, ".answer")


def test_hostile_text_is_shown_as_text(base, browser):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    hostile = "<script>alert(1)</script>"
    browser.get(f"{base}/?q={quote(hostile)}")
    browser.find_element(By.CSS_SELECTOR, "#answers-h")  # the page rendered
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text
    assert browser.find_element(By.ID, "q").get_attribute("value") == hostile
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in browser.page_source


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (f"/?q={'x' * 2500}", "the limit is 2000"),
        ("/?q=", "question is empty"),
        ("/?q=defects&since=1954-13", "bad date"),
        ("/read/no-such-article", "no article 'no-such-article'"),
    ],
)
def test_bad_input_shows_a_clear_message_in_the_page(base, browser, path, message):
    from selenium.webdriver.common.by import By

    browser.get(base + path)
    assert message in browser.find_element(By.ID, "error").text


def test_browse_by_date_and_phone_width(base, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{base}/browse")
    dates = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child")]
    assert len(dates) == 5 and dates == sorted(dates)
    browser.set_window_size(390, 844)
    try:
        browser.get(f"{base}/?q={quote(Q_EN)}")
        browser.find_element(By.CSS_SELECTOR, ".answer .quote")
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0  # nothing runs off the side of a phone screen
    finally:
        browser.set_window_size(1280, 1000)
