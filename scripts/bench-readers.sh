#!/usr/bin/env bash
# Many readers: VIEWERS headless dashboards (the dashboard's own queries, `flux-dispatch
# bench-readers`) on one store while the receiver takes RATE events/s for DURATION, outbox mode,
# the stand-in GitHub answering in 100 ms. Passes when no error reached a viewer, the receiver's
# p99 with the readers is within 2x its p99 without them (same run, same store), and every viewer
# stayed within 500 ms of live.
#
#   scripts/bench-readers.sh                          # 10 viewers, 500 events/s, 2 minutes each way
#   DURATION=30s scripts/bench-readers.sh             # a quicker look
set -euo pipefail

DURATION=${DURATION:-2m}
VIEWERS=${VIEWERS:-10}
RATE=${RATE:-500}
source "$(dirname "$0")/common.sh"

WEBHOOK=127.0.0.1:18680
METRICS=127.0.0.1:19690
STANDIN=127.0.0.1:18699

"$BIN" github-standin --listen $STANDIN --latency 100ms 2>>"$work/standin.log" &
pids+=($!)
env HMAC_TOKEN_PATH="$work/token" STATE_DB="$work/state.db" LISTEN_ADDR=$WEBHOOK METRICS_ADDR=$METRICS LOG_LEVEL=warning \
  $(github_env $STANDIN) DELIVERY_MODE=outbox "$BIN" serve 2>>"$work/serve.log" &
pids+=($!)
wait_for "http://$WEBHOOK/healthz"

load() {
  "$BIN" bench --url "http://$WEBHOOK/flux-events" --token-file "$work/token" --json --concurrency 16 \
    --rate "$RATE" --duration "$DURATION" --duplicate-ratio 0.3 --repositories 20
}

machine
echo "$VIEWERS viewers; $RATE events/s for $DURATION each way"
# Warm up first (a new store, empty caches, the stand-in's connections), so that "alone" is not
# also "cold".
"$BIN" bench --url "http://$WEBHOOK/flux-events" --token-file "$work/token" --json --concurrency 16 \
  --rate "$RATE" --duration 15s --duplicate-ratio 0.3 --repositories 20 >/dev/null
alone=$(load)
"$BIN" bench-readers --db "$work/state.db" --viewers "$VIEWERS" --duration "$(( $(seconds "$DURATION") + 4 ))s" \
  > "$work/readers.json" &
readers=$!
sleep 2
together=$(load)
readers_status=0
wait "$readers" || readers_status=$?
python3 - "$alone" "$together" "$work/readers.json" <<'PY'
import json, sys
alone, together = json.loads(sys.argv[1]), json.loads(sys.argv[2])
readers = json.load(open(sys.argv[3]))
print(f"receiver alone:        {alone['events_per_second']:.0f} events/s, p50 {alone['p50_ms']:.2f} ms, p99 {alone['p99_ms']:.2f} ms, errors {alone['errors']}")
print(f"receiver with readers: {together['events_per_second']:.0f} events/s, p50 {together['p50_ms']:.2f} ms, p99 {together['p99_ms']:.2f} ms, errors {together['errors']}")
print(f"readers: {readers['viewers']} viewers, {readers['loads']} snapshot loads, lag p50 {readers['lag_p50_ms']:.0f} ms, p99 {readers['lag_p99_ms']:.0f} ms, max {readers['lag_max_ms']:.0f} ms, errors {readers['errors']} {readers['first_errors']}")
worst = max(v['lag_max_ms'] for v in readers['per_viewer'])
checks = [
    ("no error reached a viewer", readers['errors'] == 0),
    ("no request failed", alone['errors'] == 0 and together['errors'] == 0),
    (f"p99 with readers within 2x of alone ({together['p99_ms']:.2f} <= {2 * alone['p99_ms']:.2f} ms)", together['p99_ms'] <= 2 * alone['p99_ms']),
    (f"every viewer within 500 ms of live (worst {worst:.0f} ms)", worst <= 500),
]
for text, ok in checks:
    print(("PASS  " if ok else "FAIL  ") + text)
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY
