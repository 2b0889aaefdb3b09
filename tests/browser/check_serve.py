#!/usr/bin/python3
"""Drives the what-if page (`talentcast serve`) in headless Chromium, as a planner would.

    check_serve.py TALENTCAST WORK_DIR

Starts `talentcast serve --port 0` (the flagship and its variants, 5,000 paths per what-if),
opens the printed address in Debian's Chromium through chromedriver (python3-selenium), and
checks, in the browser:
  - the page loads and answers the base with no change: every chart draws, the key-numbers
    table has a row per role and the total;
  - moving one lever (AI bachelor graduates grow 0.1 a year faster) redraws it: every AI role's
    median change in ratio in the table is positive and said in words, and the what-if's
    P(shortage) is no higher than the base's;
  - an invalid value (a key path set to a string) shows the validator's message beside it and
    leaves the table and the charts as they were;
  - the console has no errors or warnings (nor any request the server refused);
  - the TOML export downloads, `talentcast validate` accepts it, and `talentcast compare` of it
    gives the page's numbers exactly (every role's ratio and median-salary percentiles, every
    period);
  - the report export downloads and holds its provenance block.
Prints the time from the lever change to the charts redrawn at 1,000 and at 5,000 paths (and the
server's own time), as docs/performance.md reports them; saves WORK_DIR/serve-screenshot.png.
Exits 0 when all holds, 1 with the reasons otherwise, 77 (skipped) when Chromium, chromedriver or
python3-selenium is missing.
"""
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_report import headless_chromium, require_chromium  # noqa: E402

AI_ROLES = ("llm_algorithm", "algorithm_engineer", "machine_learning", "nlp",
            "computer_vision", "ai_infrastructure")


def fail(message):
    print(f"check_serve: {message}", file=sys.stderr)
    sys.exit(1)


def skip(missing):
    print(f"check_serve: skipped: {missing} is not installed (scripts/setup.sh --tests installs it)")
    sys.exit(77)


def start_server(talentcast):
    server = subprocess.Popen([talentcast, "serve", "--port", "0", "--paths", "5000"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    if "http://" not in line:
        server.kill()
        fail(f"serve printed no address: {line!r} {server.stderr.read()!r}")
    return server, "http://" + line.split("http://", 1)[1].split(" ", 1)[0]


def wait_for(driver, script, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    status = driver.execute_script("return document.getElementById('status').textContent")
    fail(f"{what} did not happen in {timeout} s; the page's status: {status!r}")


def wait_for_file(path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return
        time.sleep(0.1)
    fail(f"{path} was not downloaded in {timeout} s")


def answered(driver, count, timeout=120):
    wait_for(driver, f"return Number(document.body.dataset.answered || 0) >= {count}", timeout,
             f"answer {count}")


def set_value(driver, selector, value):
    driver.execute_script(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1];"
        "e.dispatchEvent(new Event('change'));", selector, str(value))


def table_rows(driver):
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('#key-numbers tr[data-role]')).map(tr => ({
          role: tr.dataset.role, cells: Array.from(tr.querySelectorAll('td')).map(td => td.textContent)}));""")


def check_against_compare(talentcast, base, whatif, result, problems):
    """The page's numbers are those of `talentcast compare` of the exported what-if."""
    text = subprocess.run([talentcast, "compare", base, whatif, "--paths", str(result["paths"]),
                           "--seed", str(result["seed"]), "-q", "-f", "csv"],
                          check=True, capture_output=True, text=True).stdout
    rows = {(r["role"], r["period"], r["metric"], r["quantity"]): r
            for r in csv.DictReader(io.StringIO(text))}
    periods = result["periods"]
    checked = 0
    for series in result["series"]:
        for metric in ("ratio", "salary_median"):
            for quantity, values in series.get(metric, {}).items():
                if quantity in ("up", "down"):  # shares of paths: the page's own, not compare's
                    continue
                for t, percentiles in enumerate(values):
                    row = rows[(series["name"], periods[t], metric, quantity)]
                    expected = [float(row[p]) for p in ("p05", "p10", "p25", "p50", "p75", "p90", "p95")]
                    checked += 1
                    if expected != percentiles:
                        problems.append(f"{series['name']} {periods[t]} {metric} {quantity}: page "
                                        f"{percentiles}, compare {expected}")
                        return checked
    return checked


def main():
    if len(sys.argv) != 3:
        fail(__doc__)
    talentcast, work = sys.argv[1:]
    webdriver = require_chromium(skip)
    shutil.rmtree(work, ignore_errors=True)
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)

    server, url = start_server(talentcast)
    driver = headless_chromium(webdriver, 1400)
    problems = []
    try:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": downloads})
        driver.get(url)
        answered(driver, 1)  # the base against itself
        rows = table_rows(driver)
        if len(rows) != 10:
            problems.append(f"expected 10 rows (9 roles and the total), found {len(rows)}")
        charts = driver.execute_script(
            "return Array.from(document.querySelectorAll('#charts svg')).map(s => "
            "s.querySelectorAll('polygon, polyline').length)")
        if len(charts) != 5 or min(charts) == 0:
            problems.append(f"expected 5 drawn charts, found {charts}")

        # More AI graduates: the AI bachelor field grows 0.1 a year faster.
        set_value(driver, '[data-lever="fields.ai_bachelor.growth"] input[type=number]', 0.1)
        answered(driver, 2)
        timings = driver.execute_script("return window.talentcastTimings")
        moved = timings[-2:]  # the first answer at 1,000 paths, then 5,000
        for row in table_rows(driver):
            if row["role"] not in AI_ROLES:
                continue
            change = row["cells"][3]
            if not change.startswith("+") or not re.search(r"(very )?likely higher \([<>]?\d+% of paths\)", change):
                problems.append(f"{row['role']}: expected a higher ratio, likely or very likely, "
                                f"found '{change}'")
            base_p, whatif_p = row["cells"][7].split(" → ")[0], row["cells"][7].split(" → ")[1].split("%")[0]
            if int(whatif_p) > int(base_p.rstrip("%")):
                problems.append(f"{row['role']}: P(shortage) rose with more graduates: {row['cells'][7]}")
        # The page as the planner sees it after the change: its first 1,300 px.
        driver.set_window_size(1400, 1300)
        driver.execute_script("window.scrollTo(0, 0)")
        screenshot = os.path.join(work, "serve-screenshot.png")
        if not driver.save_screenshot(screenshot):
            problems.append("the screenshot could not be saved")
        result = driver.execute_script("return window.talentcastState.result")
        result["periods"] = driver.execute_script("return window.talentcastState.info.periods")

        # The exports.
        driver.find_element("id", "export-toml").click()
        whatif = os.path.join(downloads, "whatif.toml")
        wait_for_file(whatif)
        subprocess.run([talentcast, "validate", whatif], check=True, stdout=subprocess.DEVNULL)
        base = open(whatif).read().split('extends = "', 1)[1].split('"', 1)[0]
        checked = check_against_compare(talentcast, base, whatif, result, problems)
        driver.find_element("id", "export-report").click()
        report = os.path.join(downloads, "whatif-report.html")
        wait_for_file(report)
        if "How to cite and reproduce" not in open(report, encoding="utf-8").read():
            problems.append("the report lacks its provenance block")

        # A bad value: its message beside it, the table and charts left as they were.
        shown = driver.execute_script(
            "return document.getElementById('key-numbers').textContent + "
            "document.getElementById('charts').innerHTML")
        driver.find_element("css selector", "#key-builder summary").click()
        set_value(driver, "#key-path", "roles.nlp.attrition")
        set_value(driver, "#key-value", '"high"')
        driver.find_element("id", "key-button").click()
        message = wait_for(driver, "const p = document.querySelector('#values li .problem');"
                                   "return p && !p.hidden && p.textContent", 30, "the message")
        if "roles.nlp.attrition" not in message or "expected" not in message:
            problems.append(f"the bad value's message says '{message}'")
        if shown != driver.execute_script(
                "return document.getElementById('key-numbers').textContent + "
                "document.getElementById('charts').innerHTML"):
            problems.append("a bad value changed the table or the charts")

        for entry in driver.get_log("browser"):
            if entry["level"] in ("SEVERE", "WARNING"):
                # The bad value's 422 answer is the page's own way of telling it.
                if "422" in entry["message"] and "/api/compare" in entry["message"]:
                    continue
                problems.append(f"console: {entry['level']} {entry['message']}")
    finally:
        driver.quit()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            problems.append("serve did not stop on Ctrl-C within 30 s")
    if server.returncode not in (0, None):
        problems.append(f"serve exited {server.returncode} on Ctrl-C")
    if problems:
        fail("\n  ".join(["the what-if page did not work as it should:"] + problems))
    quick, full = moved[0], moved[-1]
    print(f"check_serve: timings {json.dumps(moved)}")
    print(f"check_serve: lever change to charts redrawn: {quick['ms']:.0f} ms at {quick['paths']} "
          f"paths, {full['ms']:.0f} ms at {full['paths']} paths (server {full['server_seconds']:.3f} "
          f"s); {checked} percentile rows equal `talentcast compare`'s; screenshot {screenshot}")


if __name__ == "__main__":
    main()
