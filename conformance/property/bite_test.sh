#!/usr/bin/env bash
# The property tests bite (ctest conformance.property_bites): each property
# fails on the deliberately broken shim meant for it (property/broken/), and
# the failure carries a shrunk counter-example as a C program that compiles
# against <rsmapi.h> and links with librsm, plus a replay line that
# reproduces the same failure; the same filter passes on the reference.
#
#   bite_test.sh RSM_CONFORMANCE SHIM_DIR INCLUDE_DIR LIBRSM WORK_DIR
set -uo pipefail

exe=$1 shims=$2 include=$3 librsm=$4 work=$5
seed=${RSMC_BITE_SEED:-1}
peer_cmd='env RSMKIT_NODE_ID=2 {}'
rm -rf "$work"
mkdir -p "$work/shm"
export RSMKIT_SHM_DIR="$work/shm"
# The default case counts and the run's seed: what a user gets.
unset RSMC_PROPERTY_CASES RC_PARAMS
cc=${CC:-cc}

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# bites SHIM TEST: the property TEST fails on librsm-broken-SHIM.so.
bites() {
  local shim=$1 test=$2 lib="$shims/librsm-broken-$1.so" out="$work/$1.out" prog="$work/$1.c"
  [[ -f $lib ]] || { fail "$lib is missing"; return; }
  "$exe" --impl "$lib" --filter 'Property*' --seed "$seed" -j 1 -v --peer-cmd "$peer_cmd" >"$out" 2>&1
  local rc=$?
  [[ $rc == 1 ]] || { fail "$shim: rsm-conformance exited $rc, expected 1 (see $out)"; return; }
  grep -Eq "^\[[ 0-9]+/[0-9]+\] FAIL +$test " "$out" || { fail "$shim: $test did not fail (see $out)"; return; }
  # The failure's first lines: the falsified property and its replay line.
  local first replay
  first=$(grep -m1 "^$test falsified (seed $seed" "$out")
  [[ -n $first ]] || { fail "$shim: no \"$test falsified\" line (see $out)"; return; }
  replay=$(grep -m1 "^replay: .*--filter '$test' --seed $seed\$" "$out" | sed 's/^replay: //')
  [[ -n $replay ]] || { fail "$shim: no replay line for $test (see $out)"; return; }
  # The C program of the first failing property (the unindented copy).
  awk -v t="$test" '
    $0 ~ "^" t " falsified" { mine = 1 }
    mine && /^----- shrunk counter-example as a C program/ { f = 1; next }
    f && /^----- end of repro.c -----/ { exit }
    f { print }' "$out" >"$prog"
  grep -q '^#include <rsmapi.h>' "$prog" || { fail "$shim: no C program in the output (see $out)"; return; }
  grep -q 'returned RSM' "$prog" || { fail "$shim: the C program names no return code ($prog)"; return; }
  if ! "$cc" -std=c99 -Wall -o "$work/$shim.repro" "$prog" -I"$include" "$librsm" >"$work/$shim.cc.log" 2>&1; then
    fail "$shim: the C program does not compile ($prog):"
    cat "$work/$shim.cc.log"
    return
  fi
  # The replay line reproduces the same shrunk failure.
  local again
  again=$(eval "$replay -v" 2>&1 | grep -m1 "^$test falsified")
  [[ $again == "$first" ]] || { fail "$shim: the replay line did not reproduce \"$first\" (got \"$again\")"; return; }
  echo "ok: $shim -> $test: $(wc -l <"$prog") line C program, replay reproduces it"
  echo "    ${first:0:200}"
}

bites map-ignores-offset PropertyMap.ArgumentModel
bites put-one-byte-more PropertyData.PutGetMatchByteModel
bites getv-skips-last PropertyData.PutvGetvMatchByteModel
bites unpublish-keeps-importers PropertyLifecycle.RandomSequencesMatchModel

# And the reference passes the same filter.
if "$exe" --filter 'Property*' --seed "$seed" -j 1 --peer-cmd "$peer_cmd" >"$work/reference.out" 2>&1; then
  echo "ok: the reference passes Property*"
else
  fail "the reference fails Property* (see $work/reference.out)"
  tail -n 40 "$work/reference.out"
fi

if ((failures)); then
  echo "property bites: $failures failure(s)"
  exit 1
fi
echo "property bites: all properties caught their broken shim"
