#!/usr/bin/env python3
"""A scenario of N roles shaped like the flagship's, for scaling benchmarks (docs/performance.md).

    python3 scripts/make_roles_scenario.py 100 > /tmp/roles-100.toml

Each role has the flagship's structure: four salary levels with their own bands (so 36
outputs a role and reporting period), distributions for its uncertain parameters, mobility to
two other roles, graduates from a shared field, and correlated demand and wage shocks: 28
quarters from 2024-Q1, as the flagship. Its numbers are illustrative, not calibrated; it
exists to measure time and memory against the number of roles.
"""
import sys


def scenario(roles):
    names = [f"role_{i:03d}" for i in range(roles)]
    out = [
        f'title = "{roles} illustrative roles (scaling benchmark)"',
        'currency = "CNY"',
        'salary_unit = "month"',
        'start = "2024-Q1"',
        'step = "quarter"',
        "horizon_years = 7",
        "seed = 1",
        "paths = 10000",
        "",
        "[defaults]",
        'attrition = { dist = "pert", low = 0.11, mode = 0.15, high = 0.22 }',
        'seeker_exit = { dist = "triangular", low = 1.0, mode = 2.0, high = 4.0 }',
        'matching_efficiency = { dist = "normal", mean = 6.0, sd = 1.5, min = 3.0, max = 12.0 }',
        'matching_elasticity = { dist = "triangular", low = 0.4, mode = 0.5, high = 0.6 }',
        'neutral_ratio = { dist = "triangular", low = 0.7, mode = 1.0, high = 1.5 }',
        'wage_response = { dist = "pert", low = 0.01, mode = 0.03, high = 0.06 }',
        "wage_drift = 0.01",
        'band_sigma = { dist = "triangular", low = 0.25, mode = 0.3, high = 0.4 }',
        "layoff_rate = 0.5",
        "demand_vol = 0.04",
        'demand_elasticity = { dist = "pert", low = 0.2, mode = 0.5, high = 1.0 }',
        "wage_vol = 0.03",
        'switcher_elasticity = { dist = "pert", low = 0.5, mode = 1.0, high = 2.0 }',
        "",
    ]
    levels = [("junior", 0.7), ("mid", 1.0), ("senior", 1.35), ("lead", 1.8)]
    for i, name in enumerate(names):
        employed = 20000 + 3000 * (i % 17)
        out += [
            f"[roles.{name}]",
            f"employed = {employed}",
            f"openings = {employed // 10}",
            f"ratio = {0.2 + 0.05 * (i % 9):.2f}",
            f"salary = {30000 + 1000 * (i % 23)}",
            f'demand_growth = {{ dist = "pert", low = 0.0, mode = {0.05 + 0.01 * (i % 7):.2f}, high = 0.25 }}',
            f'switcher_inflow = {{ dist = "pert", low = {employed // 50}, mode = {employed // 40}, high = {employed // 30} }}',
        ]
        if roles > 1:
            targets = sorted({names[(i + 1) % roles], names[(i + 7) % roles]} - {name})
            mobility = ", ".join(f"{t} = 0.01" for t in targets)
            out.append(f"mobility = {{ {mobility} }}")
        out.append("")
        for level, multiplier in levels:
            out += [f"[roles.{name}.levels.{level}]", f"multiplier = {multiplier}",
                    'band_sigma = { dist = "triangular", low = 0.2, mode = 0.25, high = 0.35 }', ""]
    shares = ", ".join(f"{n} = {0.5 / roles:.6f}" for n in names)
    out += ["[fields.graduates]", "base = 100000", "growth = 0.03", f"shares = {{ {shares} }}", "",
            "[correlation]", "demand = 0.5", "wage = 0.3", ""]
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        print(__doc__)
        sys.exit(2)
    print(scenario(int(sys.argv[1])), end="")
