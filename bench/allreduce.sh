#!/usr/bin/env bash
# RawGan's all-reduce between CPU processes against PyTorch's on this machine: `mpirun -n N rawgan comm-bench`
# (MPI) and bench/torch_allreduce.py (torch.distributed, gloo), one after the other, each rank on one thread, then one
# markdown table with RawGan/PyTorch (PyTorch's time / RawGan's) per message size.
#   bench/allreduce.sh [RANKS]        (default 2; results in bench/results/allreduce-*.json and allreduce.md)
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=${1:-2}
results=bench/results
mkdir -p "$results"
dotnet build -c Release src/Cli -v quiet -nologo
mpirun --allow-run-as-root --oversubscribe --mca btl_vader_single_copy_mechanism none -n "$ranks" \
    src/Cli/bin/Release/net10.0/rawgan comm-bench --device cpu --json "$results/allreduce-rawgan.json"
/usr/bin/python3 bench/torch_allreduce.py --ranks "$ranks" --device cpu --json "$results/allreduce-torch.json"
/usr/bin/python3 - "$results" <<'PY' | tee "$results/allreduce.md"
import json, sys
d = sys.argv[1]
ours, theirs = (json.load(open(f"{d}/allreduce-{n}.json")) for n in ("rawgan", "torch"))
print(f"All-reduce of float32 between {ours['ranks']} CPU processes: RawGan ({ours['transport']}) against {theirs['transport']}\n")
print("| MB | RawGan µs | PyTorch µs | RawGan busbw GB/s | RawGan/PyTorch |")
print("|---:|---:|---:|---:|---:|")
for a, b in zip(ours["results"], theirs["results"]):
    print(f"| {a['bytes'] / 1e6:.4g} | {a['seconds'] * 1e6:.1f} | {b['seconds'] * 1e6:.1f} | {a['busbw_gbs']:.3f} | {b['seconds'] / a['seconds']:.2f} |")
PY
echo "load now: $(uptime | sed 's/.*load average: //')"
