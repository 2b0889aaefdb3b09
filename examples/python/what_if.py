"""A what-if in a few lines: faster demand growth for LLM algorithm engineers, against the
flagship on common random numbers.

    python3 examples/python/what_if.py [SCENARIO] [PATHS]
"""

import sys

import talentcast

scenario = sys.argv[1] if len(sys.argv) > 1 else "scenarios/china-ai-2024.toml"
paths = int(sys.argv[2]) if len(sys.argv) > 2 else 5000

base = talentcast.load_scenario(scenario)
whatif = base.copy()
whatif["roles.llm_algorithm.demand_growth"] = 0.35  # the flagship: PERT(0.03, 0.14, 0.30)

table = talentcast.compare(base, whatif, paths=paths, seed=7).to_pandas()
last = base.periods[-1]
rows = table[(table.role == "llm_algorithm") & (table.period == last) &
             table.metric.isin(["ratio", "salary_median"])]
print(f"llm_algorithm in {last}, {paths} paths, demand growth 0.35 a year:")
for row in rows.itertuples():
    print(f"  {row.metric:<14} {row.quantity:<10} median {row.p50:>10.4g}  "
          f"80% interval [{row.p10:.4g}, {row.p90:.4g}]")
