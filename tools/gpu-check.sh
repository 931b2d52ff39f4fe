#!/usr/bin/env bash
# GPU verification in one command, on a server with the NVIDIA driver, the CUDA libraries and PyTorch with CUDA, but
# no .NET. Usage (from a checkout that carries artifacts/device, built here by `dotnet pwsh build.ps1 device-bundle`):
#   bash tools/gpu-check.sh OUT_DIR
# Runs the Cuda-category tests, RawGan.Bench on the GPU (short iterations), bench/torch_baseline.py on the GPU
# (cuDNN, TF32 off and on), joins the two into OUT_DIR/comparison.md (RawGan/PyTorch per row), and a short synthetic
# training run, and the same run as a one-rank NCCL data-parallel group (all-reduce and cross-replica batch norm on
# the GPU). Each step has a time limit so that the whole check stays under 8 minutes on an H100;
# RAWGAN_GPU_CHECK_FULL_TESTS=1 also runs the whole test suite first (several minutes more). Builds nothing.
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
# NCCL often comes only inside PyTorch's wheel (nvidia-nccl): point RawGan at it when the loader path lacks it.
if [ -z "${RAWGAN_NCCL:-}" ] && ! ldconfig -p 2>/dev/null | grep -q "libnccl.so.2 "; then
  nccl_dir=$(python3 -c 'import nvidia.nccl as m; print(list(m.__path__)[0])' 2>/dev/null)
  [ -n "$nccl_dir" ] && [ -f "$nccl_dir/lib/libnccl.so.2" ] && export RAWGAN_NCCL="$nccl_dir/lib/libnccl.so.2"
fi

summary=()
step() { # name, seconds, command...: runs under a time limit with a wall-clock record, keeps going on failure
  local name=$1 limit=$2; shift 2
  local t0=$(date +%s.%N)
  timeout --kill-after=10 "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  local dt=$(echo "$(date +%s.%N) - $t0" | bc)
  summary+=("$(printf '%-12s rc=%-3s %6.1fs%s' "$name" "$rc" "$dt" "$([ $rc = 124 ] && echo ' (time limit)')")")
  return $rc
}

{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(cat "$root/artifacts/device/commit.txt" 2>/dev/null || echo unknown)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1
  nvcc --version 2>/dev/null | tail -1
  ls /usr/lib/x86_64-linux-gnu /usr/local/cuda/lib64 2>/dev/null | grep -E '^lib(cuda|cublas|curand)\.so\.[0-9]+$' | sort -u
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>&1
  python3 -c 'import torch; print("torch nccl", torch.cuda.nccl.version())' 2>&1
  echo "RAWGAN_NCCL=${RAWGAN_NCCL:-(libnccl.so.2 from the loader path)}"
} > "$out/environment.txt" 2>&1

step info 30 "$work/rawgan" info
if [ "${RAWGAN_GPU_CHECK_FULL_TESTS:-0}" = 1 ]; then
  step tests 600 "$work/RawGan.Tests" --results-directory "$out/tests" --report-trx --output Detailed
fi
step cuda-tests 100 "$work/RawGan.Tests" --filter "TestCategory=Cuda" --results-directory "$out/tests-cuda" --report-trx --output Detailed
# Benchmarks: the CUDA cases only (the CPU ones are measured on the development machine), 100 ms iterations;
# every family but the CPU micro-kernel probe.
step bench 200 env RAWGAN_BENCH_DEVICES=cuda RAWGAN_BENCH_ITERATION_MS=100 \
  "$work/RawGan.Bench" --filter '*ConvBench*' '*GemmBench*' '*ElementwiseBench*' '*BatchNormBench*' '*AttentionBench*' \
  '*SpectralNormBench*' '*TruncatedNormalBench*' '*AdamBench*' '*TrainStepBench*' --artifacts "$out/bench"
have_torch=0
python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null && have_torch=1
if [ $have_torch = 1 ]; then
  step torch 150 python3 "$work/torch_baseline.py" --device cuda --json "$out/torch-cuda.json"
else
  summary+=("torch        skipped: python3 has no torch with CUDA")
fi
if [ -f "$out/bench/results/rawgan-results.json" ]; then
  torch_json=(); [ -f "$out/torch-cuda.json" ] && torch_json=(--torch "$out/torch-cuda.json")
  python3 "$work/compare.py" --rawgan "$out/bench/results/rawgan-results.json" "${torch_json[@]}" \
    --out "$out/comparison.md" > /dev/null 2> "$out/compare.log"
fi
# A short timed BigGAN training run on the GPU (synthetic data, so no download is needed); its log has images/s.
step train 45 "$work/rawgan" train --data synthetic --steps 50 --log-every 10 --sample-every 50 --checkpoint-every 0 \
  --device cuda --runs "$out/runs" --name gpu-check
# The same run as a data-parallel group of one rank over NCCL (no MPI): bucketed gradient all-reduce and cross-replica
# batch norm on the GPU; its log ends with the per-step communication figures. Compare its images/s with train's.
step train-nccl 60 "$work/rawgan" train --data synthetic --steps 50 --log-every 10 --sample-every 50 --checkpoint-every 0 \
  --device cuda --comm nccl --runs "$out/runs" --name gpu-check-nccl

echo
cat "$out/environment.txt"
echo
printf '%s\n' "${summary[@]}"
for f in tests cuda-tests; do
  [ -f "$out/$f.log" ] || continue
  echo "--- $f"; grep -E "total:|failed:|succeeded:|skipped:" "$out/$f.log" | tr -s ' '
  grep -E "^\s*failed " "$out/$f.log" | head -20
done
for f in train train-nccl; do
  [ -f "$out/$f.log" ] && { echo "--- $f"; grep -E "images/s|communication" "$out/$f.log" | tail -2; }
done
[ -f "$out/comparison.md" ] && { echo; cat "$out/comparison.md"; }
