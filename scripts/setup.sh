#!/usr/bin/env bash
# Installs what talentcast needs to build on Debian 12, as root, with apt-get; does nothing when
# everything is already there. Every dependency is a Debian package (nothing is vendored):
#   Eigen 3.4, Boost.Math, oneTBB, Catch2 v2, toml++, CLI11, fmt, Random123 (counter-based
#   random streams), nlohmann-json (JSON outputs), OpenSSL (SHA-256 in manifests), SQLite (the
#   sweep results store), Open MPI (runs across machines, docs/mpi.md), Cairo and the DejaVu
#   fonts (the report's charts, as SVG and PNG), and Chromium with chromedriver and
#   python3-selenium (the test that opens the report in a real browser).
set -euo pipefail

packages=(
  make g++ cmake git
  libeigen3-dev libboost-math-dev libtbb-dev catch2 libtomlplusplus-dev libcli11-dev
  libfmt-dev librandom123-dev nlohmann-json3-dev libssl-dev libsqlite3-dev
  openmpi-bin libopenmpi-dev
  pkg-config libcairo2-dev fonts-dejavu-core
  chromium chromium-driver python3-selenium
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all build dependencies are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
