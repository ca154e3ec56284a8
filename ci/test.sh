#!/usr/bin/env bash
# The README's test command: every test of the project, as CI runs it.
#   1. default build (RelWithDebInfo): every ctest label (unit, conformance,
#      property, fuzz replay, examples, memcheck, bench smoke);
#   2. AddressSanitizer + UBSan build: the same minus memcheck, bench and
#      property (which step 1 ran);
#   3. ThreadSanitizer build: unit, examples and the conformance suite;
#   4. libFuzzer build: each harness on its corpus for RSMKIT_FUZZ_SECONDS;
#   5. the mutation self-check on a rotating sample of mutants;
#   6. coverage build: coverage of the reference by the suite and the unit
#      tests, and the gate that every error return of the core is executed
#      (ci/coverage.sh).
# Exits non-zero as soon as a step fails. RSMKIT_CI_STEPS (e.g. "1 2") runs
# only the listed steps.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=$(nproc)
steps=${RSMKIT_CI_STEPS:-1 2 3 4 5 6}
want() { [[ " $steps " == *" $1 "* ]]; }
banner() { printf '\n==== %s (%s)\n' "$*" "$(date +%T)"; }
# Each step keeps its segments in a private directory of its own.
shm_root=$(mktemp -d)
trap 'rm -rf "$shm_root"' EXIT

bash ci/install-deps.sh

build() {  # preset [targets...]
  local preset=$1; shift
  cmake --preset "$preset" > /dev/null
  if [ $# -gt 0 ]; then
    cmake --build --preset "$preset" --parallel "$jobs" --target "$@"
  else
    cmake --build --preset "$preset" --parallel "$jobs"
  fi
}

if want 1; then
  banner "1/6 default build: all tests"
  build default
  RSMKIT_SHM_DIR=$shm_root ctest --preset default --parallel "$jobs"
fi
if want 2; then
  banner "2/6 AddressSanitizer + UndefinedBehaviorSanitizer"
  build asan
  # Property tests ran in step 1; under ASan they would double this step.
  RSMKIT_SHM_DIR=$shm_root ctest --preset asan --parallel "$jobs" -LE "memcheck|bench|property"
fi
if want 3; then
  banner "3/6 ThreadSanitizer"
  build tsan
  RSMKIT_SHM_DIR=$shm_root ctest --preset tsan --parallel "$jobs" -L "unit|examples|conformance"
fi
if want 4; then
  banner "4/6 libFuzzer (bounded)"
  build fuzz rsm fuzz_import_map fuzz_api_sequence fuzz_segmentid_conf
  RSMKIT_SHM_DIR=$shm_root ctest --preset fuzz -L fuzz -R "^fuzz\.run\."
fi
if want 5; then
  banner "5/6 mutation self-check (sample)"
  bash ci/mutation.sh --build-dir build/default
fi
if want 6; then
  banner "6/6 coverage of the reference; every error return of the core executed"
  bash ci/coverage.sh
fi
banner "all steps passed"
