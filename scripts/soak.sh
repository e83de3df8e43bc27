#!/usr/bin/env bash
# Soak: `serve` (outbox mode, the stand-in GitHub answering in 50 ms, one repository answering 404)
# under a steady mixed load for DURATION: RATE events/s, a third of them duplicates, spread over 20
# repositories. Every INTERVAL it prints events/s, p50 and p99 of the answers, resident memory,
# store size and outbox depth. At the end it checks that memory and p99 were flat after the warm-up
# (the first WARMUP intervals) and exits 1 if not.
#
#   scripts/soak.sh                                   # 30 minutes, one line a minute
#   DURATION=2m INTERVAL=20s scripts/soak.sh          # what .ci/run does
#   BIN=.build/debug/flux-dispatch scripts/soak.sh    # a binary already built
set -euo pipefail

DURATION=${DURATION:-30m}
INTERVAL=${INTERVAL:-60s}
RATE=${RATE:-200}
WARMUP=${WARMUP:-2}
source "$(dirname "$0")/common.sh"
total=$(seconds "$DURATION")
step=$(seconds "$INTERVAL")
rounds=$(( (total + step - 1) / step ))

WEBHOOK=127.0.0.1:18780
METRICS=127.0.0.1:19790
STANDIN=127.0.0.1:18799

"$BIN" github-standin --listen $STANDIN --latency 50ms --not-installed Altinn/soak-7 2>>"$work/standin.log" &
pids+=($!)
env HMAC_TOKEN_PATH="$work/token" STATE_DB="$work/state.db" LISTEN_ADDR=$WEBHOOK METRICS_ADDR=$METRICS LOG_LEVEL=warning \
  $(github_env $STANDIN) DELIVERY_MODE=outbox "$BIN" serve 2>>"$work/serve.log" &
SERVE=$!
pids+=($SERVE)
wait_for "http://$WEBHOOK/healthz"

echo "machine: $(nproc) cores; $RATE events/s for $DURATION, a line every $INTERVAL ($BIN)"
echo
echo "| t | events/s | p50 ms | p99 ms | errors | RSS MiB | store MiB | outbox pending |"
echo "|---|---|---|---|---|---|---|---|"
: > "$work/samples"
for i in $(seq 1 "$rounds"); do
  out=$("$BIN" bench --url "http://$WEBHOOK/flux-events" --token-file "$work/token" --json --concurrency 8 \
    --rate "$RATE" --duration "${step}s" --duplicate-ratio 0.33 --repo Altinn/soak --repositories 20)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVE/status")
  size=$(du -k "$work"/state.db* 2>/dev/null | awk '{s+=$1} END {print s}')
  pending=$(curl -sf "http://$METRICS/metrics" | awk '/^flux_dispatch_outbox_pending / {print int($2)}')
  python3 - "$i" "$step" "$out" "$rss" "$size" "$pending" "$work/samples" <<'PY'
import json, sys
i, step, r, rss, size, pending, samples = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
print(f"| {i * step // 60}m{i * step % 60:02d}s | {r['events_per_second']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['errors']} | {rss / 1024:.1f} | {size / 1024:.1f} | {pending} |", flush=True)
open(samples, "a").write(json.dumps({"p99": r["p99_ms"], "rss": rss, "errors": r["errors"], "eps": r["events_per_second"]}) + "\n")
PY
done
python3 - "$work/samples" "$WARMUP" <<'PY'
import json, statistics, sys
samples = [json.loads(line) for line in open(sys.argv[1])]
warm = int(sys.argv[2])
steady = samples[warm:] if len(samples) > warm else samples[-1:]
base_rss = samples[min(warm, len(samples)) - 1]["rss"] if warm > 0 else samples[0]["rss"]
p99s = [s["p99"] for s in steady]
median = statistics.median(p99s)
growth = (steady[-1]["rss"] - base_rss) / 1024
checks = [
    ("no request failed", all(s["errors"] == 0 for s in samples)),
    (f"memory flat after warm-up: {base_rss / 1024:.1f} -> {steady[-1]['rss'] / 1024:.1f} MiB (allowed +16 MiB and +25%)",
     growth <= 16 or steady[-1]["rss"] <= base_rss * 1.25),
    (f"p99 flat after warm-up: {min(p99s):.2f}-{max(p99s):.2f} ms, median {median:.2f} (allowed up to 3x the median)",
     max(p99s) <= 3 * median + 2),
]
print()
for text, ok in checks:
    print(("PASS  " if ok else "FAIL  ") + text)
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY
