#!/usr/bin/env bash
# Quick start, step 1: install the dependencies, build, and run the default job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
./build/cli/mesosim run scenarios/quickstart.yaml "$@"
