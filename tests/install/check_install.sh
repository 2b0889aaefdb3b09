#!/usr/bin/env bash
# The library installed and used by an outside project (docs/library.md): `cmake --install` of
# the build into a fresh prefix, then tests/install/CMakeLists.txt (find_package(talentcast))
# builds examples/what_if.cpp against that prefix alone, and runs it on the flagship.
#   bash tests/install/check_install.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 source=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
for f in bin/talentcast lib/libtalentcast_core.a lib/libtalentcast_models.a \
         include/talentcast/studies/forecast.hpp include/talentcast/core/engine.hpp \
         lib/cmake/talentcast/talentcastConfig.cmake; do
  [[ -f "$work/prefix/$f" ]] || { echo "check_install: not installed: $f" >&2; exit 1; }
done
cmake -S "$source/tests/install" -B "$work/outside" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" -DTALENTCAST_EXAMPLE="$source/examples/what_if.cpp" \
      > "$work/configure.log"
cmake --build "$work/outside" -j2 > "$work/build.log"
# Its headers came from the prefix, never from the source tree.
if grep -rq -- "$source/core/include\|$source/models/include" "$work/outside/CMakeFiles"; then
  echo "check_install: the outside project saw the source tree's headers" >&2
  exit 1
fi
out=$("$work/outside/what_if" "$source/scenarios/china-ai-2024.toml" llm_algorithm 0.35)
echo "$out"
grep -q '^as in the scenario: *ratio 2030-Q4 median ' <<< "$out"
grep -q '^demand_growth = 0.35: *ratio 2030-Q4 median ' <<< "$out"
