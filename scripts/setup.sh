#!/usr/bin/env bash
# Installs what talentcast needs on Debian 12, as root, with apt-get; installs nothing that is
# already there. Every dependency is a Debian package (nothing is vendored).
#
#   bash scripts/setup.sh           what building and running need:
#     Eigen 3.4, Boost.Math, oneTBB, toml++, CLI11, fmt, Random123 (counter-based random
#     streams), nlohmann-json (JSON outputs), OpenSSL (SHA-256 in manifests), SQLite (the sweep
#     results store), Open MPI (runs across machines, docs/mpi.md), Cairo with pkg-config and
#     the DejaVu fonts (the report's charts, as SVG and PNG), zlib (the charts' PNG files),
#     cpp-httplib (the what-if page's HTTP server, `talentcast serve`, docs/serve.md),
#     and for the Python package (`import talentcast`, docs/python.md) pybind11 with Python's
#     headers, NumPy, pandas, xarray and Matplotlib (Debian's, for Debian's /usr/bin/python3)
#   bash scripts/setup.sh --tests   all that, and what the test suite adds:
#     Catch2 v2 (the tests), Chromium with chromedriver and python3-selenium (the test that
#     opens the report in a real browser), and pytest (the Python package's tests)
set -euo pipefail

usage="usage: bash scripts/setup.sh [--tests]"
tests=false
for argument in "$@"; do
  case "$argument" in
    --tests) tests=true ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) echo "setup: unknown argument '$argument'; $usage" >&2; exit 2 ;;
  esac
done

packages=(
  make g++ cmake git
  libeigen3-dev libboost-math-dev libtbb-dev libtomlplusplus-dev libcli11-dev
  libfmt-dev librandom123-dev nlohmann-json3-dev libssl-dev libsqlite3-dev
  openmpi-bin libopenmpi-dev
  pkg-config libcairo2-dev fonts-dejavu-core zlib1g-dev libcpp-httplib-dev
  python3-dev pybind11-dev python3-numpy python3-pandas python3-xarray python3-matplotlib
)
if $tests; then
  packages+=(catch2 chromium chromium-driver python3-selenium python3-pytest)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all $($tests && echo "build and test" || echo "build") dependencies are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
