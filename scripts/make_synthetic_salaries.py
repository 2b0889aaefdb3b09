#!/usr/bin/env python3
"""Writes the flagship's SYNTHETIC salary sample and the example payroll (standard library only).

Neither file is real data. The salary sample is drawn so that each role's fitted median (the
geometric mean of its salaries) equals the flagship's calibrated market median, which comes from
the published figures in docs/sources.md (see scenarios/README.md), and so that its pooled
log-sd is near the flagship's band_sigma (0.36; 0.42 for LLM algorithm engineers). Within a role,
levels junior / mid / senior / lead take 30 / 40 / 22 / 8 % of the rows at 0.70 / 1.00 / 1.35 /
1.80 times the mid-level pay: assumptions, not published figures.

The example payroll is a fictional company, "Lanting AI", that pays a little below the market.

    python3 scripts/make_synthetic_salaries.py   # rewrites both files; the output is fixed by SEED
"""
import math
import random
from pathlib import Path

SEED = 20240103
ROOT = Path(__file__).resolve().parent.parent

# role: (market median in yuan a month, pooled log-sd, rows in the sample)
ROLES = {
    "llm_algorithm": (64000, 0.42, 150),
    "machine_learning": (48000, 0.36, 220),
    "algorithm_engineer": (50000, 0.36, 300),
    "nlp": (50000, 0.36, 160),
    "computer_vision": (42000, 0.36, 180),
    "recommendation_algorithm": (52000, 0.36, 220),
    "search_algorithm": (52000, 0.36, 140),
    "cloud_computing": (32000, 0.36, 400),
    "ai_infrastructure": (48000, 0.36, 160),
}
LEVELS = [("junior", 0.30, 0.70), ("mid", 0.40, 1.00), ("senior", 0.22, 1.35), ("lead", 0.08, 1.80)]


def level_rows(n):
    """Rows per level, by the shares above (largest remainders)."""
    raw = [share * n for _, share, _ in LEVELS]
    counts = [math.floor(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])[: n - sum(counts)]:
        counts[i] += 1
    return counts


def between_variance():
    logs = [math.log(m) for _, _, m in LEVELS]
    mean = sum(s * x for (_, s, _), x in zip(LEVELS, logs))
    return sum(s * (x - mean) ** 2 for (_, s, _), x in zip(LEVELS, logs))


def salary_sample(rng):
    rows = []
    for role, (median, sigma, n) in ROLES.items():
        within = math.sqrt(max(sigma**2 - between_variance(), 0.01))
        draws = []
        for (level, _, multiplier), count in zip(LEVELS, level_rows(n)):
            for _ in range(count):
                draws.append((level, math.log(multiplier) + rng.gauss(0.0, within)))
        # Scale so that the role's geometric mean is its market median.
        shift = math.log(median) - sum(x for _, x in draws) / len(draws)
        rows += [(role, level, round(math.exp(x + shift), -2)) for level, x in draws]
    rng.shuffle(rows)
    return rows


def payroll(rng):
    headcount = {"llm_algorithm": 60, "machine_learning": 50, "algorithm_engineer": 80, "nlp": 30,
                 "computer_vision": 30, "recommendation_algorithm": 40, "search_algorithm": 20,
                 "cloud_computing": 60, "ai_infrastructure": 30}
    rows = []
    for role, n in headcount.items():
        median = ROLES[role][0]
        for (level, _, multiplier), count in zip(LEVELS, level_rows(n)):
            for _ in range(count):
                # Pays 5% below the market level median on average, with a 0.20 log-sd.
                rows.append((role, level, round(median * multiplier *
                                                math.exp(rng.gauss(-0.05, 0.20)) / 500) * 500))
    rng.shuffle(rows)
    return [(f"LT-{i + 1:04d}",) + row for i, row in enumerate(rows)]


def main():
    rng = random.Random(SEED)
    sample = salary_sample(rng)
    with open(ROOT / "scenarios" / "data" / "synthetic-salaries-china-ai-2024.csv", "w") as f:
        f.write("role,level,salary\n")
        for role, level, salary in sample:
            f.write(f"{role},{level},{salary:.0f}\n")
    with open(ROOT / "examples" / "payroll" / "lanting-ai.csv", "w") as f:
        f.write("employee_id,role,level,salary\n")
        for row in payroll(rng):
            f.write("{},{},{},{}\n".format(*row))


if __name__ == "__main__":
    main()
