"""report.html: self-contained, escaped, and its theme filter works in a real browser."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli.main import main
from pipeline.views.outputs import Outputs
from pipeline.views.report import build_report

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
# As the machine notes say: headless, and no background traffic on a closed network.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1600",
)


@pytest.fixture(scope="module")
def report_path(sample_run) -> Path:
    assert main(["report", str(sample_run.out_dir)]) == 0
    return sample_run.out_dir / "report.html"


def _tiny_outputs(tmp_path: Path) -> Outputs:
    items = pd.DataFrame(
        {
            "item_id": ["i1", "i2"],
            "municipality": ["A<市>", "A<市>"],
            "block": ["課題意識", "到達点"],
            "page": ["1", "2"],
            "source": ["a&b.pdf", "a&b.pdf"],
            "level": ["1", "1"],
            "text": ['<script>alert("x")</script>', "SCと連携した"],
            "themes": ["collaboration", ""],
            "theme_evidence": ["collaboration: <連携>", ""],
            "lemmas": ["script alert", "SC 連携"],
        }
    )
    themes = pd.DataFrame({"theme": ["collaboration"], "label": ["関係機関の連携"]})
    docs = pd.DataFrame({"doc_id": ["d1"], "source": ["a&b.pdf"], "status": ["ok"], "error": [""]})
    return Outputs(tmp_path, docs, pd.DataFrame(), items, themes, {"warnings": ["<warn>"]})


def test_every_text_from_the_data_is_escaped(tmp_path):
    page = build_report(_tiny_outputs(tmp_path))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "A&lt;市&gt;" in page and "a&amp;b.pdf" in page and "&lt;warn&gt;" in page
    assert "根拠: 関係機関の連携: &lt;連携&gt;" in page


def test_a_count_is_read_with_its_blind_precision_and_recall(tmp_path):
    outputs = _tiny_outputs(tmp_path)
    outputs.themes = pd.DataFrame(
        {"municipality": ["A<市>"], "block": ["課題意識"], "theme": ["collaboration"],
         "label": ["関係機関の連携"], "items": ["12"], "blind_precision": ["0.75"],
         "blind_recall": ["0.5"]}
    )  # fmt: skip
    page = build_report(outputs)
    # 12 counted: about 12 × 0.75 = 9 right, about 9 / 0.5 = 18 in all
    assert "<td>12</td><td>0.75</td><td>0.50</td><td>約9</td><td>約18</td>" in page
    outputs.themes["blind_precision"] = ""
    assert "どこまで信じられるか" not in build_report(outputs)  # nothing measured: no table


def test_report_is_self_contained(report_path):
    page = report_path.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 2  # heatmap and themes by block
    # Nothing to fetch: no external src/href, and a policy that forbids fetching anyway.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "default-src 'none'" in page
    for municipality in ("青葉野町", "白石浜町"):
        assert municipality in page
    assert 'id="theme-filter"' in page and "到達点" in page


def _chromium_or_skip() -> None:
    """In CI a missing browser is a failure; on a developer's machine, a clear skip."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if not missing:
        return
    message = f"{', '.join(missing)} not found: install Debian's chromium and chromium-driver"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (.ci/run installs them)")
    pytest.skip(message)


def _font_config(tmp_path: Path) -> Path:
    """A fontconfig that adds matplotlib-fontja's IPAex font, so the screenshot shows Japanese
    even on a machine without a system Japanese font."""
    import matplotlib_fontja

    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{matplotlib_fontja.get_font_path()}</dir>"
        f"<cachedir>{tmp_path / 'fontcache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return conf


@pytest.fixture
def browser(tmp_path):
    _chromium_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    env = {**os.environ, "FONTCONFIG_FILE": str(_font_config(tmp_path))}
    service = Service(executable_path=CHROMEDRIVER, env=env)
    try:
        driver = webdriver.Chrome(options=options, service=service)
    except Exception as exc:  # a browser that won't start is a failure in CI too
        message = f"headless Chromium did not start: {type(exc).__name__}: {exc}".splitlines()[0]
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield driver
    driver.quit()


@pytest.mark.browser
def test_theme_filter_hides_other_items_in_chromium(report_path, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(report_path.resolve().as_uri())
    items = browser.find_elements(By.CSS_SELECTOR, "li.item")
    assert len(items) > 50 and all(li.is_displayed() for li in items[:5])

    theme = "care_management"
    Select(browser.find_element(By.ID, "theme-filter")).select_by_value(theme)
    states = browser.execute_script(
        "return Array.from(document.querySelectorAll('li.item')).map("
        "li => [li.dataset.themes.split(' ').includes(arguments[0]), li.offsetParent !== null]);",
        theme,
    )
    shown = [has for has, visible in states if visible]
    hidden = [has for has, visible in states if not visible]
    assert shown and all(shown)  # only items with the theme remain …
    assert hidden and not any(hidden)  # … and every item without it is hidden
    status = browser.find_element(By.ID, "filter-status").text
    assert status.startswith(f"{len(shown)} ")

    browser.save_screenshot(str(tmp_path / "report_filtered.png"))
    assert (tmp_path / "report_filtered.png").stat().st_size > 10_000

    # "すべて" shows everything again; clicking a tag filters by its theme.
    select = Select(browser.find_element(By.ID, "theme-filter"))
    select.select_by_value("")
    assert all(li.is_displayed() for li in browser.find_elements(By.CSS_SELECTOR, "li.item"))
    tag = browser.find_element(By.CSS_SELECTOR, "button.tag[data-theme='sc_development']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", tag)
    tag.click()
    assert select.first_selected_option.get_attribute("value") == "sc_development"

    severe = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == [], severe
