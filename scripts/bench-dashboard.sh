#!/usr/bin/env bash
# Dashboard figures for BENCHMARKS.md, on a release build:
#  - frame time (snapshot query + layout + render) with 100,000 events and 200 products in the store;
#  - bytes written to the terminal per second while idle (tmux pipe-pane on a running `dash`);
#  - resident memory of `dash`;
#  - time from a 200 answer to the row showing in another process's dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."

SCRATCH=${SCRATCH:-.build-release}
swift build -c release --scratch-path "$SCRATCH" --product flux-dispatch >/dev/null
BIN="$PWD/$SCRATCH/release/flux-dispatch"
work=$(mktemp -d)
session="fd-bench-$$"
cleanup() { tmux kill-session -t "$session" 2>/dev/null || true; tmux kill-session -t "$session-viewer" 2>/dev/null || true; [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "== frame time, 100,000 events / 200 products, 200x60 grid"
"$BIN" bench-dashboard --db "$work/big.db" --events 100000 --products 200 --frames 200

echo
echo "== idle bytes, memory and live latency (dash attached to a running serve, 120x40, xterm-256color)"
printf 'bench-token' > "$work/token"
HMAC_TOKEN_PATH="$work/token" STATE_DB="$work/live.db" LISTEN_ADDR=127.0.0.1:18700 METRICS_ADDR=127.0.0.1:0 \
  LOG_LEVEL=warning "$BIN" serve 2>/dev/null &
SERVE_PID=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18700/healthz >/dev/null && break; sleep 0.1; done

tmux new-session -d -s "$session" -x 120 -y 40 \
  "env TERM=xterm-256color LANG=C.UTF-8 '$BIN' dash --attach --db '$work/live.db' --operator bench"
sleep 2
DASH_PID=$(pgrep -f "dash --attach --db $work/live.db" | head -1)
tmux pipe-pane -t "$session" -o "cat >> '$work/tty.bytes'"
sleep 1
before=$(stat -c %s "$work/tty.bytes" 2>/dev/null || echo 0)
sleep 10
after=$(stat -c %s "$work/tty.bytes" 2>/dev/null || echo 0)
echo "idle: $(( (after - before) / 10 )) bytes/s written to the terminal over 10 s (heartbeats committing once a second meanwhile)"
echo "dash resident memory: $(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$DASH_PID/status)"

# Live latency: post an event with a unique product name, poll the pane every 10 ms until it shows.
python3 - "$work/token" "$session" <<'PY'
import hmac, hashlib, json, subprocess, sys, time, urllib.request
token = open(sys.argv[1], 'rb').read().strip()
session = sys.argv[2]
samples = []
for i in range(10):
    product = f"latency{i:02d}x"
    body = json.dumps({"involvedObject": {"kind": "Kustomization", "name": "apps", "namespace": "ns"},
        "reason": "ReconciliationSucceeded", "message": "ok",
        "metadata": {"product": product, "env": "at23", "dispatch_repo": "Altinn/bench",
                     "kustomize.toolkit.fluxcd.io/revision": f"at23@sha256:{i}"}}).encode()
    sig = hmac.new(token, body, hashlib.sha256).hexdigest()
    req = urllib.request.Request("http://127.0.0.1:18700/flux-events", data=body, headers={"X-Signature": "sha256=" + sig})
    urllib.request.urlopen(req).read()
    answered = time.monotonic()
    while True:
        pane = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
        if product in pane:
            samples.append((time.monotonic() - answered) * 1000)
            break
        if time.monotonic() - answered > 5:
            samples.append(float("inf"))
            break
        time.sleep(0.01)
    time.sleep(0.3)
samples.sort()
print(f"200 -> row on screen in another process: median {samples[len(samples)//2]:.0f} ms, max {samples[-1]:.0f} ms over {len(samples)} events")
PY
