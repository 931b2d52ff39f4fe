#!/usr/bin/env bash
# CPU comparison: RawGan's GemmBench and ConvBench (BenchmarkDotNet, in-process, short runs) against PyTorch on
# the same shapes, then one table of GFLOP/s with the ratio RawGan/PyTorch. Everything lands in bench/results/.
#   bench/compare_cpu.sh            (about 3-4 minutes on a 2-core machine)
set -euo pipefail
cd "$(dirname "$0")/.."
results=bench/results
mkdir -p "$results"

dotnet run -c Release --project bench/RawGan.Bench -- --filter '*GemmBench*' '*ConvBench*' \
    --artifacts "$results/BenchmarkDotNet"
# Debian's OpenBLAS picks a slow generic kernel on this CPU unless told the core type.
OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/torch_cpu_baseline.py --threads 2 --json "$results/torch_cpu_baseline.json"

/usr/bin/python3 - "$results" <<'PY'
import glob, json, os, sys
results = sys.argv[1]
conv = 2.0 * 32 * 128 * 1024 * 1152  # also the conv-shaped GEMM: 32 images of 128 x 1024 x 1152
flops = {"GemmBench.Gemm1024Float32": 2.0 * 1024 ** 3, "GemmBench.Gemm1024Float64": 2.0 * 1024 ** 3,
         "GemmBench.ConvShapedGemmFloat32": conv,
         "ConvBench.Forward": conv, "ConvBench.BackwardData": conv, "ConvBench.BackwardWeight": conv,
         "GemmBench.MicroKernelFloat32": 2.0 * 8 * 32 * 256 * 16}  # one thread, no PyTorch counterpart
# RawGan: the fastest iteration, as the PyTorch script reports its fastest round.
ours = {}
for path in glob.glob(os.path.join(results, "BenchmarkDotNet", "results", "*-report-full.json")):
    for b in json.load(open(path))["Benchmarks"]:
        key = b["Type"] + "." + b["Method"]
        if key in flops:
            ours[key] = flops[key] / b["Statistics"]["Min"]
# PyTorch: where it has two ways to run a shape (name/variant), the faster.
torch = {}
for r in json.load(open(os.path.join(results, "torch_cpu_baseline.json")))["results"]:
    key = r["name"].split("/")[0]
    torch[key] = max(torch.get(key, 0.0), r["gflops"])
print("\n| Benchmark | RawGan GFLOP/s | PyTorch GFLOP/s | RawGan/PyTorch |")
print("|---|---:|---:|---:|")
for name in flops:
    if name in ours and name in torch:
        print(f"| {name} | {ours[name]:.1f} | {torch[name]:.1f} | {ours[name] / torch[name]:.2f} |")
    elif name in ours:
        print(f"| {name} | {ours[name]:.1f} | - | - |")
PY
