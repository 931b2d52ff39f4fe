#!/usr/bin/env bash
# GPU verification in one command, on a server with the NVIDIA driver and CUDA libraries but no .NET.
# Usage (from a checkout that carries artifacts/device, built here by `dotnet pwsh build.ps1 device-bundle`):
#   bash tools/gpu-check.sh OUT_DIR
# Writes the full report under OUT_DIR and prints a short table last. Builds nothing.
set -uo pipefail
out=${1:?usage: gpu-check.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
bundle="$root/artifacts/device/rawgan-device.tar.xz"
[ -f "$bundle" ] || { echo "No $bundle: run 'dotnet pwsh build.ps1 device-bundle' first." >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xJf "$bundle" -C "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_gcServer=0

summary=()
step() { # name, command...: runs with a wall-clock record, keeps going on failure
  local name=$1; shift
  local t0=$(date +%s.%N)
  "$@" > "$out/$name.log" 2>&1
  local rc=$?
  local dt=$(echo "$(date +%s.%N) - $t0" | bc)
  summary+=("$(printf '%-12s rc=%-3s %6.1fs' "$name" "$rc" "$dt")")
  return $rc
}

{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(cat "$root/artifacts/device/commit.txt" 2>/dev/null || echo unknown)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1
  nvcc --version 2>/dev/null | tail -1
  ls /usr/lib/x86_64-linux-gnu /usr/local/cuda/lib64 2>/dev/null | grep -E '^lib(cuda|cublas|curand)\.so\.[0-9]+$' | sort -u
} > "$out/environment.txt" 2>&1

step info "$work/rawgan" info
step tests "$work/RawGan.Tests" --results-directory "$out/tests" --report-trx --output Detailed
step cuda-tests "$work/RawGan.Tests" --filter "TestCategory=Cuda" --results-directory "$out/tests-cuda" --report-trx --output Detailed
step bench "$work/RawGan.Bench" --filter '*' --artifacts "$out/bench"
# A short timed BigGAN training run on the GPU (synthetic data, so no download is needed); its log has images/s.
step train "$work/rawgan" train --data synthetic --steps 50 --log-every 10 --sample-every 50 --checkpoint-every 0 \
  --device cuda --runs "$out/runs" --name gpu-check
if command -v python3 >/dev/null && python3 -c 'import torch' 2>/dev/null; then
  for py in "$work"/*.py; do [ -f "$py" ] && step "torch-$(basename "$py" .py)" python3 "$py"; done
fi

echo
cat "$out/environment.txt"
echo
printf '%s\n' "${summary[@]}"
for f in tests cuda-tests; do
  echo "--- $f"; grep -E "total:|failed:|succeeded:|skipped:" "$out/$f.log" | tr -s ' '
  grep -E "^\s*failed " "$out/$f.log" | head -20
done
