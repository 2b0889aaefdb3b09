#!/usr/bin/python3
"""Opens a talentcast report in headless Chromium and checks that it rendered, on screen and
printed.

    check_report.py TALENTCAST SCENARIO WORK_DIR

Runs the scenario (2,000 paths), writes its report, and compares it with its graduate-expansion
what-if (`compare --report`, 1,000 paths); opens both pages in Debian's Chromium through
chromedriver (python3-selenium), and checks, in the browser, first on a 1,400 px wide screen and
then as printed on A4 (print media, 703 px: 210 mm less two 12 mm margins, at 96 px an inch):
  - every chart's <svg> is in the page, laid out with a non-empty size, and draws something
    (its drawn elements have a non-empty bounding box);
  - chart text is readable: in every run of text (Cairo draws one <g> of glyphs per run), the
    tallest glyph is at least 7.5 px high (a digit or capital is 0.73 em in DejaVu Sans, so the
    text is at least about 10 px);
  - nothing overlaps or is clipped: no two runs of text in a chart overlap, every run lies inside
    its chart, no two figures overlap, and nothing is wider than the page;
  - printed, the assumptions (folded on screen) are visible;
  - the provenance block, the key-numbers table and the run's date are there; the flagship's
    salary numbers and salary charts (and the comparison's) are marked synthetic, its ratios
    are not;
  - the console has no errors (nor any request for something outside the file);
then saves a screenshot of the whole report as WORK_DIR/report-screenshot.png and the report
printed to PDF as WORK_DIR/report.pdf. Exits 0 when all holds, 1 with the reasons otherwise,
77 (skipped, tests/CMakeLists.txt) when Chromium, chromedriver or python3-selenium is missing.
"""
import base64
import os
import shutil
import subprocess
import sys

SCREEN_WIDTH = 1400
A4_PRINT_WIDTH = 703  # (210 - 2 x 12) mm at 96 px per inch
SMALLEST_GLYPH_PX = 7.5

# Per chart: its size, how much it draws, its runs of text (<g> elements whose children are all
# glyphs), the tallest glyph of each (a glyph's width when the run is rotated),
# and which runs overlap or leave the chart.
CHARTS_JS = """
return Array.from(document.querySelectorAll('figure.chart')).map(figure => {
  const svg = figure.querySelector('svg');
  if (!svg) return {id: figure.id, svg: false};
  const box = svg.getBoundingClientRect();
  let drawn = 0;
  for (const e of svg.querySelectorAll('path, use, rect')) {
    if (e.closest('defs, symbol')) continue;
    const b = e.getBBox();
    if (b.width > 0 || b.height > 0) drawn += 1;
  }
  const runs = [];
  for (const g of svg.querySelectorAll('g')) {
    const glyphs = Array.from(g.children);
    if (glyphs.length === 0 || !glyphs.every(k => k.tagName === 'use')) continue;
    const b = g.getBoundingClientRect();
    // Rotated text runs from bottom to top: its glyphs follow each other in y, not in x.
    const first = glyphs[0].getBoundingClientRect();
    const last = glyphs[glyphs.length - 1].getBoundingClientRect();
    const vertical = Math.abs(last.top - first.top) > Math.abs(last.left - first.left);
    let tallest = 0;
    for (const u of glyphs) {
      const r = u.getBoundingClientRect();
      tallest = Math.max(tallest, vertical ? r.width : r.height);
    }
    runs.push({left: b.left, top: b.top, right: b.right, bottom: b.bottom, tallest});
  }
  const problems = [];
  const smallest = Math.min(...runs.map(r => r.tallest));
  if (smallest < arguments[0]) {
    problems.push(`text too small: a run's tallest glyph is ${smallest.toFixed(1)} px`);
  }
  const slack = 0.5;
  for (let i = 0; i < runs.length; ++i) {
    const a = runs[i];
    if (a.left < box.left - slack || a.right > box.right + slack ||
        a.top < box.top - slack || a.bottom > box.bottom + slack) {
      problems.push(`text clipped: a run at (${a.left.toFixed(0)}, ${a.top.toFixed(0)}) ` +
                    `leaves the chart`);
    }
    for (let j = i + 1; j < runs.length; ++j) {
      const b = runs[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > slack && h > slack) {
        problems.push(`text overlaps: runs at (${a.left.toFixed(0)}, ${a.top.toFixed(0)}) and ` +
                      `(${b.left.toFixed(0)}, ${b.top.toFixed(0)})`);
      }
    }
  }
  return {id: figure.id, svg: true, width: box.width, height: box.height, drawn,
          runs: runs.length, problems};
});"""

