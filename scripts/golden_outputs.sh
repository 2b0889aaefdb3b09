#!/usr/bin/env bash
# Every output format of every scenario in scenarios/, written by one build of talentcast into a
# directory, so that two builds can be compared byte for byte (docs/architecture.md: a
# restructuring changes no output):
#
#   bash scripts/golden_outputs.sh OLD/bin/talentcast /tmp/before
#   bash scripts/golden_outputs.sh build/bin/talentcast /tmp/after
#   diff -r /tmp/before /tmp/after && echo identical
#
# Written: each scenario's run (forecast.csv, forecast.json, bands.json, bands.bin, manifest.json),
# the flagship compared with each what-if (csv and json), a payroll benchmark (employees.csv,
# summary.csv, manifest.json) and one salary's (json), and each sweep file shrunk to a few points
# (its database dumped as SQL, its export, and a sensitivity table as json). The fields that
# differ between identical runs (the command line, the time, the git commit, the wall time of a
# sweep point) are blanked. Takes about a minute on 2 cores.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 TALENTCAST DIR (DIR must not exist)" >&2
  exit 2
fi
bin=$(realpath "$1")
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -e $out ]]; then
  echo "$0: $out exists; give a new directory" >&2
  exit 2
fi
mkdir -p "$out"
out=$(realpath "$out")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Everything runs in a scratch copy of scenarios/ and examples/payroll/ with relative paths, so
# that the paths recorded in outputs are the same for every DIR.
cp -r "$root/scenarios" "$work/scenarios"
mkdir -p "$work/payroll" && cp "$root/examples/payroll/lanting-ai.csv" "$work/payroll/"
mkdir -p "$work/data" && cp -r "$root/data/history" "$work/data/"
cd "$work"
paths=2000
flagship=scenarios/china-ai-2024.toml
for scenario in scenarios/*.toml; do
  grep -q -E '^(design|history) *=' "$scenario" && continue  # sweeps and backtest specs: below
  name=$(basename "$scenario" .toml)
  "$bin" run "$scenario" --paths "$paths" --quiet --out "out/run/$name"
  # Only the flagship's variants compare with it (the same roles).
  grep -q '^extends *= *"china-ai-2024.toml"' "$scenario" || continue
  for format in csv json; do
    "$bin" compare "$flagship" "$scenario" --paths 1000 --quiet --format "$format" \
      --out "out/compare/$name.$format"
  done
done

"$bin" benchmark out/run/china-ai-2024 --payroll payroll/lanting-ai.csv --out out/payroll
"$bin" benchmark out/run/china-ai-2024 --role llm_algorithm --salary 60000 --period all \
  --format json > out/benchmark-salary.json

# Each sweep file shrunk to 12 points (72 for saltelli's 12 base rows) of 200 paths.
for sweep in scenarios/*.toml; do
  grep -q '^design *=' "$sweep" || continue
  name=$(basename "$sweep" .toml)
  sed -i -E 's/^points *=.*/points = 12/; s/^paths *=.*/paths = 200/' "$sweep"
  db=$name.sqlite
  "$bin" sweep "$sweep" --db "$db" --quiet
  # The dump without each point's manifest and wall time, the commit that wrote it, and the
  # commit in the sweep's identity; the manifests, steadied, beside it.
  sqlite3 "$db" .dump | sed -E \
    -e "s/^(INSERT INTO point VALUES\\([0-9]+,-?[0-9]+,)'.*',[0-9.e+-]+\\);$/\\1'-',-);/" \
    -e "s/('[0-9]+\\.[0-9]+\\.[0-9]+',)'[0-9a-f+dirty]+'\\);$/\\1'-');/" \
    -e 's/"(talentcast|libm)":"[^"]*"/"\1":"-"/g' > "out/sweep-$name.sql"
  sqlite3 "$db" "SELECT manifest FROM point ORDER BY id" | sed -E \
    -e 's/"(git_commit|libm)":"[^"]*"/"\1":"-"/g' > "out/sweep-$name-manifests.jsonl"
  "$bin" export --db "$db" --out "out/export-$name.csv"
  "$bin" sensitivity --db "$db" --output 'ratio:llm_algorithm:*:p50' --resamples 100 \
    --format json > "out/sensitivity-$name.json" 2> "out/sensitivity-$name.warnings"
done

# Each backtest spec at 200 paths an origin: its forecasts and scores (the page and manifest
# name the commit). Builds before `talentcast backtest` existed have none.
if "$bin" backtest --help > /dev/null 2>&1; then
  for spec in scenarios/backtest-*.toml; do
    name=$(basename "$spec" .toml)
    "$bin" backtest "$spec" --paths 200 --quiet --out "out/backtest/$name"
    rm "out/backtest/$name/backtest.html" "out/backtest/$name/manifest.json"
  done
fi


# The manifests are steadied last (benchmark checks the seal of the run's manifest): the command
# line, the time, the commit and the wall time blanked, and the seal over them (it covers the
# commit; formats/manifest_seal.cpp).
find out -name manifest.json -exec sed -i -E \
  's/^( *"(command|created_utc|git_commit|libm|wall_time_seconds|reproducible_sha256)": ).*$/\1"-",/' {} +
cp -r out/. "$out/"
echo "$0: wrote $(find "$out" -type f | wc -l) files into $out"
