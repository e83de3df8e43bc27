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
cd "$(dirname "$0")/.."

DURATION=${DURATION:-2m}
VIEWERS=${VIEWERS:-10}
RATE=${RATE:-500}
SCRATCH=${SCRATCH:-.build-release}
if [ -z "${BIN:-}" ]; then
  swift build -c release --scratch-path "$SCRATCH" --product flux-dispatch >/dev/null
  BIN="$SCRATCH/release/flux-dispatch"
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

head -c 32 /dev/urandom | base64 > "$work/token"
openssl genrsa -out "$work/app.pem" 2048 2>/dev/null
WEBHOOK=127.0.0.1:18680
METRICS=127.0.0.1:19690
STANDIN=127.0.0.1:18699

"$BIN" github-standin --listen $STANDIN --latency 100ms 2>>"$work/standin.log" &
pids+=($!)
env HMAC_TOKEN_PATH="$work/token" STATE_DB="$work/state.db" LISTEN_ADDR=$WEBHOOK METRICS_ADDR=$METRICS LOG_LEVEL=warning \
  GITHUB_APP_ID=1 GITHUB_INSTALLATION_ID=1 GITHUB_PRIVATE_KEY_PATH="$work/app.pem" GITHUB_API_URL="http://$STANDIN" \
  DELIVERY_MODE=outbox "$BIN" serve 2>>"$work/serve.log" &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://$WEBHOOK/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

load() {
  "$BIN" bench --url "http://$WEBHOOK/flux-events" --token-file "$work/token" --json --concurrency 16 \
    --rate "$RATE" --duration "$DURATION" --duplicate-ratio 0.3 --repositories 20
}

echo "machine: $(nproc) cores; $VIEWERS viewers; $RATE events/s for $DURATION each way"
alone=$(load)
"$BIN" bench-readers --db "$work/state.db" --viewers "$VIEWERS" --duration "$(python3 -c "
import re; t='$DURATION'; print(str(sum(float(v)*{'h':3600,'m':60,'s':1}[u] for v,u in re.findall(r'([\d.]+)([hms])',t)) + 4) + 's')")" \
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
