#!/usr/bin/env python3
"""Joins RawGan.Bench's results (rawgan-results.json) with bench/torch_baseline.py's into one markdown table.

    python3 bench/compare.py --rawgan RUN/rawgan-results.json... --torch RUN/torch.json... [--out table.md]

Several files per side (repeated runs) are merged by keeping each row's fastest time: on a shared machine the best
of N is the figure least disturbed by other work. Each RawGan row is paired with the PyTorch row whose `pairs_with`
matches its case (fnmatch patterns); RawGan/PyTorch = PyTorch's time / RawGan's time, so below 1 means RawGan is
slower. Memory-bound rows (those with a byte count) also show their achieved GB/s as a fraction of the same run's
device copy (ElementwiseBench.Copy on the same device: the b128 shape on CUDA, where b32 fits in L2; b32 on the CPU),
twice: "of copy" counts the bytes the implementation moves (a second read of an input included), "floor" only the
compulsory bytes (each input read once, each output written once), i.e. the copy-speed floor's time over the time.
Rows that recorded memory (TrainStepBench) get a second table: the peak bytes one invocation held (persistent state
included) and its allocation count, beside PyTorch's torch.cuda.max_memory_allocated for the same step.
"""
import argparse
import fnmatch
import json
import sys


def load_rawgan(paths):
    rows = {}
    for path in paths:
        for r in json.load(open(path))["results"]:
            if r["key"] not in rows or r["min_ns"] < rows[r["key"]]["min_ns"]:
                rows[r["key"]] = r
    return rows


def load_torch(paths):
    rows, meta = {}, {}
    for path in paths:
        data = json.load(open(path))
        meta = {k: v for k, v in data.items() if k != "results"}
        for r in data["results"]:
            key = (r["benchmark"], r["case"])
            if key not in rows or r["best_ms"] < rows[key]["best_ms"]:
                rows[key] = r
    return rows, meta


def copy_reference(rawgan, device):
    for shape in (["b128", "b32"] if device == "cuda" else ["b32"]):
        r = rawgan.get(f"ElementwiseBench.Copy[{device}/{shape}]")
        if r:
            return r
    return None


def fmt_ms(ms):
    return f"{ms:.3f}" if ms < 10 else f"{ms:.1f}"


def pair(r, torch_rows):
    """The PyTorch row whose pairs_with patterns match a RawGan row's case, or None."""
    return next((t for (bench, _), t in torch_rows.items() if bench == r["benchmark"]
                 and any(fnmatch.fnmatchcase(r["case"], p) for p in t["pairs_with"])), None)


def mib(n):
    return f"{n / 2**20:.1f}"


def memory_table(rawgan, torch_rows):
    rows = sorted((r for r in rawgan.values() if r.get("peak_bytes")), key=lambda r: (r["device"], r["benchmark"], r["case"]))
    if not rows:
        return []
    lines = ["", "Peak memory of one invocation (allocator statistics, persistent state included; RawGan/PyTorch below 1 "
             "means RawGan holds less):", "",
             "| Benchmark | Case | RawGan peak MiB | allocations | PyTorch peak MiB (its case) | RawGan/PyTorch |",
             "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        match = pair(r, torch_rows)
        torch_cell, ratio_cell = "–", "–"
        if match and match.get("peak_bytes"):
            torch_cell = f"{mib(match['peak_bytes'])} ({match['case']})"
            ratio = r["peak_bytes"] / match["peak_bytes"]
            ratio_cell = f"**{ratio:.2f}**" if ratio > 1 else f"{ratio:.2f}"
        lines.append(f"| {r['benchmark']} | {r['case']} | {mib(r['peak_bytes'])} | {r.get('allocations', '–')} | {torch_cell} | {ratio_cell} |")
    return lines


def table(rawgan, torch_rows):
    lines = ["| Benchmark | Case | RawGan ms | PyTorch ms (its case) | RawGan/PyTorch | RawGan GFLOP/s or GB/s | of copy | floor |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    ratios = []
    paired = set()
    for key, r in sorted(rawgan.items(), key=lambda kv: (kv[1]["device"], kv[1]["benchmark"], kv[1]["case"])):
        ms = r["min_ns"] / 1e6
        match = pair(r, torch_rows)
        torch_cell, ratio_cell = "–", "–"
        if match:
            paired.add((match["benchmark"], match["case"]))
            ratio = match["best_ms"] / ms
            ratios.append((ratio, key))
            torch_cell = f"{fmt_ms(match['best_ms'])} ({match['case']})"
            ratio_cell = f"**{ratio:.2f}**" if ratio < 0.8 else f"{ratio:.2f}"
        rate_cell, copy_cell, floor_cell = "–", "–", "–"
        if r.get("flops"):
            rate_cell = f"{r['flops'] / r['min_ns']:.1f} GFLOP/s"
        elif r.get("bytes"):
            gbps = r["bytes"] / r["min_ns"]
            rate_cell = f"{gbps:.1f} GB/s"
            ref = copy_reference(rawgan, r["device"])
            if ref and ref.get("bytes"):
                copy_gbps = ref["bytes"] / ref["min_ns"]
                copy_cell = f"{gbps / copy_gbps:.0%}"
                floor_cell = f"{(r.get('floor_bytes') or r['bytes']) / r['min_ns'] / copy_gbps:.0%}"
        lines.append(f"| {r['benchmark']} | {r['case']} | {fmt_ms(ms)} | {torch_cell} | {ratio_cell} | {rate_cell} | {copy_cell} | {floor_cell} |")
    extra = [t for k, t in torch_rows.items() if k not in paired]
    if extra:
        lines += ["", "PyTorch rows without a RawGan counterpart (alternatives RawGan does not have):", "",
                  "| Benchmark | PyTorch case | PyTorch ms |", "|---|---|---:|"]
        lines += [f"| {t['benchmark']} | {t['case']} | {fmt_ms(t['best_ms'])} |" for t in extra]
    worst = sorted(ratios)[:3]
    if worst:
        lines += ["", "Furthest behind PyTorch: " + ", ".join(f"{k} {v:.2f}" for v, k in worst) + "."]
    lines += memory_table(rawgan, torch_rows)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rawgan", nargs="+", required=True)
    parser.add_argument("--torch", nargs="*", default=[])
    parser.add_argument("--out")
    args = parser.parse_args()
    rawgan = load_rawgan(args.rawgan)
    if not rawgan:
        sys.exit("compare.py: no RawGan results in " + ", ".join(args.rawgan))
    torch_rows, meta = load_torch(args.torch)
    header = (f"RawGan: {len(args.rawgan)} run(s), fastest iteration. PyTorch {meta.get('torch', '?')} "
              f"({meta.get('cuda_device') or 'CPU'}, threads {meta.get('threads', '?')}): {len(args.torch)} run(s), fastest round.")
    text = header + "\n\n" + table(rawgan, torch_rows) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as out:
            out.write(text)


if __name__ == "__main__":
    main()
