#!/usr/bin/env bash
# RawGan's all-reduce between CPU processes against PyTorch's on this machine: `mpirun -n N rawgan comm-bench`
# (MPI) and bench/torch_allreduce.py (torch.distributed, gloo), each rank on one thread, one after the other, then one
# markdown table with RawGan/PyTorch (PyTorch's time / RawGan's) per message size.
#   bench/allreduce.sh [RANKS] [REPEATS]    (defaults 2 and 1; REPEATS alternates both sides and keeps each size's
#                                            best, for a shared machine; results in bench/results/allreduce/)
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=${1:-2}
repeats=${2:-1}
results=bench/results/allreduce
rm -rf "$results"
mkdir -p "$results"
dotnet build -c Release src/Cli -v quiet -nologo
for i in $(seq 1 "$repeats"); do
    echo "== run $i of $repeats ($(uptime | sed 's/.*load/load/'))"
    mpirun --allow-run-as-root --oversubscribe -n "$ranks" \
        src/Cli/bin/Release/net10.0/rawgan comm-bench --device cpu --json "$results/rawgan-$i.json"
    /usr/bin/python3 bench/torch_allreduce.py --ranks "$ranks" --device cpu --json "$results/torch-$i.json"
done
/usr/bin/python3 - "$results" <<'PY' | tee "$results/allreduce.md"
import glob, json, sys
d = sys.argv[1]
def best(side):
    runs = [json.load(open(p)) for p in sorted(glob.glob(f"{d}/{side}-*.json"))]
    rows = [min(r, key=lambda x: x["seconds"]) for r in zip(*(run["results"] for run in runs))]
    return runs[0], rows
(ours, a), (theirs, b) = best("rawgan"), best("torch")
print(f"All-reduce of float32 between {ours['ranks']} CPU processes, best of {len(glob.glob(f'{d}/rawgan-*.json'))}: "
      f"RawGan ({ours['transport']}) against {theirs['transport']}\n")
print("| MB | RawGan µs | PyTorch µs | RawGan busbw GB/s | RawGan/PyTorch |")
print("|---:|---:|---:|---:|---:|")
for x, y in zip(a, b):
    print(f"| {x['bytes'] / 1e6:.4g} | {x['seconds'] * 1e6:.1f} | {y['seconds'] * 1e6:.1f} | {x['busbw_gbs']:.3f} | {y['seconds'] / x['seconds']:.2f} |")
PY
echo "load now: $(uptime | sed 's/.*load average: //')"
