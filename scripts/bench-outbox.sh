#!/usr/bin/env bash
# Outbox benchmarks, against a release build on loopback with the stand-in GitHub:
#
#  1. Intake: events/s and latency of the `200 queued` answer in outbox mode at concurrency 16,
#     interleaved with the dry-run path (the target: no worse), with GitHub answering in LATENCY
#     (default 100ms), down, or answering at once; and how long the worker then takes to deliver
#     what was queued.
#  2. Drain after an outage: the stand-in answers 503 while EVENTS events for REPOS repositories
#     are queued and for OUTAGE in all; then GitHub recovers. Reported: how long until the first
#     delivery after recovery (the retry backoff and circuit probes decide this), and how fast the
#     queue then drains.
#
#   scripts/bench-outbox.sh                        # 10 s intake runs, a 10-minute outage
#   OUTAGE=2m EVENTS=2000 scripts/bench-outbox.sh  # a quicker look
#   PARTS=drain scripts/bench-outbox.sh            # one part only (intake, drain)
set -euo pipefail

DURATION=${DURATION:-10s}
PARTS=${PARTS:-intake,drain}
OUTAGE=${OUTAGE:-10m}
EVENTS=${EVENTS:-10000}
REPOS=${REPOS:-20}
source "$(dirname "$0")/common.sh"

WEBHOOK=127.0.0.1:18580
METRICS=127.0.0.1:19590
STANDIN=127.0.0.1:18599

now() { date +%s.%N; }

start_standin() { # $1: status, then extra github-standin flags
  local status=$1; shift
  "$BIN" github-standin --listen $STANDIN --status "$status" "$@" 2>>"$work/standin.log" &
  STANDIN_PID=$!
  pids+=("$STANDIN_PID")
  sleep 0.3
}

stop_standin() { kill -TERM "$STANDIN_PID"; wait "$STANDIN_PID" 2>/dev/null || true; }

start_serve() { # $1: store name, rest: extra env
  local db="$work/$1.db"; shift
  env HMAC_TOKEN_PATH="$work/token" STATE_DB="$db" LISTEN_ADDR=$WEBHOOK METRICS_ADDR=$METRICS LOG_LEVEL=warning "$@" \
    "$BIN" serve 2>>"$work/serve.log" &
  SERVE_PID=$!
  pids+=("$SERVE_PID")
  wait_for "http://$WEBHOOK/healthz"
}

stop_serve() { kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; }


# Exact, from the store (the gauge is refreshed once a second).
pending() {
  { "$BIN" status --json --db "$work/$STORE.db" || true; } | python3 -c 'import json, sys; print(json.load(sys.stdin)["outbox"]["pending"])'
}

wait_drained() { # prints seconds until the outbox is empty
  local start; start=$(now)
  while [ "$(pending)" != "0" ]; do sleep 0.1; done
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(now)"
}

bench() { # label, then bench flags
  local label=$1; shift
  local out
  out=$("$BIN" bench --url "http://$WEBHOOK/flux-events" --token-file "$work/token" --json "$@")
  python3 - "$label" "$out" <<'PY'
import json, sys
label, r = sys.argv[1], json.loads(sys.argv[2])
print(f"| {label} | {r['concurrency']} | {r['events_per_second']:.0f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['requests']} | {r['errors']} | {', '.join(f'{k}: {v}' for k, v in sorted(r['outcomes'].items()))} |")
PY
}

