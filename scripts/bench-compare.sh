#!/usr/bin/env bash
# Before and after: the receiver built from two (or more) binaries against the ceiling (a bare
# Hummingbird server that reads the body and answers 200), interleaved round by round under
# identical load, so a change's effect is measured in the same minutes on a noisy machine. Prints
# one table row per round and path: the ceiling's events/s, then each binary's events/s, p99 and
# ratio to the ceiling, and the server's CPU time per event (user + system, from /proc), which the
# machine's noise disturbs much less than events/s, then the load generator's (the first binary's
# `bench`) and, on the dispatch path, the GitHub stand-in's. All share the two cores: a change that
# lowers the server's CPU per event but raises the load generator's (answers that reach it one at a
# time, each waking it) gains no events/s, and the stand-in's CPU (which GitHub's would not be) is
# taken from the receiver's.
#
#   scripts/bench-compare.sh OLD_BINARY NEW_BINARY           # 3 rounds of 10 s per run
#   ROUNDS=5 DURATION=20s PATHS=duplicate scripts/bench-compare.sh A B
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: scripts/bench-compare.sh BINARY [BINARY…]" >&2; exit 64; }
binaries=("$@")
for binary in "${binaries[@]}"; do [ -x "$binary" ] || { echo "not an executable: $binary" >&2; exit 64; }; done
BIN=${binaries[0]}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
PATHS=${PATHS:-duplicate,dispatch}
CONCURRENCY=${CONCURRENCY:-64}
source "$(dirname "$0")/common.sh"

WEBHOOK=127.0.0.1:18780
METRICS=127.0.0.1:19790
STANDIN=127.0.0.1:18799
CEILING=127.0.0.1:18770

wait_for_port() { for _ in $(seq 1 100); do (echo > "/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }
load() { # url, duplicate ratio; bench's JSON result with its own CPU seconds added as "load_cpu_s"
  python3 -c 'import json,resource,subprocess,sys
out = subprocess.run(sys.argv[1:], check=True, stdout=subprocess.PIPE, text=True).stdout
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
result = json.loads(out)
result["load_cpu_s"] = usage.ru_utime + usage.ru_stime
print(json.dumps(result))' \
    "$BIN" bench --url "$1" --token-file "$work/token" --json --concurrency "$CONCURRENCY" --duration "$DURATION" --duplicate-ratio "$2"
}
load_us() { python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(round(r["load_cpu_s"] * 1e6 / max(1, r["requests"])))' "$1"; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
per_event_us() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) * 1000 / max(1, int(sys.argv[3])):.0f}')" "$@"; }
field() { python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r[sys.argv[2]])' "$1" "$2"; }

"$BIN" bench-ceiling --listen $CEILING 2>>"$work/ceiling.log" &
CEILING_PID=$!
pids+=($CEILING_PID)
"$BIN" github-standin --listen $STANDIN 2>>"$work/standin.log" &
STANDIN_PID=$!
pids+=($STANDIN_PID)
wait_for_port $CEILING
wait_for_port $STANDIN

machine
echo "concurrency $CONCURRENCY, $DURATION per run, $ROUNDS rounds"
for i in "${!binaries[@]}"; do echo "binary $((i + 1)): ${binaries[$i]}"; done
echo
header="| round | path | ceiling events/s (p99 ms, CPU per event, load generator's) |"
rule="|---|---|---|"
for i in "${!binaries[@]}"; do header+=" binary $((i + 1)) events/s (p99 ms, CPU per event, load generator's) | ratio |"; rule+="---|---|"; done
echo "$header"
echo "$rule"
for round in $(seq 1 "$ROUNDS"); do
  for path in ${PATHS//,/ }; do
    case $path in
      duplicate) ratio=1; extra=() ;;
      dispatch) ratio=0; extra=($(github_env $STANDIN) DELIVERY_MODE=sync) ;;
      *) echo "unknown path: $path (duplicate, dispatch)" >&2; exit 64 ;;
    esac
    before=$(cpu_ms $CEILING_PID)
    ceiling_result=$(load "http://$CEILING/flux-events" $ratio)
    cpu=$(per_event_us "$before" "$(cpu_ms $CEILING_PID)" "$(field "$ceiling_result" requests)")
    ceiling=$(field "$ceiling_result" events_per_second)
    line="| $round | $path | $(printf %.0f "$ceiling") ($(printf %.2f "$(field "$ceiling_result" p99_ms)"), $cpu µs, $(load_us "$ceiling_result") µs) |"
    for i in "${!binaries[@]}"; do
      env HMAC_TOKEN_PATH="$work/token" STATE_DB="$work/$path-$round-$i.db" LISTEN_ADDR=$WEBHOOK METRICS_ADDR=$METRICS \
        "${extra[@]}" "${binaries[$i]}" serve 2>>"$work/serve.log" &
      serve=$!
      pids+=($serve)
      wait_for "http://$WEBHOOK/healthz"
      before=$(cpu_ms $serve)
      standin_before=$(cpu_ms $STANDIN_PID)
      result=$(load "http://$WEBHOOK/flux-events" $ratio)
      cpu=$(per_event_us "$before" "$(cpu_ms $serve)" "$(field "$result" requests)")
      standin_cpu=$(per_event_us "$standin_before" "$(cpu_ms $STANDIN_PID)" "$(field "$result" requests)")
      kill -TERM $serve; wait $serve 2>/dev/null || true
      eps=$(field "$result" events_per_second)
      line+=" $(printf %.0f "$eps") ($(printf %.2f "$(field "$result" p99_ms)"), $cpu µs, $(load_us "$result") µs$([ "$path" = dispatch ] && echo ", stand-in's $standin_cpu µs")) | $(python3 -c "print(f'{$eps / $ceiling:.2f}')") |"
    done
    echo "$line"
  done
done