# Page-level layout: anything wider than the page, figures that overlap each other.
LAYOUT_JS = """
const problems = [];
const page = document.documentElement;
if (page.scrollWidth > page.clientWidth + 1) {
  problems.push(`the page is ${page.scrollWidth} px wide in a ${page.clientWidth} px window`);
}
const body = document.body.getBoundingClientRect();
for (const e of document.querySelectorAll('table, pre, figure, h1, h2, h3, p, .banner')) {
  const b = e.getBoundingClientRect();
  if (b.right > body.right + 1 || e.scrollWidth > e.clientWidth + 1) {
    problems.push(`a <${e.tagName.toLowerCase()}> is clipped or wider than the page ` +
                  `(right edge ${b.right.toFixed(0)}, page ${body.right.toFixed(0)})`);
  }
}
const figures = Array.from(document.querySelectorAll('figure')).map(f => f.getBoundingClientRect());
for (let i = 0; i < figures.length; ++i) {
  for (let j = i + 1; j < figures.length; ++j) {
    const a = figures[i], b = figures[j];
    if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
        Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1) {
      problems.push(`figures ${i} and ${j} overlap`);
    }
  }
}
return problems;"""

# The assumptions' tables: how many there are, and how many are visible.
ASSUMPTIONS_JS = """
const tables = Array.from(document.querySelectorAll('details table'));
return [tables.length, tables.filter(t => t.checkVisibility()).length];"""

# The marks of synthetic data: in the key numbers, per column; in figure captions, per chart.
SYNTHETIC_JS = """
const rows = Array.from(document.querySelectorAll('table.key tr')).slice(1);
const marked = column => rows.filter(r => r.cells[column] &&
                                          r.cells[column].querySelector('.synthetic')).length;
const figures = {};
for (const f of document.querySelectorAll('figure.chart')) {
  figures[f.id] = f.querySelector('figcaption .synthetic') !== null;
}
return {rows: rows.length, ratio: marked(2), salary: marked(4),
        banner: document.querySelector('.banner#synthetic') !== null, figures};"""


def fail(message):
    print(f"check_report: {message}", file=sys.stderr)
    sys.exit(1)


def skip(missing):
    print(f"check_report: skipped: {missing} is not installed (scripts/setup.sh --tests installs it)")
    sys.exit(77)


def require_chromium(skip):
    """selenium's webdriver module; calls skip(what) when Chromium, chromedriver or
    python3-selenium is missing."""
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            skip(program)
    try:
        from selenium import webdriver
    except ImportError:
        skip("python3-selenium")
    return webdriver


