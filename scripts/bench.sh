#!/usr/bin/env bash
# The benchmark matrix of docs/performance.md: the flagship scenario, scenario loading included,
# one configuration per process (so peak memory is that configuration's own). Run it on an
# otherwise idle machine after building in Release:
#   bash scripts/bench.sh [build-dir]
set -euo pipefail
build=${1:-build}
scenario=scenarios/china-ai-2024.toml
bench="$build/bin/talentcast_bench"
"$bench" "$scenario" --paths 100000 --threads 1 --repeat 3
"$bench" "$scenario" --paths 100000 --threads 2 --repeat 3
"$bench" "$scenario" --paths 1000000 --threads 2 --repeat 1
# Scaling with roles: generated scenarios of 3 to 100 roles shaped like the flagship's.
for roles in 3 9 30 100; do
  python3 scripts/make_roles_scenario.py "$roles" > "$build/bench-roles-$roles.toml"
  "$bench" "$build/bench-roles-$roles.toml" --paths 10000 --threads 2 --repeat 1
done
# Salary benchmarking: a million-row payroll against the flagship's band store.
"$build/bin/talentcast" run "$scenario" --out "$build/bench-flagship" --quiet
"$build/bin/talentcast_bench_payroll" "$build/bench-flagship" --rows 1000000 --threads 2
# The engine issue's command targets (docs/performance.md, "The fast-engine issue"): compare at
# 5,000 paths, the report of a 20,000-path run, a 200-point sweep of 2,000 paths a point and its
# export. Wall times from bash's `time`; each command runs once.
TIMEFORMAT='%R s wall, %U s user, %S s system'
talentcast="$build/bin/talentcast"
echo "compare, 5,000 paths:"
time "$talentcast" compare "$scenario" scenarios/china-ai-grad-expansion.toml --paths 5000 -q >/dev/null
rm -rf "$build/bench-report" && "$talentcast" run "$scenario" --out "$build/bench-report" -q
echo "report of a 20,000-path run (38 charts):"
time "$talentcast" report "$build/bench-report" -q
rm -f "$build"/bench-sweep.sqlite* "$build/bench-sweep.csv"
echo "sweep, 200 points x 2,000 paths (scenarios/sweep-flagship-lhs.toml):"
time "$talentcast" sweep scenarios/sweep-flagship-lhs.toml --db "$build/bench-sweep.sqlite" -q
echo "export of the 200-point sweep (485 MB of CSV):"
time "$talentcast" export --db "$build/bench-sweep.sqlite" --out "$build/bench-sweep.csv"
rm -f "$build/bench-sweep.csv"
