"""report.html: self-contained, escaped, and its theme filter works in a real browser."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli.main import main
from pipeline.views import figures
from pipeline.views.heat_table import heat_table_html, shade
from pipeline.views.outputs import Outputs, load_outputs
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


def test_heat_table_is_the_heatmap_s_counts_one_municipality_a_row(tmp_path):
    items = pd.DataFrame(
        {"item_id": ["a", "b", "c", "d"], "municipality": ["X<町>", "X<町>", "Y村", "Y村"],
         "block": ["課題意識", "課題意識", "課題意識", "到達点"],
         "themes": ["collaboration;sc_development", "collaboration", "sc_development",
                    "collaboration"]}
    )  # fmt: skip
    labels = {"sc_development": "SCの育成", "collaboration": "関係機関の連携"}
    counts = figures.heatmap_counts(items, labels, "課題意識")
    page = heat_table_html(counts, labels, "課題意識")
    rows = pd.read_html(io.StringIO(page))[0]
    assert list(rows.columns) == ["市町村", "SCの育成", "関係機関の連携", "計"]
    assert rows.values.tolist() == [["X<町>", 1, 2, 3], ["Y村", 1, 0, 1]]  # 到達点 not counted
    assert "X&lt;町&gt;" in page
    # the darkest cell is the largest count; an empty cell is not shaded
    assert shade(2, 2).endswith("color:#fff") and shade(0, 2) == "" and shade(1, 2) < shade(2, 2)


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


def _heat_state(browser) -> dict:
    return browser.execute_script(
        """
        const table = document.getElementById('heat-table');
        const box = table.parentElement;
        const cell = table.tBodies[0].rows[0].cells[1];
        return {
          rows: Array.from(table.tBodies[0].rows).map(r =>
            Array.from(r.cells).map((c, i) => i ? Number(c.dataset.value) : c.textContent)),
          head: Array.from(table.tHead.rows[0].cells).map(c => c.textContent.replace(/ [▲▼]$/, '')),
          font: parseFloat(getComputedStyle(cell).fontSize),
          tableWidth: table.offsetWidth,
          scrolls: box.scrollWidth > box.clientWidth,
        };
        """
    )


@pytest.mark.browser
def test_heat_table_is_readable_at_any_width_and_sorts_by_a_column(
    report_path, sample_run, browser
):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 1600)
    browser.get(report_path.resolve().as_uri())
    wide = _heat_state(browser)
    # The cells hold the counts of items.csv, one municipality a row.
    outputs = load_outputs(sample_run.out_dir)
    counts = figures.heatmap_counts(outputs.items, outputs.labels(), "課題意識").T
    assert [row[0] for row in wide["rows"]] == list(counts.index)
    assert [row[1:-1] for row in wide["rows"]] == counts.to_numpy().tolist()
    assert [row[-1] for row in wide["rows"]] == counts.sum(axis=1).tolist()

    # Readable text that does not shrink with the window: a narrow window scrolls instead.
    assert wide["font"] >= 12
    browser.set_window_size(480, 900)
    narrow = _heat_state(browser)
    assert narrow["font"] == wide["font"] and narrow["tableWidth"] == wide["tableWidth"]
    assert narrow["scrolls"]
    browser.set_window_size(1280, 1600)

    # A theme's header sorts the municipalities by that theme, most first, then reversed.
    column = wide["head"].index(outputs.labels()["sc_development"])
    header = browser.find_elements(By.CSS_SELECTOR, "#heat-table thead th button")[column]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", header)
    header.click()
    values = [row[column] for row in _heat_state(browser)["rows"]]
    assert values == sorted(values, reverse=True) and values[0] > values[-1]
    header.click()
    values = [row[column] for row in _heat_state(browser)["rows"]]
    assert values == sorted(values)
    # the municipality column sorts by name; the total column by the row's sum
    browser.find_elements(By.CSS_SELECTOR, "#heat-table thead th button")[0].click()
    names = [row[0] for row in _heat_state(browser)["rows"]]
    assert names == browser.execute_script(
        "return arguments[0].slice().sort((a, b) => a.localeCompare(b, 'ja'));", names
    )
    browser.find_elements(By.CSS_SELECTOR, "#heat-table thead th button")[-1].click()
    totals = [row[-1] for row in _heat_state(browser)["rows"]]
    assert totals == sorted(totals, reverse=True)
    severe = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == [], severe
