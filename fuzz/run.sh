#!/usr/bin/env bash
# Runs one fuzz target of a TALENTCAST_FUZZ build (docs/fuzzing.md) on its seeds, reproducibly:
#   fuzz/run.sh BUILD_DIR TARGET RUNS [SEED] [more libFuzzer flags]
# New inputs go to BUILD_DIR/corpus/TARGET, crashes to BUILD_DIR/artifacts/TARGET/; the seeds
# (the project's files of the target's kind, fuzz/seeds/TARGET, fuzz/regressions/TARGET) are
# only read. The last line libFuzzer prints says how many inputs ran ("Done N runs").
set -euo pipefail
source_dir="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="$(cd "$1" && pwd)" target="$2" runs="$3" seed="${4:-1}"
shift $(($# < 4 ? $# : 4))
case "$target" in
  scenario_reader) seeds=(scenarios tests/data) ;;
  sweep_reader) seeds=() ;;  # scenarios/sweep-*.toml, copied into the corpus below
  csv_reader) seeds=(scenarios/data tests/data examples/payroll) ;;
  salary_data_reader) seeds=(scenarios/data tests/data/invalid) ;;
  payroll_reader) seeds=(tests/data/payroll examples/payroll) ;;
  history_reader) seeds=(data/history) ;;
  *) echo "run.sh: unknown target '$target'" >&2; exit 2 ;;
esac
corpus="$build_dir/corpus/$target" artifacts="$build_dir/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
cd "$source_dir"
if [ "$target" = sweep_reader ]; then cp -n scenarios/sweep-*.toml "$corpus/"; fi
exec "$build_dir/fuzz/fuzz_$target" -seed="$seed" -runs="$runs" -artifact_prefix="$artifacts/" \
  "$@" "$corpus" "${seeds[@]}" "fuzz/seeds/$target" "fuzz/regressions/$target"
