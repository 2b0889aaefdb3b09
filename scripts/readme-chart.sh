#!/usr/bin/env bash
# Regenerates the README's chart (docs/img/flagship-llm_algorithm-ratio.png) from the flagship
# run at its default paths and seed, after building:
#   bash scripts/readme-chart.sh [build-dir]
set -euo pipefail
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/talentcast" run scenarios/china-ai-2024.toml --out "$work/flagship" --quiet
"$build/bin/talentcast" report "$work/flagship" --quiet
mkdir -p docs/img
cp "$work/flagship/charts/llm_algorithm-ratio.png" docs/img/flagship-llm_algorithm-ratio.png
echo "wrote docs/img/flagship-llm_algorithm-ratio.png"
