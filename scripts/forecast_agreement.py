#!/usr/bin/env python3
"""Do two forecast.csv files of the same scenario, seed and paths agree in distribution?

Used when a change of arithmetic changes the last bits of the outputs (docs/performance.md,
"Changelog of the arithmetic"): every output's mean must lie within its Monte Carlo standard
error of the other's, and every percentile within the percentile's standard error, estimated
from the percentiles themselves by the normal approximation of an order statistic:
se(q_p) ~ sqrt(p (1 - p) / n) / f(q_p), with the density f from the neighbouring percentiles.

    python3 scripts/forecast_agreement.py OLD/forecast.csv NEW/forecast.csv

Prints a summary and exits 1 if any output disagrees by more than its standard error.
"""
import csv
import math
import sys

PERCENTILES = [("p05", 0.05), ("p10", 0.10), ("p25", 0.25), ("p50", 0.50), ("p75", 0.75),
               ("p90", 0.90), ("p95", 0.95)]


def load(path):
    with open(path, newline="") as f:
        return {(r["role"], r["period"], r["metric"]): r for r in csv.DictReader(f)}


def percentile_se(row, i, n):
    """The standard error of percentile i, from the density between its neighbours."""
    lo = max(i - 1, 0)
    hi = min(i + 1, len(PERCENTILES) - 1)
    (lo_name, lo_p), (hi_name, hi_p) = PERCENTILES[lo], PERCENTILES[hi]
    spread = float(row[hi_name]) - float(row[lo_name])
    if spread <= 0:
        return 0.0  # a point mass: the percentile is exact
    density = (hi_p - lo_p) / spread
    p = PERCENTILES[i][1]
    return math.sqrt(p * (1 - p) / n) / density


def main(old_path, new_path):
    old, new = load(old_path), load(new_path)
    if old.keys() != new.keys():
        print("the files have different outputs")
        return 1
    identical_means = identical_percentiles = 0
    worst_mean = worst_percentile = 0.0
    disagree = []
    for key, a in old.items():
        b = new[key]
        mcse = float(a["mcse"])
        # forecast.csv has no count column: the paths are (sd / mcse)^2.
        paths = round((float(a["sd"]) / mcse) ** 2) if mcse > 0 else 0
        diff = abs(float(a["mean"]) - float(b["mean"]))
        identical_means += diff == 0
        if diff > 0:
            ratio = diff / mcse if mcse > 0 else math.inf
            worst_mean = max(worst_mean, ratio)
            if ratio > 1:
                disagree.append((key, "mean", ratio))
        for i, (name, _) in enumerate(PERCENTILES):
            d = abs(float(a[name]) - float(b[name]))
            identical_percentiles += d == 0
            if d > 0:
                se = percentile_se(a, i, paths) if paths else 0.0
                ratio = d / se if se > 0 else math.inf
                worst_percentile = max(worst_percentile, ratio)
                if ratio > 1:
                    disagree.append((key, name, ratio))
    outputs = len(old)
    print(f"outputs: {outputs}")
    print(f"means identical: {identical_means} of {outputs}; largest difference "
          f"{worst_mean:.3g} Monte Carlo standard errors")
    print(f"percentiles identical: {identical_percentiles} of {outputs * len(PERCENTILES)}; "
          f"largest difference {worst_percentile:.3g} standard errors")
    for key, what, ratio in disagree[:20]:
        print(f"disagrees: {','.join(key)} {what}: {ratio:.3g} standard errors")
    return 1 if disagree else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
