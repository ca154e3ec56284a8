#!/usr/bin/env bash
# Self-test of the conformance runner (ctest: conformance.runner_selftest).
# Runs rsm-conformance on its RunnerSelfTest suite -- tests that pass, fail,
# crash, hang, flake, skip -- and checks the verdicts in the JSON and JUnit
# reports: crash isolation, timeouts that kill the whole session, retries and
# FLAKY, baseline EXPECTED-FAIL / UNEXPECTED-PASS, catalog/test mismatch,
# reports of a killed or interrupted run, usage errors, --list/--shard.
#
#   bash selftest.sh PATH/TO/rsm-conformance WORK_DIR
#
# Bounded: every runner call has a time limit of its own (timeout(1)).
set -euo pipefail

bin=${1:?usage: selftest.sh RSM_CONFORMANCE WORK_DIR}
work=${2:?usage: selftest.sh RSM_CONFORMANCE WORK_DIR}
rm -rf "$work"
mkdir -p "$work"
export RSMKIT_SHM_DIR=${RSMKIT_SHM_DIR:-$work/shm}
mkdir -p "$RSMKIT_SHM_DIR"

checks=0
fail() {
  echo "selftest: FAIL: $*" >&2
  exit 1
}
ok() {
  checks=$((checks + 1))
  echo "selftest: ok: $*"
}

# Runs the runner with a hard limit; sets $rc. Output goes to $work/$1.log.
run() {
  local log=$1
  shift
  rc=0
  timeout -k 5 90 "$bin" "$@" >"$work/$log.log" 2>&1 || rc=$?
}

# check_json FILE PYTHON-EXPRESSIONS...: each expression is evaluated with
# `r` (the report), `t` (test name -> test object) and `a` (assertion id ->
# assertion object) and must be true.
check_json() {
  local file=$1
  shift
  python3 - "$file" "$@" <<'PY' || fail "report check failed on $file"
import json, sys
r = json.load(open(sys.argv[1]))
t = {x["name"]: x for x in r["tests"]}
a = {x["id"]: x for x in r["assertions"]}
bad = [e for e in sys.argv[2:] if not eval(e)]
for e in bad:
    print("  not true:", e, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# check_junit FILE INCOMPLETE(true|false) [FAILURES ERRORS]
check_junit() {
  python3 - "$@" <<'PY' || fail "JUnit check failed on $1"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
for s in root.iter("testsuite"):
    props = {p.get("name"): p.get("value") for p in s.find("properties")}
    assert props["incomplete"] == sys.argv[2], props
if len(sys.argv) > 3:
    assert root.get("failures") == sys.argv[3], ("failures", root.get("failures"))
    assert root.get("errors") == sys.argv[4], ("errors", root.get("errors"))
PY
}

pid_dead() {  # pid_dead PID SECONDS: the process is gone within SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# watchdog PID: SIGKILLs PID after 60 s unless itself terminated first (then
# it ends its sleep too, so no stray process holds the output open).
watchdog() {
  sleep 60 &
  local s=$!
  trap 'kill $s 2>/dev/null; exit 0' TERM
  wait $s
  kill -9 "$1" 2>/dev/null
}

wait_for() {  # wait_for SECONDS PYTHON-CONDITION-ON-JSON FILE
  local i
  for ((i = 0; i < $1 * 10; i++)); do
    if [[ -s $3 ]] && python3 -c "
import json,sys
r=json.load(open(sys.argv[1])); t={x['name']:x for x in r['tests']}
sys.exit(0 if ($2) else 1)" "$3" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# --- 1. every result code in one run --------------------------------------
d=$work/main
mkdir -p "$d"
cat >"$d/baseline" <<'EOF'
# self-test baseline: one entry by test name, one by assertion id
RunnerSelfTest.KnownFixed      fixed upstream, entry left behind
selftest.known_failure         known deviation listed by assertion id
EOF
RSMC_SELFTEST_DIR=$d run main --selftest --filter 'RunnerSelfTest.*-RunnerSelfTest.Slow' \
  --timeout 3 --retry 1 --seed 7 -j 2 --baseline "$d/baseline" \
  --json "$d/r.json" --junit "$d/r.xml" --matrix-md "$d/m.md" --matrix-html "$d/m.html"
[[ $rc == 1 ]] || fail "main run: exit $rc, expected 1 (see $work/main.log)"
ok "a run with failures exits 1"
check_json "$d/r.json" \
  'r["complete"] is True and r["verdict"] == "fail"' \
  'r["run"]["baseline"].endswith("/main/baseline") and r["run"]["seed"] == 7' \
  't["RunnerSelfTest.Passes"]["result"] == "pass"' \
  't["RunnerSelfTest.Fails"]["result"] == "fail"' \
  't["RunnerSelfTest.Crashes"]["result"] == "crash" and "SIGSEGV" in t["RunnerSelfTest.Crashes"]["message"]' \
  't["RunnerSelfTest.ExitsMidTest"]["result"] == "crash"' \
  't["RunnerSelfTest.Hangs"]["result"] == "timeout" and len(t["RunnerSelfTest.Hangs"]["attempts"]) == 2' \
  't["RunnerSelfTest.FlakyFirstAttempt"]["result"] == "flaky"' \
  't["RunnerSelfTest.NotApplicable"]["result"] == "not-applicable"' \
  't["RunnerSelfTest.SkipWithoutReason"]["result"] == "fail"' \
  't["RunnerSelfTest.KnownFailure"]["result"] == "expected-fail"' \
  't["RunnerSelfTest.KnownFixed"]["result"] == "unexpected-pass"' \
  't["RunnerSelfTest.ForgetsCovers"]["result"] == "fail" and "catalog/test mismatch" in t["RunnerSelfTest.ForgetsCovers"]["message"]' \
  'r["summary"]["failures"] == 8' \
  'all("--filter " + chr(39) + n + chr(39) + " --seed 7" in x["rerun"] for n, x in t.items() if "rerun" in x)' \
  '"rerun" in t["RunnerSelfTest.Crashes"] and "rerun" not in t["RunnerSelfTest.Passes"]' \
  'a["selftest.passes"]["verdict"] == "pass"' \
  'a["selftest.forgotten"]["verdict"] == "fail" and "mismatch" in a["selftest.forgotten"]["reason"]' \
  'a["selftest.known_failure"]["verdict"] == "expected-fail"' \
  'a["selftest.not_provokable"]["verdict"] == "not-provokable"'
ok "crash, exit mid-test, timeout, flaky, n/a, bad skip, xfail, xpass, mismatch verdicts"
check_junit "$d/r.xml" false 5 3
ok "JUnit: complete, 5 failures (fail, bad skip, mismatch, flaky, xpass) and 3 errors (crashes, timeout)"
hang_pid=$(cat "$d/hang.pid")
pid_dead "$hang_pid" 5 || fail "the hanging test's grandchild (pid $hang_pid, own process group) survived"
ok "timeout killed the test's session, including a grandchild in its own process group"
grep -q 'selftest.forgotten' "$d/m.md" && grep -q '<table class="grid">' "$d/m.html" ||
  fail "matrix reports lack the expected content"
ok "matrix reports written"
grep -q "rerun: .*--filter 'RunnerSelfTest.Crashes' --seed 7" "$work/main.log" ||
  fail "the console lacks a rerun line for the crash"
ok "console prints a rerun command per failure"

# --- 2. a green run: pass, n/a and expected-fail do not fail ---------------
RSMC_SELFTEST_DIR=$d run green --selftest -j 2 --baseline "$d/baseline" --json "$d/g.json" \
  --filter 'RunnerSelfTest.Passes:RunnerSelfTest.NotApplicable:RunnerSelfTest.KnownFailure'
[[ $rc == 0 ]] || fail "green run: exit $rc, expected 0 (see $work/green.log)"
check_json "$d/g.json" 'r["verdict"] == "pass" and r["summary"]["expected-fail"] == 1'
ok "pass + not-applicable + expected-fail exits 0"

# --- 3. flaky policy, --repeat ----------------------------------------------
f=$work/flaky
mkdir -p "$f"
RSMC_SELFTEST_DIR=$f run flaky --selftest --retry 2 --allow-flaky --json "$f/r.json" \
  --filter 'RunnerSelfTest.FlakyFirstAttempt'
[[ $rc == 0 ]] || fail "--allow-flaky: exit $rc, expected 0"
check_json "$f/r.json" 't["RunnerSelfTest.FlakyFirstAttempt"]["result"] == "flaky"' \
  'len(t["RunnerSelfTest.FlakyFirstAttempt"]["attempts"]) == 2'
ok "--allow-flaky: FLAKY reported, not a failure; retries stop at the first pass"
rm -f "$f/flaky.marker"
RSMC_SELFTEST_DIR=$f run noretry --selftest --json "$f/n.json" --filter 'RunnerSelfTest.FlakyFirstAttempt'
[[ $rc == 1 ]] || fail "no retry: exit $rc, expected 1"
check_json "$f/n.json" 't["RunnerSelfTest.FlakyFirstAttempt"]["result"] == "fail"'
RSMC_SELFTEST_DIR=$f run repeat --selftest --repeat 3 --json "$f/p.json" --filter 'RunnerSelfTest.Passes'
[[ $rc == 0 ]] || fail "--repeat: exit $rc"
check_json "$f/p.json" 'len(t["RunnerSelfTest.Passes"]["attempts"]) == 3'
ok "without --retry a first failure is FAIL; --repeat 3 runs 3 attempts"

# --- 4. killed runner: reports stay valid and say incomplete ---------------
for sig in KILL TERM; do
  k=$work/kill-$sig
  mkdir -p "$k"
  # Started directly (no timeout(1) in between): the signal must reach the
  # runner itself. The watchdog bounds the step if it does not.
  RSMC_SELFTEST_DIR=$k RSMC_SELFTEST_SLOW_S=60 "$bin" --selftest -j 2 \
    --filter 'RunnerSelfTest.Passes:RunnerSelfTest.Slow' --json "$k/r.json" --junit "$k/r.xml" \
    >"$work/kill-$sig.log" 2>&1 &
  runner=$!
  watchdog "$runner" >/dev/null 2>&1 &
  watchdog=$!
  wait_for 30 't["RunnerSelfTest.Passes"]["result"] == "pass"' "$k/r.json" ||
    fail "$sig: the JSON never showed the finished test"
  for ((i = 0; i < 100; i++)); do [[ -s $k/slow.pid ]] && break; sleep 0.1; done
  [[ -s $k/slow.pid ]] || fail "$sig: the slow test never started"
  kill -s "$sig" "$runner"
  rc=0
  wait "$runner" || rc=$?
  kill "$watchdog" 2>/dev/null || true
  if [[ $sig == TERM ]]; then
    [[ $rc == 1 ]] || fail "SIGTERM: exit $rc, expected 1"
    check_json "$k/r.json" 'r["complete"] is False and r["interrupted_by"] == "SIGTERM"' \
      't["RunnerSelfTest.Slow"]["result"] == "not-run"'
  else
    check_json "$k/r.json" 'r["complete"] is False and r["verdict"] == "incomplete"' \
      't["RunnerSelfTest.Passes"]["result"] == "pass"'
  fi
  check_junit "$k/r.xml" true
  pid_dead "$(cat "$k/slow.pid")" 5 || fail "$sig: the running test outlived the runner"
  ok "SIG$sig of the runner: valid JSON/JUnit marked incomplete, running test killed"
done

# --- 5. usage errors exit 2 ---------------------------------------------------
printf 'RunnerSelfTest.Passes\n' >"$work/noreason.baseline"
for args in "--bogus" "--jobs 0" "--shard 0/2" "--shard 3/2" "--timeout-scale x" "--repeat 0" \
  "--baseline $work/missing.baseline" "--baseline $work/noreason.baseline" \
  "--filter NoSuchTest.*" "--impl $work/missing.so" "--seed -1" "--json"; do
  # shellcheck disable=SC2086
  run usage $args
  [[ $rc == 2 ]] || fail "'$args': exit $rc, expected 2"
  grep -q '^rsm-conformance: ' "$work/usage.log" || fail "'$args': no error message"
done
ok "bad arguments exit 2 with a message"
run help --help
[[ $rc == 0 ]] && grep -q -- '--peer-cmd' "$work/help.log" && grep -q -- '--baseline' "$work/help.log" ||
  fail "--help"
ok "--help documents the options"

# --- 6. selection: --list, --shard, --shuffle -------------------------------
"$bin" --list >"$work/all.txt"
! grep -q '^RunnerSelfTest\.' "$work/all.txt" || fail "RunnerSelfTest listed without --selftest"
"$bin" --list --selftest --filter 'RunnerSelfTest.*' >"$work/st.txt"
[[ $(wc -l <"$work/st.txt") -ge 12 ]] || fail "--selftest --list"
"$bin" --list --shard 1/3 >"$work/s1.txt"
"$bin" --list --shard 2/3 >"$work/s2.txt"
"$bin" --list --shard 3/3 >"$work/s3.txt"
sort "$work/s1.txt" "$work/s2.txt" "$work/s3.txt" | diff - <(sort "$work/all.txt") >/dev/null ||
  fail "the shards do not add up to the whole list"
[[ -z $(sort "$work/s1.txt" "$work/s2.txt" "$work/s3.txt" | uniq -d) ]] || fail "shards overlap"
"$bin" --list --selftest --filter 'RunnerSelfTest.*' --shuffle --seed 3 >"$work/sh1.txt"
"$bin" --list --selftest --filter 'RunnerSelfTest.*' --shuffle --seed 3 >"$work/sh2.txt"
cmp -s "$work/sh1.txt" "$work/sh2.txt" || fail "--shuffle is not deterministic for a seed"
! cmp -s "$work/sh1.txt" "$work/st.txt" || fail "--shuffle did not change the order"
"$bin" --list --filter 'Catalog.*-Catalog.FilesParse' >"$work/neg.txt"
grep -q '^Catalog\.' "$work/neg.txt" && ! grep -q 'Catalog.FilesParse' "$work/neg.txt" ||
  fail "negative --filter patterns"
ok "--list, --filter with negatives, --shard split, deterministic --shuffle"

# --- 7. an implementation without the API: missing symbols reported ----------
m=$work/missing
mkdir -p "$m"
RSMC_SELFTEST_DIR=$m run missing --selftest --impl libm.so.6 --json "$m/r.json" --filter 'RunnerSelfTest.Passes'
[[ $rc == 0 ]] || fail "--impl libm.so.6: exit $rc"
check_json "$m/r.json" 'len(r["run"]["missing_symbols"]) == 42'
ok "--impl loads a third-party library and reports its missing functions"

echo "selftest: all $checks checks passed"
