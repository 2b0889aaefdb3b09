#!/usr/bin/python3
"""Opens a talentcast report in headless Chromium and checks that it rendered.

    check_report.py TALENTCAST SCENARIO WORK_DIR

Runs the scenario (2,000 paths), writes its report, and compares it with its graduate-expansion
what-if (`compare --report`, 1,000 paths); opens both pages in Debian's Chromium through
chromedriver (python3-selenium), and checks, in the browser:
  - every chart's <svg> is in the page, laid out with a non-empty size, and draws something
    (its drawn elements have a non-empty bounding box);
  - the provenance block and the key-numbers table are there;
  - the console has no errors (nor any request for something outside the file);
then saves a screenshot of the whole page as WORK_DIR/report-screenshot.png.
Exits 0 when all holds, 1 with the reasons otherwise, 77 (skipped, tests/CMakeLists.txt) when
Chromium, chromedriver or python3-selenium is not installed.
"""
import os
import shutil
import socket
import subprocess
import sys
import time


def fail(message):
    print(f"check_report: {message}", file=sys.stderr)
    sys.exit(1)


def skip(missing):
    print(f"check_report: skipped: {missing} is not installed (scripts/setup.sh --tests installs it)")
    sys.exit(77)


def start_chromium(webdriver, options):
    """chromedriver on a port of 127.0.0.1, and a session of Chromium through it, which talks to
    chromedriver on a pipe: by default both connect to "localhost" (selenium's Service to
    chromedriver, chromedriver to Chromium's DevTools), which a container without /etc/hosts
    cannot resolve."""
    from selenium.webdriver.support.wait import WebDriverWait

    options.add_argument("--remote-debugging-pipe")

    class LoadingDriver(webdriver.Remote):
        def get(self, url):
            """Opens url and waits until it has loaded: chromedriver sometimes returns while a
            large page is still loading (seen on a loaded machine, with a port or a pipe)."""
            super().get(url)
            loaded = lambda driver: driver.execute_script("return document.readyState") == "complete"
            WebDriverWait(self, 60).until(loaded, f"{url} did not finish loading in 60 s")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    chromedriver = subprocess.Popen([shutil.which("chromedriver"), f"--port={port}"],
                                    stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):
            if chromedriver.poll() is not None:
                fail(f"chromedriver exited with status {chromedriver.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            fail(f"chromedriver did not listen on 127.0.0.1:{port} within 30 s")
        return chromedriver, LoadingDriver(f"http://127.0.0.1:{port}", options=options)
    except BaseException:
        chromedriver.kill()
        raise


def main():
    if len(sys.argv) != 4:
        fail(__doc__)
    talentcast, scenario, work = sys.argv[1:]
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            skip(program)
    try:
        from selenium import webdriver
    except ImportError:
        skip("python3-selenium")

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

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chromedriver, driver = start_chromium(webdriver, options)
    problems = []
    try:
        counted = {}
        for page in (compare, report):  # the report last: its screenshot is kept
            driver.get("file://" + page)
            name = os.path.basename(page)
            charts = driver.execute_script("""
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
                  return {id: figure.id, svg: true, width: box.width, height: box.height, drawn};
                });""")
            counted[name] = len(charts)
            if len(charts) == 0:
                problems.append(f"{name}: no charts")
            for chart in charts:
                if not chart["svg"]:
                    problems.append(f"{name}: {chart['id']}: no <svg>")
                elif chart["width"] <= 0 or chart["height"] <= 0:
                    problems.append(f"{name}: {chart['id']}: laid out {chart['width']} x {chart['height']}")
                elif chart["drawn"] < 5:
                    problems.append(f"{name}: {chart['id']}: draws only {chart['drawn']} elements")
            text = driver.find_element("tag name", "body").text
            for needed in ("How to cite and reproduce", "Key numbers", "results digest"):
                if needed not in text:
                    problems.append(f"{name}: the page lacks '{needed}'")
            for entry in driver.get_log("browser"):
                if entry["level"] in ("SEVERE", "WARNING"):
                    problems.append(f"{name}: console: {entry['level']} {entry['message']}")
        # The whole page: as tall as its content.
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(int(height) + 100, 30000))
        screenshot = os.path.join(work, "report-screenshot.png")
        if not driver.save_screenshot(screenshot):
            problems.append("the screenshot could not be saved")
    finally:
        driver.quit()
        chromedriver.terminate()
        chromedriver.wait()
    if problems:
        fail("\n  ".join(["the report did not render as it should:"] + problems))
    print(f"check_report: charts rendered in Chromium: {counted}; screenshot {screenshot}")


if __name__ == "__main__":
    main()
