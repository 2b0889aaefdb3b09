"""examples/python/, run as a user runs them (from the repository's root), at fewer paths."""

import os
import re
import subprocess
import sys

from conftest import ROOT

EXAMPLES = ROOT / "examples" / "python"


def run_example(name, *args):
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, env=os.environ)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_what_if_shows_faster_demand_growth_tightening_the_market():
    out = run_example("what_if.py", "scenarios/china-ai-2024.toml", 2000)
    medians = {tuple(m.group(1, 2)): float(m.group(3)) for m in
               re.finditer(r"(ratio|salary_median)\s+(base|whatif|difference|ratio)\s+median\s+(\S+)",
                           out)}
    assert medians[("ratio", "whatif")] < medians[("ratio", "base")]
    assert medians[("salary_median", "whatif")] > medians[("salary_median", "base")]
    assert medians[("ratio", "difference")] < 0


def test_the_sensitivity_study_ranks_demand_growth_first():
    out = run_example("sensitivity.py", 24, 300)
    lines = out.splitlines()
    assert lines[0].startswith("ratio:llm_algorithm:2030-Q4:p50: 24 points x 300 paths")
    first = lines[1].split()
    assert first[0] == "roles.llm_algorithm.demand_growth" and float(first[1]) < -0.5


def test_the_fan_chart_is_a_png(tmp_path):
    out = run_example("fan_chart.py", tmp_path / "fan.png", 1000)
    assert out == f"wrote {tmp_path / 'fan.png'}\n"
    assert (tmp_path / "fan.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
