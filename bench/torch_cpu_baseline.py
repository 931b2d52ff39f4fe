#!/usr/bin/env python3
"""PyTorch CPU baseline for bench/RawGan.Bench (GemmBench, ConvBench): the same shapes, timed the same way.

Run:  OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/torch_cpu_baseline.py [--threads 2] [--json out.json]
(Debian's OpenBLAS otherwise picks a slow generic kernel on this CPU.) Prints which BLAS torch loaded, then
one line per benchmark: best and median milliseconds and GFLOP/s (2*M*N*K / best time).
"""
import argparse
import json
import statistics
import time

import torch


def blas_libraries():
    """Shared libraries mapped into this process whose names mention BLAS, LAPACK or oneDNN."""
    names = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if any(key in path for key in ("blas", "lapack", "dnnl", "mkl")):
                names.add(path)
    return sorted(names)


def timed(fn, min_seconds=1.0, repeats=7):
    """Best and median seconds per call over `repeats` rounds of enough calls to last min_seconds/repeats."""
    for _ in range(3):
        fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-6)
    calls = max(1, int(min_seconds / repeats / once))
    rounds = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        rounds.append((time.perf_counter() - start) / calls)
    return min(rounds), statistics.median(rounds)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    results = []

    def report(name, flops, fn):
        best, median = timed(fn)
        results.append({"name": name, "best_ms": best * 1e3, "median_ms": median * 1e3, "gflops": flops / best / 1e9})
        print(f"{name:42s} {best * 1e3:9.3f} ms (median {median * 1e3:9.3f})  {flops / best / 1e9:7.1f} GFLOP/s", flush=True)

    n = 1024
    for dtype, label in ((torch.float32, "GemmBench.Gemm1024Float32"), (torch.float64, "GemmBench.Gemm1024Float64")):
        a, b = torch.rand(n, n, dtype=dtype) * 2 - 1, torch.rand(n, n, dtype=dtype) * 2 - 1
        c = torch.empty(n, n, dtype=dtype)
        report(label, 2.0 * n ** 3, lambda a=a, b=b, c=c: torch.mm(a, b, out=c))

    # The GEMM inside the 3x3 convolution: W (128 x 1152) times 32 im2col matrices (1152 x 1024).
    m, nn, k, batch = 128, 32 * 32, 128 * 9, 32
    w = torch.rand(m, k) * 2 - 1
    cols = torch.rand(batch, k, nn) * 2 - 1
    y = torch.empty(batch, m, nn)
    # Two ways to ask torch for it: one broadcast matmul (a bmm), or one mm per image; the table takes the faster.
    report("GemmBench.ConvShapedGemmFloat32", 2.0 * batch * m * nn * k, lambda: torch.matmul(w, cols, out=y))

    def per_image():
        for i in range(batch):
            torch.mm(w, cols[i], out=y[i])

    report("GemmBench.ConvShapedGemmFloat32/loop", 2.0 * batch * m * nn * k, per_image)

    # BigGAN's main convolution: 3x3, pad 1, 128 -> 128 channels, 32x32, batch 32 (oneDNN does these).
    x = torch.rand(32, 128, 32, 32) * 2 - 1
    wc = torch.rand(128, 128, 3, 3) * 2 - 1
    dy = torch.rand(32, 128, 32, 32) * 2 - 1
    conv_flops = 2.0 * 32 * 128 * 32 * 32 * 128 * 9

    def backward(mask):
        return torch.ops.aten.convolution_backward(dy, x, wc, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, mask)

    with torch.no_grad():
        report("ConvBench.Forward", conv_flops, lambda: torch.nn.functional.conv2d(x, wc, padding=1))
        report("ConvBench.BackwardData", conv_flops, lambda: backward([True, False, False]))
        report("ConvBench.BackwardWeight", conv_flops, lambda: backward([False, True, False]))

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, BLAS/DNN libraries loaded:")
    for lib in blas_libraries():
        print("  " + lib)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(),
                       "libraries": blas_libraries(), "results": results}, out, indent=2)


if __name__ == "__main__":
    main()