machine
if [[ $PARTS == *intake* ]]; then
echo
echo "## Intake at concurrency 16 ($DURATION runs, interleaved; new events for $REPOS repositories)"
echo
echo "The outbox rows differ in what GitHub does meanwhile: answers in ${LATENCY:-100ms} (like GitHub), is down"
echo "(503: the outbox's reason to be), or answers at once (the worker and the stand-in then take CPU"
echo "from the receiver on the same cores)."
echo
echo "| path | concurrency | events/s | p50 ms | p90 ms | p99 ms | requests | errors | outcomes |"
echo "|---|---|---|---|---|---|---|---|---|"
drains=()
for round in 1 2; do
  start_serve "dryrun$round"
  bench "dry-run dispatch" --concurrency 16 --duration "$DURATION" --duplicate-ratio 0 --repositories "$REPOS"
  stop_serve
  for github in latency outage instant; do
    case $github in
      latency) start_standin 204 --latency "${LATENCY:-100ms}"; label="outbox, GitHub answers in ${LATENCY:-100ms}" ;;
      outage) start_standin 503; label="outbox, GitHub down (503)" ;;
      instant) start_standin 204; label="outbox, GitHub answers at once" ;;
    esac
    STORE="outbox$round$github"
    start_serve "$STORE" $(github_env $STANDIN) DELIVERY_MODE=outbox
    bench "$label" --concurrency 16 --duration "$DURATION" --duplicate-ratio 0 --repositories "$REPOS"
    if [ "$github" = instant ]; then drains+=("$(wait_drained)"); fi
    stop_serve
    stop_standin
  done
done
echo
echo "with GitHub answering at once, the worker had delivered everything within ${drains[*]} s of the load's end"
fi
[[ $PARTS == *drain* ]] || exit 0
echo
echo "## Drain after an outage of $OUTAGE with $EVENTS events for $REPOS repositories"
echo
start_standin 503
STORE=outage
start_serve outage $(github_env $STANDIN) DELIVERY_MODE=outbox
outage_start=$(now)
rate=$(python3 -c "print(max(1, int(float('$EVENTS') / 10)))")
"$BIN" bench --url "http://$WEBHOOK/flux-events" --token-file "$work/token" --json --concurrency 16 --duration 10s \
  --rate "$rate" --duplicate-ratio 0 --repositories "$REPOS" >/dev/null
queued=$(pending)
sleep "$(python3 -c "import sys; print(max(0, float(sys.argv[1]) - (float(sys.argv[3]) - float(sys.argv[2]))))" "$(seconds "$OUTAGE")" "$outage_start" "$(now)")"
stop_standin
start_standin 204
recovered=$(now)
while [ "$(pending)" != 0 ]; do sleep 0.5; done
metrics=$(curl -sf "http://$METRICS/metrics" | grep -E '^flux_dispatch_(delivery_retries_total|outbox_dead_total)' || true)
stop_serve
# When each dispatch was delivered, from the store.
python3 - "$work/outage.db" "$queued" "$recovered" "$OUTAGE" <<'PY'
import sqlite3, sys
db, queued, recovered, outage = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rows = sqlite3.connect(db).execute(
    "SELECT finished_at FROM outbox WHERE state = 'delivered' ORDER BY finished_at").fetchall()
times = [r[0] / 1000 for r in rows]
first, last = times[0], times[-1]
print(f"queued during the {outage} outage: {queued}; delivered: {len(times)}")
print(f"first delivery {first - recovered:.1f} s after GitHub recovered (the paused repositories' next probes)")
print(f"all delivered {last - recovered:.1f} s after recovery; from the first delivery to the last: {last - first:.1f} s, {len(times) / max(last - first, 0.001):.0f} dispatches/s")
# Per repository, the drain once its probe succeeded.
per = sqlite3.connect(db).execute(
    "SELECT dispatch_repo, COUNT(*), (MAX(finished_at) - MIN(finished_at)) / 1000.0 FROM outbox WHERE state = 'delivered' GROUP BY dispatch_repo").fetchall()
rates = sorted(n / max(span, 0.001) for _, n, span in per)
print(f"per repository once its probe went through: {rates[len(rates) // 2]:.0f} dispatches/s (median of {len(rates)})")
PY
echo "$metrics" | awk '{s[$1 ~ /retries/ ? "retries" : "dead"] += $2} END {for (k in s) print k ": " s[k]}'
