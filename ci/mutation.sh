#!/usr/bin/env bash
# The mutation self-check (docs/quality.md): does the conformance suite notice
# when the reference librsm breaks a rule? librsm-mutants is the reference
# with one fault switch per rule (reference/core/mutants.h); each run selects
# one fault with RSMKIT_MUTANT=<name> and runs rsm-conformance --impl on it.
# A mutant is killed when the suite fails, and survives when it passes: a
# survivor is a hole in the suite, unless ci/mutants-equivalent.txt shows that
# no conforming test could tell it apart (with the reason).
#
#   ci/mutation.sh                 a rotating sample (CI): --sample N mutants,
#                                  a different window each run, all of them
#                                  every ceil(mutants / N) runs
#   ci/mutation.sh --all           every mutant, equivalent ones included
#   ci/mutation.sh --only a,b      these mutants
#   ci/mutation.sh --list          the mutants and the rule each breaks
#
# Options: --sample N (default 4), --seed S (which window; default $CI_RUN,
# else the day number), --build-dir DIR (an already configured build tree;
# default: configure and build the default preset). Arguments after -- go to
# the runner (e.g. --timeout-scale 2). Exit 1 when the sanity run fails, a
# mutant that is not listed as equivalent survives, or a listed one is killed.
# Reports: <build>/mutation/ (results.tsv, summary.md, a log and JSON per run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit "$1"; }

mode=sample sample=4 seed="" only="" build="" extra=()
while (($#)); do
  case $1 in
    --all) mode=all ;;
    --list) mode=list ;;
    --only) mode=only only=${2:?--only needs a value}; shift ;;
    --sample) sample=${2:?--sample needs a value}; shift ;;
    --seed) seed=${2:?--seed needs a value}; shift ;;
    --build-dir) build=${2:?--build-dir needs a value}; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) usage 0 ;;
    *) echo "mutation: unknown option $1" >&2; usage 2 >&2 ;;
  esac
  shift
done
[[ $sample =~ ^[1-9][0-9]*$ ]] || { echo "mutation: --sample needs a positive number" >&2; exit 2; }

# ---- build ------------------------------------------------------------------
targets=(rsm-conformance rsm_mutants rsmkit-mutants)
jobs=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
if [[ -z $build ]]; then
  bash ci/install-deps.sh
  cmake --preset default >/dev/null
  build=build/default
fi
cmake --build "$build" --parallel "$jobs" --target "${targets[@]}" >/dev/null
runner=$build/conformance/rsm-conformance
lib=$(realpath "$build/reference/librsm-mutants.so.2")
out=$build/mutation
mkdir -p "$out"

# ---- the registry, checked against the fault sites -------------------------
declare -A rule=()
names=()
while IFS=$'\t' read -r name text; do
  names+=("$name")
  rule[$name]=$text
done < <("$build/reference/rsmkit-mutants")

