#!/usr/bin/env bash
# Code coverage of the reference librsm (reference/core and reference/backends)
# by the conformance suite, then by the suite and the unit tests together,
# and the error-return gate (docs/quality.md, "Coverage").
#
#   1. configures and builds the `coverage` preset (gcc --coverage);
#   2. zeroes the counters, runs the conformance suite against the reference
#      (as ctest's conformance.reference does) and captures "suite";
#   3. runs the unit tests (ctest -L unit) and captures "suite + unit";
#   4. prints line and branch coverage per file, for both captures;
#   5. runs ci/coverage_error_returns.py: every error return of
#      reference/core must have been executed, or be listed in
#      ci/coverage-exclusions.txt with the reason.
#
# Every process runs with ci/gcov_flush_exit.c preloaded, so children that
# leave through _exit() keep their counts; processes killed by a signal lose
# theirs. Options: --build-dir DIR (default build/coverage). Exit 1 when a
# test fails or an error return is not covered. Reports in
# <build>/coverage-report/: summary.txt, {suite,combined}-summary.json (gcovr
# JSON summaries), {suite,combined}.json (gcovr JSON, per line),
# html/index.html (suite + unit, per line), error-returns.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "$1"; }

build=build/coverage
while (($#)); do
  case $1 in
    --build-dir) build=${2:?--build-dir needs a value}; shift ;;
    -h|--help) usage 0 ;;
    *) echo "coverage: unknown option $1" >&2; usage 2 >&2 ;;
  esac
  shift
done
jobs=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
start=$SECONDS
step() { printf '\n== coverage: %s (%ss)\n' "$*" "$((SECONDS - start))"; }

bash ci/install-deps.sh

# ---- build ------------------------------------------------------------------
step "build ($build)"
cmake --preset coverage -B "$build" >/dev/null
cmake --build "$build" --parallel "$jobs"
tools=$build/coverage-tools
mkdir -p "$tools"
cc -std=c11 -O2 -fPIC -shared -Wall -Wextra -Werror ci/gcov_flush_exit.c -o "$tools/libgcov-flush-exit.so" -ldl
flush=$(realpath "$tools/libgcov-flush-exit.so")
out=$build/coverage-report
rm -rf "$out"
mkdir -p "$out/html"
shm=$(mktemp -d)
trap 'rm -rf "$shm"' EXIT

# gcovr over the objects of librsm, the shm backend, the unit tests and the
# fuzz replays (both compile segmentid_conf.cc in). librsm-mutants is another
# build of the core and mutants*.cc are not part of librsm: left out.
capture() {  # name [gcovr output options...]
  local name=$1; shift
  gcovr --root . --no-markers -j "$jobs" \
    --filter 'reference/core/' --filter 'reference/backends/' \
    --exclude 'reference/core/mutants' \
    --exclude-directories '.*(rsm_mutants|rsmkit-mutants)\.dir.*' \
    --json "$out/$name.json" --json-summary-pretty --json-summary "$out/$name-summary.json" "$@" \
    "$build/reference" "$build/fuzz"
}

# ---- the suite ----------------------------------------------------------------
find "$build" -name '*.gcda' -delete
step "conformance suite against the reference"
LD_PRELOAD=$flush RSMKIT_SHM_DIR=$shm "$build/conformance/rsm-conformance" -q -j "$jobs" \
  --peer-cmd "env RSMKIT_NODE_ID=2 {}" --retry 1 --allow-flaky \
  --junit "$out/conformance.xml" --json "$out/conformance.json"
capture suite

# ---- the unit tests -----------------------------------------------------------
step "unit tests (ctest -L unit)"
LD_PRELOAD=$flush RSMKIT_SHM_DIR=$shm ctest --test-dir "$build" -L unit --parallel "$jobs" \
  --output-on-failure --quiet
capture combined --html-details "$out/html/index.html" --html-title "rsmkit reference: suite + unit tests"

# ---- report -------------------------------------------------------------------
step "summary"
python3 - "$out/suite-summary.json" "$out/combined-summary.json" <<'EOF' | tee "$out/summary.txt"
import json, sys
caps = [json.load(open(p)) for p in sys.argv[1:]]
files = sorted({f["filename"] for c in caps for f in c["files"]})
def pct(c, t):
    return "%5.1f%%" % (100.0 * c / t) if t else "    - "
def row(name, stats):
    cells = []
    for s in stats:
        cells += [pct(s["lc"], s["lt"]), pct(s["bc"], s["bt"])]
    print("%-44s %8s %8s   %8s %8s" % ((name,) + tuple(cells)))
def total(cap, pred):
    s = {"lc": 0, "lt": 0, "bc": 0, "bt": 0}
    for f in cap["files"]:
        if pred(f["filename"]):
            s["lc"] += f["line_covered"]; s["lt"] += f["line_total"]
            s["bc"] += f["branch_covered"]; s["bt"] += f["branch_total"]
    return s
print("%-44s %17s   %17s" % ("", "suite", "suite + unit"))
print("%-44s %8s %8s   %8s %8s" % ("file", "lines", "branches", "lines", "branches"))
for name in files:
    row(name, [total(c, lambda f: f == name) for c in caps])
print()
for label, prefix in (("core (reference/core/)", "reference/core/"),
                      ("shm backend (reference/backends/shm/)", "reference/backends/shm/"),
                      ("total", "reference/")):
    row(label, [total(c, lambda f, p=prefix: f.startswith(p)) for c in caps])
EOF

# ---- the gate -------------------------------------------------------------------
step "error returns of reference/core"
set +e
python3 ci/coverage_error_returns.py --build-dir "$build" | tee "$out/error-returns.txt"
gate=${PIPESTATUS[0]}
set -e
step "done; reports in $out (html/index.html)"
exit "$gate"
