#!/usr/bin/env bash
# Installs everything mesosim needs to build, test and plot, from Debian 12 packages.
# Idempotent: packages already present are skipped by apt-get; `apt-get update` runs only when
# something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  libboost-dev libboost-graph-dev
  libeigen3-dev libfmt-dev libyaml-cpp-dev
  libbenchmark-dev libgtest-dev libgmock-dev googletest
  libcli11-dev nlohmann-json3-dev libspdlog-dev
  zlib1g-dev
  libjemalloc-dev
  gnuplot-nox
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
