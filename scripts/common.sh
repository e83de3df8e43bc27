# shellcheck shell=bash
# Shared by the benchmark and stress scripts (sourced, not run): the binary (BIN, or a release
# build into SCRATCH), a scratch directory removed on exit together with every process recorded in
# `pids`, a generated HMAC token ($work/token) and GitHub App key ($work/app.pem), and helpers.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

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

# The environment that gives `serve` a GitHub App pointed at a stand-in on $1 (host:port).
github_env() { echo GITHUB_APP_ID=1 GITHUB_INSTALLATION_ID=1 "GITHUB_PRIVATE_KEY_PATH=$work/app.pem" "GITHUB_API_URL=http://$1" DRY_RUN=false; }

# Waits until a URL answers (up to 10 s).
wait_for() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }

# Seconds in a Go duration (24h, 1m30s, 10s), as a whole number.
seconds() { python3 -c "import re,sys; print(int(sum(float(v)*{'h':3600,'m':60,'s':1}[u] for v,u in re.findall(r'([\d.]+)([hms])',sys.argv[1]))))" "$1"; }

machine() { echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); $(swift --version 2>/dev/null | head -1)"; }
