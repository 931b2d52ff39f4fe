#!/usr/bin/env bash
# GPU verification in one command, on a server with the NVIDIA driver, the CUDA libraries and PyTorch with CUDA, but
# no .NET. Usage (from a checkout that carries artifacts/device, built here by `dotnet pwsh build.ps1 device-bundle`):
#   bash tools/gpu-check.sh OUT_DIR
# Runs the tensor-core convolution's tests, the other Cuda-category tests, RawGan.Bench on the GPU (short iterations;
# the convolutions separately), bench/torch_baseline.py on the GPU (cuDNN: fp32, TF32, bf16; BigGAN-128's
# convolutions separately), joins them into OUT_DIR/comparison.md (RawGan/PyTorch per row; each training step's peak
# memory beside torch.cuda.max_memory_allocated in a second table), a short synthetic training run, the same run as a
# one-rank NCCL data-parallel group, a per-op profile of a BigGAN-128 step (rawgan profile), ImageNet128's time to its
# first step, and the default MNIST run with and without CUDA graphs (images/s of each). Each step has a time limit
# and the summary gives each step's time. Builds nothing.
#   RAWGAN_GPU_CHECK_STEPS="tc-tests conv-bench ..."  runs only the steps named (info tc-tests cuda-tests bench
#       conv-bench torch torch-conv train mnist-graphs mnist-no-graphs profile128 imagenet128 train-nccl), e.g. to
#       split the check over two device sessions: the correctness steps (tc-tests cuda-tests train train-nccl
#       imagenet128; at most 7.5 minutes by their limits) and the measurements (the rest).
#   RAWGAN_GPU_CHECK_FULL_TESTS=1  also runs the whole test suite first (several minutes more).
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
  if [ -n "${RAWGAN_GPU_CHECK_STEPS:-}" ] && [[ " $RAWGAN_GPU_CHECK_STEPS " != *" $name "* ]]; then return 0; fi
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
# The tensor-core convolution (conv_tc.cu) first, in a process of its own: if its tests fail or its kernels fault the
# GPU, the later steps convolve with im2col + cuBLAS (RAWGAN_CONV_ALGO=Im2colGemm) and skip its benchmarks, so the
# rest of the check is still measured.
tc_ok=1
step tc-tests 150 "$work/RawGan.Tests" --filter "FullyQualifiedName~ConvTensorCore" --results-directory "$out/tests-tc" \
  --report-trx --output Detailed || { tc_ok=0; export RAWGAN_CONV_ALGO=Im2colGemm
  summary+=("tensor-core convolution tests failed: the steps below ran with RAWGAN_CONV_ALGO=Im2colGemm"); }
step cuda-tests 100 "$work/RawGan.Tests" --filter "TestCategory=Cuda&FullyQualifiedName!~ConvTensorCore" \
  --results-directory "$out/tests-cuda" --report-trx --output Detailed
# Benchmarks: the CUDA cases only (the CPU ones are measured on the development machine), 100 ms iterations;
# every family but the CPU micro-kernel probe. The convolutions in a step of their own (50 ms iterations; their
# autotune lines, every tile's time and im2col + cuBLAS's per shape, are in conv-bench.log).
step bench 200 env RAWGAN_BENCH_DEVICES=cuda RAWGAN_BENCH_ITERATION_MS=100 \
  "$work/RawGan.Bench" --filter '*GemmBench*' '*ElementwiseBench*' '*BatchNormBench*' '*AttentionBench*' \
  '*SpectralNormBench*' '*TruncatedNormalBench*' '*AdamBench*' '*TrainStepBench*' '*SvTraceBench*' --artifacts "$out/bench"
if [ $tc_ok = 1 ]; then
  step conv-bench 120 env RAWGAN_BENCH_DEVICES=cuda RAWGAN_BENCH_ITERATION_MS=50 \
    "$work/RawGan.Bench" --filter '*ConvBench*' --artifacts "$out/bench-conv"
else
  summary+=("conv-bench   skipped: the tensor-core convolution tests failed")
fi
have_torch=0
python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null && have_torch=1
if [ $have_torch = 1 ]; then
  step torch 150 python3 "$work/torch_baseline.py" --device cuda --skip conv128 --json "$out/torch-cuda.json"
  step torch-conv 90 python3 "$work/torch_baseline.py" --device cuda --only conv128 --json "$out/torch-conv128.json"
else
  summary+=("torch        skipped: python3 has no torch with CUDA")
fi
rawgan_json=(); for f in "$out/bench/results/rawgan-results.json" "$out/bench-conv/results/rawgan-results.json"; do
  [ -f "$f" ] && rawgan_json+=("$f"); done
