#!/usr/bin/env bash
# For a machine with an NVIDIA GPU: proves the CUDA execution provider works (one-node smoke
# session, printing what is missing when it does not), then runs one tiny generation on CUDA and on
# the CPU and prints the timings. Run `bun run viwo setup gpu` first to install the provider.
#   bash scripts/gpu-check.sh [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-8}"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT

echo "== CUDA smoke session"
bun run --silent viwo setup gpu --check

script="$data/tiny.json"
cat >"$script" <<JSON
["std.call_method", ["get_capability", "diffusers.generate"], "textToImage", "a lighthouse at dusk",
 {"seed": 1, "steps": $steps, "width": 256, "height": 256}]
JSON

run() { # provider, label
  local started ended
  started=$(date +%s%N)
  VIWO_DATA="$data" VIWO_EP="$1" bun run --silent viwo run "$script" >"$data/out-$1-$2.json"
  ended=$(date +%s%N)
  echo "$1 $2: $(((ended - started) / 1000000)) ms (process start, model load and $steps steps at 256x256)"
}

echo "== tiny generation (the first run installs the tiny test models)"
run cpu install
for provider in cuda cpu; do run "$provider" timed; done
if cmp -s "$data/out-cuda-timed.json" "$data/out-cpu-timed.json"; then
  echo "cuda and cpu gave the same image hash"
else
  echo "cuda and cpu results differ (floating-point differences between providers are expected)"
fi
VIWO_DATA="$data" VIWO_EP=cuda bun run --silent viwo serve --port 0 >"$data/serve.log" 2>&1 &
serve=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$data/serve.log" && break; sleep 0.1; done
grep 'execution provider' "$data/serve.log" || true
kill "$serve"
