#!/usr/bin/env bash
# The MPI numbers of docs/performance.md: a flagship run and a sweep, each on one process with
# two threads and on two MPI ranks with one thread each, on the same machine; checks that the
# outputs are identical. Run it on an otherwise idle machine after building in Release:
#   bash scripts/bench-mpi.sh [build-dir]
set -euo pipefail
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
talentcast="$(realpath "$build")/bin/talentcast"
scenario=scenarios/china-ai-2024.toml
sweep=scenarios/sweep-flagship-lhs.toml
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
timed() { /usr/bin/time -f "$1: %e s wall, %M kB peak RSS (per process)" "${@:2}"; }
timed "run, 1 process x 2 threads" \
  "$talentcast" run "$scenario" --paths 200000 -q -j 2 --out "$work/single"
timed "run, 2 ranks x 1 thread" \
  mpirun -np 2 "$talentcast" run "$scenario" --paths 200000 -q -j 1 --out "$work/ranks"
cmp "$work/single/forecast.csv" "$work/ranks/forecast.csv" && echo "run: forecast.csv identical"
timed "sweep, 1 process x 2 threads" \
  "$talentcast" sweep "$sweep" -q -j 2 --db "$work/single.sqlite"
timed "sweep, 2 ranks x 1 thread" \
  mpirun -np 2 "$talentcast" sweep "$sweep" -q -j 1 --db "$work/ranks.sqlite"
for db in single ranks; do
  sqlite3_dump=$("$talentcast" export --db "$work/$db.sqlite" | sha256sum)
  echo "sweep: export of $db.sqlite: $sqlite3_dump"
done
