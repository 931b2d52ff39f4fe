#!/usr/bin/env bash
# RawGan against PyTorch on this machine's CPU: RawGan.Bench (BenchmarkDotNet, in-process, short runs) and
# bench/torch_baseline.py on the same kernels, shapes and BigGAN-32 training step, one after the other, then one
# markdown table with RawGan/PyTorch per row (bench/compare.py).
#   bench/compare.sh [REPEATS] [BenchmarkDotNet filter...]     e.g.  bench/compare.sh 3   or   bench/compare.sh 1 '*ConvBench*'
# TORCH_ONLY (torch_baseline.py --only, e.g. TORCH_ONLY=trainstep) limits PyTorch's side to the families filtered.
# REPEATS (default 1) alternates both sides that many times and keeps each row's best: on a shared machine that is
# the figure least disturbed by other work. One repeat takes about 8 minutes on a 2-core machine.
# Everything lands in bench/results/ (run-N/ per repeat; the table in bench/results/comparison.md).
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-1}
shift || true
filters=("$@")
[ ${#filters[@]} -gt 0 ] || filters=('*')
results=bench/results
rm -rf "$results"/run-*
mkdir -p "$results"
# Debian's OpenBLAS picks a slow generic kernel on Zen 4 unless told the core type (on a CPU without AVX-512 that
# core type dies of an illegal instruction; there OpenBLAS's own choice stands).
if grep -q avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX}; fi
export RAWGAN_BENCH_DEVICES=${RAWGAN_BENCH_DEVICES:-cpu}
threads=$(nproc)

dotnet build -c Release bench/RawGan.Bench -v quiet -nologo
for i in $(seq 1 "$repeats"); do
    run="$results/run-$i"
    mkdir -p "$run"
    echo "== run $i of $repeats: RawGan ($(uptime | sed 's/.*load/load/'))"
    dotnet run -c Release --no-build --project bench/RawGan.Bench -- --filter "${filters[@]}" --artifacts "$run/BenchmarkDotNet"
    echo "== run $i of $repeats: PyTorch ($(uptime | sed 's/.*load/load/'))"
    /usr/bin/python3 bench/torch_baseline.py --device cpu --threads "$threads" --only "${TORCH_ONLY:-}" --json "$run/torch.json"
done

/usr/bin/python3 bench/compare.py --rawgan "$results"/run-*/BenchmarkDotNet/results/rawgan-results.json \
    --torch "$results"/run-*/torch.json --out "$results/comparison.md"
echo "Table: $results/comparison.md (load now: $(uptime | sed 's/.*load average: //'))"
