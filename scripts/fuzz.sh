#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (-sanitize=fuzzer,address) and runs each one for
# FUZZ_SECONDS, starting from its seed corpus in Fuzz/Corpus/<target>. New inputs go to a scratch
# corpus, not into the repository. A crash, a hang (over 10 s for one input), a leak or running out
# of memory stops that target and fails the run; the input is left in Fuzz/Crashes/ (not committed:
# add it to the target's corpus and as a regression test once fixed).
#
#   scripts/fuzz.sh                                   # every target, 10 minutes each
#   FUZZ_SECONDS=30 scripts/fuzz.sh                   # what .ci/run does
#   TARGETS=FuzzEventParser FUZZ_SECONDS=3600 scripts/fuzz.sh
#   PARALLEL=2 scripts/fuzz.sh                        # two targets at a time
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"

FUZZ_SECONDS=${FUZZ_SECONDS:-600}
PARALLEL=${PARALLEL:-1}
TARGETS=${TARGETS:-FuzzEventParser FuzzSignature FuzzDurations FuzzListenAddress FuzzTheme}
SCRATCH=${SCRATCH:-../.build-fuzz}
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --scratch-path "$SCRATCH" 2>&1 \
  | grep -E "error|Compiling Fuzz|Build complete" || true
bin=$(swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --scratch-path "$SCRATCH" --show-bin-path)

mkdir -p Crashes
results=$(mktemp -d)

fuzz_one() { # target; writes its report to $results/<target> and exits non-zero on a finding
  local target=$1 work max_len=4096
  work=$(mktemp -d)
  [ "$target" = FuzzEventParser ] && max_len=65536
  {
    echo "== $target: ${FUZZ_SECONDS}s from $(ls "Corpus/$target" | wc -l) seeds (max input $max_len bytes)"
    if "$bin/$target" "$work" "Corpus/$target" -max_total_time="$FUZZ_SECONDS" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -detect_leaks=1 -artifact_prefix="Crashes/$target-" -print_final_stats=1 > "$work.log" 2>&1; then
      grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$work.log"
      grep -E "cov: " "$work.log" | tail -1
      echo "   ok: no crash, hang or leak; $(ls "$work" | wc -l) inputs in the working corpus"
    else
      echo "   FAILED: the input is in Fuzz/Crashes/"
      grep -E "ERROR|SUMMARY|Test unit written|==[0-9]+==" "$work.log" | head -20
      touch "$results/$target.failed"
    fi
  } > "$results/$target" 2>&1
  rm -rf "$work" "$work.log"
}

running=0
for target in $TARGETS; do
  fuzz_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$PARALLEL" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true
status=0
for target in $TARGETS; do
  cat "$results/$target"
  [ -e "$results/$target.failed" ] && status=1
done
rm -rf "$results"
exit $status
