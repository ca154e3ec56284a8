#!/usr/bin/env bash
# The README's test command: install what is missing, build the default
# preset, run every ctest test (all labels). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ci/install-deps.sh
cmake --preset default
cmake --build --preset default --parallel "$(nproc)"
ctest --preset default
