#!/usr/bin/env python3
"""PyTorch's side of `rawgan profile`: the BigGAN training step of bench/torch_baseline.py (TrainStepBench) under
torch.profiler, one row per aten op (self time, so that nested ops count once), to set beside RawGan's profile table.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/torch_profile.py --threads 2 [--steps 3] [--warmup 2]
"""
import argparse
import time

import torch

import torch_baseline as tb


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", default="biggan32", choices=["biggan32", "biggan128"])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (CPU; 0 leaves torch's default)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--rows", type=int, default=30)
    args = parser.parse_args()
    tb.DEVICE = args.device
    if args.threads:
        torch.set_num_threads(args.threads)
    step = tb.make_train_step(args.variant)
    for _ in range(args.warmup):
        step()
        tb.sync()
    times = []
    activities = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if args.device == "cuda" else [])
    with torch.profiler.profile(activities=activities) as prof:
        for _ in range(args.steps):
            start = time.perf_counter()
            step()
            tb.sync()
            times.append((time.perf_counter() - start) * 1e3)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; profiled steps (ms): "
          + ", ".join(f"{t:.1f}" for t in times) + f"; mean {sum(times) / len(times):.1f}")
    sort = "self_cuda_time_total" if args.device == "cuda" else "self_cpu_time_total"
    print(prof.key_averages().table(sort_by=sort, row_limit=args.rows))


if __name__ == "__main__":
    main()
