#!/usr/bin/env bash
# Hostile HTTP clients against the receiver: starts `serve` (dry run, signed, a fresh store) on
# loopback and runs scripts/hostile-probe.py against it: request smuggling, overflowing sizes,
# malformed framing, other protocols, stalled, vanishing and never-reading clients, hostile bodies
# and signatures, then seeded random edits of all of these (HOSTILE_SEED, HOSTILE_MUTATION_SECONDS).
# Each probe must get its defined answer and leave the server healthy; at the end
# every event answered `200` must be in the store exactly once, and `serve` must still be running.
#
#   scripts/hostile-probe.sh                            # release build into .build-release
#   BIN=.build/debug/flux-dispatch scripts/hostile-probe.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

WEBHOOK=${WEBHOOK:-127.0.0.1:18890}
METRICS=${METRICS:-127.0.0.1:18891}

machine
HMAC_TOKEN_PATH="$work/token" STATE_DB="$work/probe.db" LISTEN_ADDR=$WEBHOOK METRICS_ADDR=$METRICS \
  "$BIN" serve 2>"$work/serve.log" &
serve=$!
pids+=($serve)
wait_for "http://$WEBHOOK/healthz"

status=0
python3 "$(dirname "$0")/hostile-probe.py" --port "${WEBHOOK#*:}" --metrics-port "${METRICS#*:}" \
  --token-file "$work/token" --pid $serve --bin "$BIN" --db "$work/probe.db" || status=1

if kill -0 $serve 2>/dev/null; then
  echo "ok   serve is still running ($(awk '/VmRSS/ {printf "%.0f MiB resident", $2/1024}' /proc/$serve/status), $(ls /proc/$serve/fd | wc -l) descriptors open)"
else
  echo "FAIL serve is gone; the end of its log:"; tail -20 "$work/serve.log"; status=1
fi
exit $status
