#!/usr/bin/env python3
"""Derive the history files of data/history/ from the public series in data/.

Each history file holds one occupation group's annual observations in talentcast's history
format (docs/calibration.md#history-files): year, month (5: BLS's May estimates), employment,
median and the percentiles of the annual wage, graduates where a series exists, and the source
of each row. Run from the repository's root: python3 scripts/make_history.py
The files are committed; running the script again must leave them unchanged.
"""
import csv
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
OUT = DATA / "history"
# Graduates: US bachelor's degrees in computer sciences (NSF, from IPEDS), for the group they feed.
GRADUATES_FOR = {"15-0000"}


def main():
    graduates = {}
    with open(DATA / "us-cs-bachelors.csv", newline="") as f:
        for row in csv.DictReader(f):
            graduates[int(row["year"])] = row["cs_bachelors"]
    series = {}
    with open(DATA / "us-oews-history.csv", newline="") as f:
        for row in csv.DictReader(f):
            series.setdefault(row["soc_code"], []).append(row)
    OUT.mkdir(exist_ok=True)
    columns = ["year", "month", "employment", "median", "p10", "p25", "p75", "p90",
               "graduates", "source"]
    for code, rows in sorted(series.items()):
        path = OUT / f"us-{code}.csv"
        with open(path, "w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(columns)
            for row in sorted(rows, key=lambda r: int(r["year"])):
                year = int(row["year"])
                writer.writerow([
                    year, 5, row["employment"], row["median_annual"], row["p10"], row["p25"],
                    row["p75"], row["p90"],
                    graduates.get(year, "") if code in GRADUATES_FOR else "",
                    f"BLS OEWS May {year} national estimates, {code} {row['title']} "
                    f"({row['soc_version']}): {row['source_url']}",
                ])
        print(f"wrote {path.relative_to(ROOT)} ({len(rows)} years)")


if __name__ == "__main__":
    main()