# Each registered name at exactly one RSMKIT_MUTANT site, and no other site.
mapfile -t sites < <(grep -ho 'RSMKIT_MUTANT("[^"]*")' reference/core/*.cc | sed 's/.*("\(.*\)")/\1/' | sort)
bad=$( { printf '%s\n' "${names[@]}" | sort; printf '%s\n' "${sites[@]}"; } | sort | uniq -c | awk '$1 != 2 {print $2}')
if [[ -n $bad ]]; then
  echo "mutation: registry (reference/core/mutants.cc) and fault sites disagree on:" >&2
  echo "$bad" | sed 's/^/  /' >&2
  exit 1
fi

declare -A equivalent=()
while read -r name reason; do
  [[ -z $name || $name == \#* ]] && continue
  [[ -n ${rule[$name]+x} ]] || { echo "mutation: ci/mutants-equivalent.txt: unknown mutant $name" >&2; exit 1; }
  [[ -n $reason ]] || { echo "mutation: ci/mutants-equivalent.txt: $name needs a reason" >&2; exit 1; }
  equivalent[$name]=$reason
done < ci/mutants-equivalent.txt

if [[ $mode == list ]]; then
  for name in "${names[@]}"; do
    printf '%-36s %s%s\n' "$name" "${rule[$name]}" "${equivalent[$name]+ [equivalent]}"
  done
  exit 0
fi

# ---- which mutants -----------------------------------------------------------
selected=()
case $mode in
  all) selected=("${names[@]}") ;;
  only)
    IFS=, read -ra selected <<<"$only"
    for name in "${selected[@]}"; do
      [[ -n ${rule[$name]+x} ]] || { echo "mutation: unknown mutant $name (see --list)" >&2; exit 2; }
    done ;;
  sample)
    # Equivalent mutants survive by definition; the sample spends its time on
    # the others. Window `seed` of the sorted list, so consecutive runs
    # (CI_RUN, or days) cover every mutant.
    mapfile -t pool < <(for n in "${names[@]}"; do [[ -n ${equivalent[$n]+x} ]] || echo "$n"; done | sort)
    seed=${seed:-${CI_RUN:-$(($(date +%s) / 86400))}}
    [[ $seed =~ ^[0-9]+$ ]] || { echo "mutation: the seed must be a number" >&2; exit 2; }
    n=${#pool[@]}
    ((sample > n)) && sample=$n
    for ((k = 0; k < sample; k++)); do selected+=("${pool[$(((seed * sample + k) % n))]}"); done
    echo "mutation: sample of $sample from $n mutants, seed $seed (every mutant within $(((n + sample - 1) / sample)) runs)" ;;
esac

# ---- running the suite -------------------------------------------------------
# The tests most likely to kill a mutant of an area run first: a failure there
# is a kill, and only a mutant that passes them needs the whole suite.
quick_filter() {
  case $1 in
    # A forgotten unlock costs a --timeout per test that meets it: one test.
    map.already_mapped_keeps_lock) echo 'ImportMap.SecondMapIsAlreadyMapped' ;;
    disconnect.still_mapped_keeps_lock) echo 'ImportConnect.DisconnectWhileMappedIsStillMapped' ;;
    # Its tests wait for a signal that never comes: one test.
    putv.implicit_sigpost_ignored) echo 'Fn/ImportPutvSigpost.ImplicitSigpostSignalsTheExporter/putv' ;;
    *.pollfd_unchecked) echo '*Pollfd*:*PollDescriptor*' ;;
    xfer.span_*) echo 'ImportOpenBarrier.*' ;;
    map.*|unmap.*|status.map_*) echo 'ImportMap.*' ;;
    connect.*|disconnect.*) echo 'ImportConnect.*' ;;
    create.*|destroy.*) echo 'ExportCreate.*' ;;
    export.*) echo 'ExportCreate.*:ExportRebind.*' ;;
    rebind.*) echo 'ExportRebind.*' ;;
    publish.*|unpublish.*|republish.*) echo 'ExportPublish.*' ;;
    controller.*) echo 'GetController.*' ;;
    topology.*) echo 'Topology.*' ;;
    localmem.*) echo 'LocalMemoryHandle.*' ;;
    get.*|xfer.*) echo 'Fn/ImportGet*:Fn/ImportPut.*:Fn/ImportPutBytes.*:Fn/ImportPutWide.*' ;;
    barrier.*) echo 'ImportInitBarrier.*:ImportOpenBarrier.*' ;;
    set_mode.*) echo 'ImportSetMode.*' ;;
    putv.*) echo 'Fn/ImportPutv*' ;;
    signal_post.*|signal_wait.*) echo 'IntrSignalPost.*' ;;
    get_pollfd.*|release_pollfd.*) echo 'MemsegGetPollfd.*' ;;
    wait_pollfd.*) echo 'IntrSignalWaitPollfd.*' ;;
    *) echo '' ;;
  esac
}

# run_suite TAG FILTER TIMEOUT [env...]: runs the suite against librsm-mutants
# in a private shm directory; sets rc (0 pass, 1 failures) and ms (its
# duration). TIMEOUT is the runner's per-test limit in seconds.
run_suite() {
  local tag=$1 filter=$2 timeout=$3 shm start fargs=()
  shift 3
  [[ -n $filter ]] && fargs=(--filter "$filter")
  shm=$(mktemp -d)
  start=$(date +%s%N)
  rc=0
  # A mutant that deadlocks (a forgotten unlock) is killed by the time limit.
  # A failing test runs once more and counts only if it fails again: a flaky
  # test must not pass for a kill.
  # RSMKIT_SHM_MAX_SEGMENTS: shm's segment limits (4096) low enough for the
  # suite's limit tests to reach them (they are not applicable above 256).
  env "$@" RSMKIT_SHM_DIR="$shm" RSMKIT_SHM_MAX_SEGMENTS=256 "$runner" --impl "$lib" --peer-cmd "env RSMKIT_NODE_ID=2 {}" \
    -j2 -q --timeout "$timeout" --retry 1 --allow-flaky --json "$out/$tag.json" "${fargs[@]}" "${extra[@]}" \
    >"$out/$tag.log" 2>&1 || rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  rm -rf "$shm"
  if ((rc > 1)); then
    echo "mutation: the runner failed to run ($tag, exit $rc):" >&2
    tail -n 5 "$out/$tag.log" >&2
    exit 1
  fi
}

# The tests of a run whose result is one of $2 (a Python tuple):
# "Suite.Name (result)", the first three and a count.
tests_of() {
  python3 - "$1" "$2" <<'EOF'
import ast, json, sys
want = ast.literal_eval(sys.argv[2])
names = [f'{t["name"]} ({t["result"]})' for t in json.load(open(sys.argv[1]))["tests"]
         if t["result"] in want]
print(", ".join(names[:3]) + (f" +{len(names) - 3} more" if len(names) > 3 else ""))
EOF
}
failures_of() { tests_of "$1" "('fail', 'crash', 'timeout', 'unresolved', 'unexpected-pass')"; }
flaky_of() {
  local f
  f=$(tests_of "$1" "('flaky',)")
  if [[ -n $f ]]; then echo "mutation: warning: flaky in $(basename "$1" .json): $f" >&2; fi
}

total_start=$(date +%s)
echo "mutation: sanity run (no mutant selected)"
run_suite sanity "" 30
sanity_secs=$((ms / 1000))
if ((rc != 0)); then
  echo "mutation: librsm-mutants without a mutant fails the suite: $(failures_of "$out/sanity.json")" >&2
  echo "mutation: see $out/sanity.log; mutation results would mean nothing" >&2
  exit 1
fi
flaky_of "$out/sanity.json"
echo "mutation: sanity run passed in $sanity_secs s"

printf '%s\t%s\t%s\t%s\t%s\t%s\n' mutant verdict phase seconds reached killed_by >"$out/results.tsv"
killed=0 survived=0 equiv=0 stale=0
for name in "${selected[@]}"; do
  trace=$out/$name.reached
  rm -f "$trace"
  filter=$(quick_filter "$name") phase=quick spent=0
  # 30 s: six times the slowest test. A forgotten unlock's quick test takes
  # milliseconds when it passes; 10 s there is still ample.
  timeout=30
  [[ $name == *_keeps_lock ]] && timeout=10
  if [[ -n $filter ]]; then
    run_suite "$name.quick" "$filter" "$timeout" RSMKIT_MUTANT="$name" RSMKIT_MUTANT_TRACE="$trace"
    spent=$ms json=$out/$name.quick.json
  else
    rc=0
  fi
  if ((rc == 0)); then
    phase=full
    run_suite "$name" "" 30 RSMKIT_MUTANT="$name" RSMKIT_MUTANT_TRACE="$trace"
    spent=$((spent + ms)) json=$out/$name.json
  fi
  flaky_of "$json"
  spent=$(((spent + 500) / 1000))
  reached=no
  [[ -s $trace ]] && reached=yes
  if ((rc != 0)); then
    by=$(failures_of "$json")
    if [[ -n ${equivalent[$name]+x} ]]; then
      verdict="KILLED-BUT-LISTED-EQUIVALENT"
      stale=$((stale + 1))
    else
      verdict=killed
      killed=$((killed + 1))
    fi
  else
    by="-"
    if [[ -n ${equivalent[$name]+x} ]]; then
      verdict=equivalent
      equiv=$((equiv + 1))
    else
      verdict=SURVIVED
      survived=$((survived + 1))
    fi
  fi
  printf '%s\t%s\t%s\t%d\t%s\t%s\n' "$name" "$verdict" "$phase" "$spent" "$reached" "$by" >>"$out/results.tsv"
  printf '  %-36s %-10s %4d s  %s\n' "$name" "$verdict" "$spent" "$([[ $verdict == killed ]] && echo "$by" || echo "reached: $reached; ${rule[$name]}")"
done
total_secs=$(($(date +%s) - total_start))

# ---- summary -------------------------------------------------------------------
scored=$((killed + survived + stale))
rate=$(awk -v k="$killed" -v n="$scored" 'BEGIN { printf "%.1f", n ? 100 * k / n : 100 }')
{
  echo "# Mutation run ($mode, $(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "- mutants run: ${#selected[@]} of ${#names[@]} ($equiv equivalent)"
  echo "- killed: $killed, survived: $survived, listed equivalent but killed: $stale"
  echo "- kill rate: $killed/$scored = $rate% (equivalent mutants excluded)"
  echo "- duration: $total_secs s in all (sanity run $sanity_secs s)"
  echo
  echo "| mutant | verdict | phase | s | site reached | killed by |"
  echo "|---|---|---|---|---|---|"
  tail -n +2 "$out/results.tsv" | awk -F'\t' '{printf "| `%s` | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6}'
} >"$out/summary.md"

echo "mutation: kill rate $killed/$scored = $rate% ($equiv equivalent, $survived survived) in $total_secs s"
echo "mutation: reports in $out/ (summary.md, results.tsv)"
status=0
if ((survived > 0)); then
  echo "mutation: survivors are holes in the conformance suite: add a test that fails on them" >&2
  echo "          (rerun one: ci/mutation.sh --only NAME), or list them in ci/mutants-equivalent.txt with why" >&2
  status=1
fi
if ((stale > 0)); then
  echo "mutation: mutants listed in ci/mutants-equivalent.txt were killed: remove them from the list" >&2
  status=1
fi
exit "$status"
