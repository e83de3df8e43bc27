#!/usr/bin/env bash
# Runs the receiver benchmarks against a release build on loopback and prints the figures that go
# in BENCHMARKS.md: first the receiver against its ceiling (a bare Hummingbird server that reads the
# body and answers 200, `flux-dispatch bench-ceiling`) under identical load, interleaved, as ratios
# (the machine is shared and noisy, so only same-minute ratios mean much); then events/s and
# latency on the duplicate path, the dry-run dispatch path and the dispatch path to a loopback
# stand-in GitHub, at concurrency 1, 16 and 64; p99 at a steady 500 events/s; resident memory of
# `serve` after 100,000 events.
#
#   scripts/bench.sh                 # 10 s per run
#   DURATION=30s scripts/bench.sh    # longer runs
set -euo pipefail

DURATION=${DURATION:-10s}
source "$(dirname "$0")/common.sh"

WEBHOOK=127.0.0.1:18480
METRICS=127.0.0.1:19490
STANDIN=127.0.0.1:18499
CEILING=127.0.0.1:18470
ROUNDS=${ROUNDS:-3}


start_serve() { # $1: store name, rest: extra env
  local db="$work/$1.db"; shift
  env HMAC_TOKEN_PATH="$work/token" STATE_DB="$db" LISTEN_ADDR=$WEBHOOK METRICS_ADDR=$METRICS "$@" \
    "$BIN" serve 2>>"$work/serve.log" &
  SERVE_PID=$!
  pids+=("$SERVE_PID")
  wait_for "http://$WEBHOOK/healthz"
}

stop_serve() { kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; }

run_bench() { # url, then bench flags; prints the JSON
  local url=$1; shift
  "$BIN" bench --url "$url" --token-file "$work/token" --json "$@"
}

row() { # label, JSON
  python3 - "$1" "$2" <<'PY'
import json, sys
label, r = sys.argv[1], json.loads(sys.argv[2])
print(f"| {label} | {r['concurrency']} | {r['events_per_second']:.0f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['requests']} | {r['errors']} | {', '.join(f'{k}: {v}' for k, v in sorted(r['outcomes'].items()))} |")
PY
}

bench() { # label, then bench flags
  local label=$1; shift
  row "$label" "$(run_bench "http://$WEBHOOK/flux-events" "$@")"
}

ratio() { # label, receiver JSON, ceiling JSON
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
label, r, c = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"| {label} | {c['events_per_second']:.0f} (p99 {c['p99_ms']:.2f} ms) | {r['events_per_second']:.0f} (p99 {r['p99_ms']:.2f} ms) | {r['events_per_second'] / c['events_per_second']:.2f} |")
PY
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

machine
echo "duration per run: $DURATION"

# Against the ceiling, interleaved: ceiling, receiver, ceiling, receiver, … at concurrency 64.
"$BIN" bench-ceiling --listen $CEILING 2>>"$work/ceiling.log" &
pids+=($!)
"$BIN" github-standin --listen $STANDIN 2>>"$work/standin.log" &
pids+=($!)
wait_for_port() { for _ in $(seq 1 100); do (echo > "/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }
wait_for_port $CEILING
wait_for_port $STANDIN
echo
echo "| round: path at concurrency 64 | ceiling events/s | receiver events/s | ratio |"
echo "|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  start_serve "ceiling-dup$round"
  c=$(run_bench "http://$CEILING/flux-events" --concurrency 64 --duration "$DURATION" --duplicate-ratio 1)
  r=$(run_bench "http://$WEBHOOK/flux-events" --concurrency 64 --duration "$DURATION" --duplicate-ratio 1)
  ratio "$round: duplicate" "$r" "$c"
  stop_serve
  start_serve "ceiling-dispatch$round" $(github_env $STANDIN) DELIVERY_MODE=sync
  c=$(run_bench "http://$CEILING/flux-events" --concurrency 64 --duration "$DURATION" --duplicate-ratio 0)
  r=$(run_bench "http://$WEBHOOK/flux-events" --concurrency 64 --duration "$DURATION" --duplicate-ratio 0)
  ratio "$round: dispatch (stand-in GitHub, sync)" "$r" "$c"
  stop_serve
done

echo
echo "| path | concurrency | events/s | p50 ms | p90 ms | p99 ms | requests | errors | outcomes |"
echo "|---|---|---|---|---|---|---|---|---|"

# Duplicate path and dry-run dispatch path: no GitHub App (dry run).
start_serve dryrun
for c in 1 16 64; do bench "duplicate" --concurrency $c --duration "$DURATION" --duplicate-ratio 1; done
for c in 1 16 64; do bench "dry-run dispatch" --concurrency $c --duration "$DURATION" --duplicate-ratio 0; done
bench "steady 500/s (mixed, 50% duplicates)" --concurrency 16 --duration "$DURATION" --duplicate-ratio 0.5 --rate 500
stop_serve

# Dispatch path to the loopback stand-in GitHub.
start_serve github $(github_env $STANDIN) DELIVERY_MODE=sync
for c in 1 16 64; do bench "dispatch (stand-in GitHub)" --concurrency $c --duration "$DURATION" --duplicate-ratio 0; done
stop_serve

# Resident memory after 100,000 events (dry run, 20% duplicates).
start_serve memory
rss_start=$(rss_kib "$SERVE_PID")
total=0
while [ "$total" -lt 100000 ]; do
  n=$("$BIN" bench --url "http://$WEBHOOK/flux-events" --token-file "$work/token" --json --concurrency 16 --duration 5s --duplicate-ratio 0.2 \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
  total=$((total + n))
done
rss_end=$(rss_kib "$SERVE_PID")
db_size=$(du -k "$work/memory.db" "$work/memory.db-wal" 2>/dev/null | awk '{s+=$1} END {print s}')
stop_serve
echo
echo "serve resident memory: $((rss_start / 1024)) MiB at start, $((rss_end / 1024)) MiB after $total events; store $((db_size / 1024)) MiB"
