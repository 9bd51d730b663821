#!/usr/bin/env bash
# Quick start, step 2: install the dependencies, build, and run every test with ctest.
# Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${MESOSIM_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