if [ ${#rawgan_json[@]} -gt 0 ]; then
  torch_json=(); for f in "$out/torch-cuda.json" "$out/torch-conv128.json"; do [ -f "$f" ] && torch_json+=("$f"); done
  [ ${#torch_json[@]} -gt 0 ] && torch_json=(--torch "${torch_json[@]}")
  python3 "$work/compare.py" --rawgan "${rawgan_json[@]}" "${torch_json[@]}" \
    --out "$out/comparison.md" > /dev/null 2> "$out/compare.log"
fi
# A short timed BigGAN training run on the GPU (synthetic data, so no download is needed); its log has images/s and,
# last, the cost of the singular-value traces ("sv trace: N traces in X s (Y ms each, Z device reads each)").
step train 45 "$work/rawgan" train --data synthetic --steps 50 --log-every 10 --sample-every 50 --checkpoint-every 0 \
  --device cuda --runs "$out/runs" --name gpu-check
# The default MNIST run (700 steps, σ trace every 10) twice: the training step replayed as a CUDA graph (the default)
# and run eagerly (--no-graphs); images/s of each. MNIST from $RAWGAN_DATA or ~/.cache/rawgan/mnist, else synthetic data.
mnist=${RAWGAN_DATA:-$HOME/.cache/rawgan/mnist}
data_args=(); ls "$mnist"/train-images-idx3-ubyte* > /dev/null 2>&1 || data_args=(--data synthetic)
for mode in graphs no-graphs; do
  mode_args=(); [ $mode = no-graphs ] && mode_args=(--no-graphs)
  step "mnist-$mode" 100 "$work/rawgan" train "${data_args[@]}" "${mode_args[@]}" --device cuda --runs "$out/runs" --name "mnist-$mode"
  rate=$(grep -oE '[0-9.]+ images/s' "$out/mnist-$mode.log" 2>/dev/null | tail -1)
  summary+=("$(printf '  default run (%s), %-9s %s' "${data_args[*]:-mnist}" "$mode:" "${rate:-no result}")")
done
# Where a BigGAN-128 step's time goes (rawgan profile, CUDA events per op): the table is in profile128.log,
# profile.json and profile-trace.json (Perfetto) in runs/profile128.
step profile128 60 "$work/rawgan" profile --preset ImageNet128 --data synthetic --batch-size 64 --device cuda \
  --profile-warmup 2 --profile-steps 3 --runs "$out/runs" --name profile128
# ImageNet128's time to its first step (issue 10: within 10 s): G and D built with orthogonal init on the GPU and the
# first sv trace; each line of the log is stamped with the seconds since the start ("Training steps" is step 1's start).
# A 60 s limit: six times the target, and the stamps show how far a slower start got.
stamp() { local t0=$(date +%s.%N); while IFS= read -r line; do printf '%7.2f %s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$line"; done; }
export -f stamp
step imagenet128 60 bash -c 'set -o pipefail; "$0" train --preset ImageNet128 --data synthetic --batch-size 64 --steps 1 --sample-every 0 \
  --checkpoint-every 0 --device cuda --runs "$1" --name imagenet128 2>&1 | stamp' "$work/rawgan" "$work/runs"
first_step=$(grep -m1 'Training steps' "$out/imagenet128.log" 2>/dev/null | awk '{print "first step started at " $1 " s"}')
summary+=("$(printf '%-12s %s' imagenet128 "${first_step:-step 1 not reached: see imagenet128.log}")")
# The same run as a data-parallel group of one rank over NCCL (no MPI): bucketed gradient all-reduce and cross-replica
# batch norm on the GPU; its log ends with the per-step communication figures. Compare its images/s with train's.
step train-nccl 60 "$work/rawgan" train --data synthetic --steps 50 --log-every 10 --sample-every 50 --checkpoint-every 0 \
  --device cuda --comm nccl --runs "$out/runs" --name gpu-check-nccl

echo
cat "$out/environment.txt"
echo
printf '%s\n' "${summary[@]}"
for f in tests tc-tests cuda-tests; do
  [ -f "$out/$f.log" ] || continue
  echo "--- $f"; grep -E "total:|failed:|succeeded:|skipped:" "$out/$f.log" | tr -s ' '
  grep -E "^\s*failed " "$out/$f.log" | head -20
done
for f in train train-nccl; do
  [ -f "$out/$f.log" ] && { echo "--- $f"; grep -E "images/s|communication" "$out/$f.log" | tail -2; }
done
[ -f "$out/comparison.md" ] && { echo; cat "$out/comparison.md"; }
[ -f "$out/runs/profile128/profile.json" ] && { echo; echo "--- profile of a BigGAN-128 step"; sed -n '/measured step/,$p' "$out/profile128.log"; }
