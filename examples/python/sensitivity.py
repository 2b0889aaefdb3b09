"""A sensitivity study written with evaluate() and numpy sampling: which of three parameters
moves the 2030 candidates-per-opening ratio of LLM algorithm engineers most? Latin hypercube
points, each run on common random numbers; standardised regression coefficients (SRC) as the
measure (their squares sum to the R^2 of a linear fit).

    python3 examples/python/sensitivity.py [POINTS] [PATHS]
"""

import sys

import numpy as np
import pandas as pd

import talentcast

points = int(sys.argv[1]) if len(sys.argv) > 1 else 64
paths = int(sys.argv[2]) if len(sys.argv) > 2 else 500
ranges = {
    "roles.llm_algorithm.demand_growth": (0.03, 0.30),
    "fields.ai_bachelor.growth": (0.0, 0.20),
    "defaults.wage_response": (0.01, 0.06),
}

# A Latin hypercube: each parameter's range cut into `points` strata, one draw in each.
rng = np.random.default_rng(2024)
unit = (np.argsort(rng.random((len(ranges), points)), axis=1).T + rng.random((points, len(ranges))))
unit /= points
design = pd.DataFrame({key: low + unit[:, j] * (high - low)
                       for j, (key, (low, high)) in enumerate(ranges.items())})

output = "ratio:llm_algorithm:2030-Q4:p50"
scenario = talentcast.load_scenario("scenarios/china-ai-2024.toml")
y = talentcast.evaluate(scenario, design, [output], paths=paths, seed=11)[output]

x = (design - design.mean()) / design.std()
z = (np.log(y) - np.log(y).mean()) / np.log(y).std()
src, *_ = np.linalg.lstsq(x.to_numpy(), z.to_numpy(), rcond=None)
r2 = 1 - np.sum((z - x.to_numpy() @ src) ** 2) / np.sum(z ** 2)
print(f"{output}: {points} points x {paths} paths; SRC of log ratio (R^2 {r2:.2f})")
for key, value in sorted(zip(ranges, src), key=lambda kv: -abs(kv[1])):
    print(f"  {key:<36} {value:+.3f}")
