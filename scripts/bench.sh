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