def headless_chromium(webdriver, width):
    """Debian's Chromium, headless, width px wide, with its console kept for get_log."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", f"--window-size={width},1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return start_chromium(webdriver, options)


def start_chromium(webdriver, options):
    """Chromium through chromedriver, reached at 127.0.0.1 and over a pipe: by default both
    connections use "localhost" (selenium's to chromedriver, chromedriver's to Chromium's
    DevTools), which a container without /etc/hosts cannot resolve."""
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common import utils
    from selenium.webdriver.support.wait import WebDriverWait

    class LocalService(Service):
        @property
        def service_url(self):
            return f"http://127.0.0.1:{self.port}"

        def is_connectable(self):
            return utils.is_connectable(self.port, "127.0.0.1")

    class LoadingChrome(webdriver.Chrome):
        def get(self, url):
            """Opens url and waits until it has loaded: chromedriver sometimes returns while a
            large page is still loading (seen on a loaded machine, with a port or a pipe)."""
            super().get(url)
            loaded = lambda driver: driver.execute_script("return document.readyState") == "complete"
            WebDriverWait(self, 60).until(loaded, f"{url} did not finish loading in 60 s")

    options.add_argument("--remote-debugging-pipe")
    return LoadingChrome(service=LocalService(shutil.which("chromedriver")), options=options)


def check_charts(driver, name, where, problems):
    charts = driver.execute_script(CHARTS_JS, SMALLEST_GLYPH_PX)
    if len(charts) == 0:
        problems.append(f"{name} ({where}): no charts")
    for chart in charts:
        label = f"{name} ({where}): {chart['id']}"
        if not chart["svg"]:
            problems.append(f"{label}: no <svg>")
        elif chart["width"] <= 0 or chart["height"] <= 0:
            problems.append(f"{label}: laid out {chart['width']} x {chart['height']}")
        elif chart["drawn"] < 5:
            problems.append(f"{label}: draws only {chart['drawn']} elements")
        elif chart["runs"] < 3:
            problems.append(f"{label}: only {chart['runs']} runs of text")
        else:
            problems.extend(f"{label}: {p}" for p in chart["problems"])
    problems.extend(f"{name} ({where}): {p}" for p in driver.execute_script(LAYOUT_JS))
    return len(charts)


def check_synthetic_marks(driver, name, problems):
    marks = driver.execute_script(SYNTHETIC_JS)
    if not marks["banner"]:
        problems.append(f"{name}: no banner saying the salary data are synthetic")
    # Every role's median salary is marked (total has none); no ratio is.
    if marks["salary"] != marks["rows"] - 1 or marks["ratio"] != 0:
        problems.append(f"{name}: synthetic marks on {marks['salary']} of {marks['rows']} key "
                        f"salaries and on {marks['ratio']} ratios (expected {marks['rows'] - 1} "
                        "and 0)")
    for figure, marked in marks["figures"].items():
        salary = figure.endswith(("-salary", "-band", "-salary-ratio"))
        if marked != salary:
            problems.append(f"{name}: {figure} is {'' if marked else 'not '}marked synthetic")


def main():
    if len(sys.argv) != 4:
        fail(__doc__)
    talentcast, scenario, work = sys.argv[1:]
    webdriver = require_chromium(skip)

    # An earlier build's outputs would be refused by `run` and `report`, not replaced.
    for earlier in ("run", "compare"):
        shutil.rmtree(os.path.join(work, earlier), ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    run_dir = os.path.join(work, "run")
    subprocess.run([talentcast, "run", scenario, "--paths", "2000", "-q", "--out", run_dir],
                   check=True)
    subprocess.run([talentcast, "report", run_dir, "-q"], check=True)
    report = os.path.abspath(os.path.join(run_dir, "report.html"))
    # And the what-if comparison's report, on the scenario's graduate-expansion what-if.
    whatif = os.path.join(os.path.dirname(scenario), "china-ai-grad-expansion.toml")
    compare = os.path.abspath(os.path.join(work, "compare", "whatif.html"))
    subprocess.run([talentcast, "compare", scenario, whatif, "--paths", "1000", "-q",
                    "--report", compare], check=True, stdout=subprocess.DEVNULL)

    driver = headless_chromium(webdriver, SCREEN_WIDTH)
    problems = []
    screenshot = os.path.join(work, "report-screenshot.png")
    try:
        counted = {}
        for page in (compare, report):  # the report last: its screenshot is kept
            name = os.path.basename(page)
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
            driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": False})
            driver.get("file://" + page)
            counted[name] = check_charts(driver, name, f"{SCREEN_WIDTH} px screen", problems)
            text = driver.find_element("tag name", "body").text
            for needed in ("How to cite and reproduce", "Key numbers", "results digest", " UTC"):
                if needed not in text:
                    problems.append(f"{name}: the page lacks '{needed}'")
            check_synthetic_marks(driver, name, problems)
            if page == report:
                # The whole page, on screen: as tall as its content.
                height = driver.execute_script("return document.documentElement.scrollHeight")
                driver.set_window_size(SCREEN_WIDTH, min(int(height) + 100, 30000))
                if not driver.save_screenshot(screenshot):
                    problems.append("the screenshot could not be saved")
                driver.set_window_size(SCREEN_WIDTH, 1000)
            # Printed on A4.
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": A4_PRINT_WIDTH, "height": 1000,
                                    "deviceScaleFactor": 1, "mobile": False})
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
            driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})
            check_charts(driver, name, "printed on A4", problems)
            tables, visible = driver.execute_script(ASSUMPTIONS_JS)
            if visible != tables:
                problems.append(f"{name} (printed on A4): {tables - visible} of {tables} "
                                "assumption tables are hidden")
            if page == report:
                if tables == 0:
                    problems.append(f"{name}: no assumption tables")
                pdf = driver.execute_cdp_cmd("Page.printToPDF",
                                             {"paperWidth": 8.27, "paperHeight": 11.69,
                                              "preferCSSPageSize": True})
                with open(os.path.join(work, "report.pdf"), "wb") as out:
                    out.write(base64.b64decode(pdf["data"]))
            for entry in driver.get_log("browser"):
                if entry["level"] in ("SEVERE", "WARNING"):
                    problems.append(f"{name}: console: {entry['level']} {entry['message']}")
    finally:
        driver.quit()
    if problems:
        fail("\n  ".join(["the report did not render as it should:"] + problems))
    print(f"check_report: charts rendered in Chromium on screen and printed: {counted}; "
          f"screenshot {screenshot}")


if __name__ == "__main__":
    main()
