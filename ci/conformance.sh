#!/usr/bin/env bash
# The main job: build the default preset and run the conformance suite
# against the reference librsm, printing its report. Arguments are passed to
# the runner (rsm-conformance --help), after the defaults below, so they can
# override them. Reports go to build/default/conformance-report/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ci/install-deps.sh
cmake --preset default
cmake --build --preset default --parallel "$(nproc)"

runner=build/default/conformance/rsm-conformance
report=build/default/conformance-report
mkdir -p "$report"
# The reference keeps its segments in files of RSMKIT_SHM_DIR: a private one,
# so this run meets no other; the peer process acts as node 2.
shm=$(mktemp -d)
trap 'rm -rf "$shm"' EXIT
rc=0
RSMKIT_SHM_DIR=$shm "$runner" \
  --peer-cmd "env RSMKIT_NODE_ID=2 {}" \
  --junit "$report/conformance.xml" --json "$report/conformance.json" \
  --matrix-md "$report/matrix.md" --matrix-html "$report/matrix.html" \
  "$@" || rc=$?
exit "$rc"
