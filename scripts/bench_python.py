#!/usr/bin/env python3
"""The Python package's speed (docs/performance.md, "From Python"):

1. run from Python against the command line, on the flagship at 20,000 paths: the command's
   whole process (`talentcast run --quiet --out`) against the same work called in one Python
   process (load_scenario, run, write), in turn, paired run by run; the interpreter's start
   and `import talentcast` are left out (paid once per session), and reported apart;
2. to_pandas() and to_xarray() of the flagship's forecast, the first call (which imports
   pandas, or xarray) and later ones;
3. evaluate() of 200 points of 1,000 paths: wall and CPU time, and so how busy the cores were.

    PYTHONPATH=build/python python3 scripts/bench_python.py build/bin/talentcast [RUNS]
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

started = time.perf_counter()
import talentcast  # noqa: E402

import_seconds = time.perf_counter() - started
exe = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
flagship = "scenarios/china-ai-2024.toml"


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def median(values):
    return statistics.median(values)


with tempfile.TemporaryDirectory() as folder:
    command, python, ratios = [], [], []
    for i in range(runs + 1):  # the first pair warms the caches and is not counted
        t = time.perf_counter()
        subprocess.run([exe, "run", flagship, "--paths", "20000", "--quiet", "--out",
                        os.path.join(folder, "cli")], check=True)
        a = time.perf_counter() - t
        t = time.perf_counter()
        talentcast.run(talentcast.load_scenario(flagship), paths=20000).write(
            os.path.join(folder, "py"))
        b = time.perf_counter() - t
        if i:
            command.append(a)
            python.append(b)
            ratios.append(b / a)
    print(f"run, flagship, 20000 paths ({runs} pairs): command {median(command):.3f} s, "
          f"Python {median(python):.3f} s, Python/command {median(ratios):.3f} "
          f"(range {min(ratios):.3f} to {max(ratios):.3f}); import talentcast {import_seconds:.3f} s")

forecast = talentcast.run(flagship, paths=20000)
for name in ("to_pandas", "to_xarray"):
    times = []
    for _ in range(4):
        t = time.perf_counter()
        getattr(forecast, name)()
        times.append(time.perf_counter() - t)
    print(f"{name}, flagship ({len(forecast.to_pandas())} rows): first call {times[0]:.3f} s "
          f"(imports pandas{', xarray' if name == 'to_xarray' else ''}), then "
          f"{median(times[1:]):.4f} s")

import numpy as np  # noqa: E402

rng = np.random.default_rng(1)
points = {"roles.llm_algorithm.demand_growth": rng.uniform(0.03, 0.30, 200),
          "defaults.wage_response": rng.uniform(0.01, 0.06, 200)}
t, c = time.perf_counter(), cpu()
talentcast.evaluate(flagship, points, "ratio:llm_algorithm:2030-Q4:p50", paths=1000)
wall, used = time.perf_counter() - t, cpu() - c
print(f"evaluate, 200 points x 1000 paths on {os.cpu_count()} cores: {wall:.2f} s wall, "
      f"{used:.2f} s CPU: {used / wall:.2f} cores busy")
