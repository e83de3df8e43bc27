#!/usr/bin/env bash
# Crash and restart: the built `flux-dispatch serve`, outbox mode, under load from 8 clients while
# the stand-in GitHub fails now and then, killed with SIGKILL at random moments ROUNDS times and
# restarted on the same store. Checks after each kill: PRAGMA integrity_check. At the end: every
# event answered 200 queued was delivered to GitHub, re-sent events stayed duplicates across the
# kills, each queued event is in the store exactly once, and nothing is left pending. Prints the
# kill times and the counts (delivered, repeated by at-least-once, missing).
#
#   scripts/crash-restart.sh              # 10 kills
#   ROUNDS=30 scripts/crash-restart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CRASH_ROUNDS=${ROUNDS:-10}
swift build --build-tests >/dev/null
swift test --skip-build --filter OutboxCrashRestartTests 2>&1 | grep -E "crash-restart:|error:|Executed .* tests" | sort -u
